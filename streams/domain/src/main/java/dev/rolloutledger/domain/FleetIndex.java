package dev.rolloutledger.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the engine would otherwise scan a tenant's whole fleet for, kept up to date as it writes
 * hosts: the hosts bound to each rollout (by id and by wave), the ones still waiting for their
 * Apply, the cohort counts the gate compares, and a time-ordered watch list from which silence is
 * judged. With it, a heartbeat, a crash and a clock tick cost O(log n) instead of O(n) in the
 * tenant's hosts.
 *
 * <p>The index is derived state, never stored: it is built from {@link LedgerStore#hosts} the first
 * time a tenant is touched (after a restart, a rebalance or a replay) and then follows every write
 * the engine makes. Decisions depend only on the store's content, so a rebuilt index yields the
 * same decisions as one that followed the log from the start ({@link #matches} checks it).
 *
 * <p>Not thread-safe: owned by one {@link RolloutEngine}.
 */
final class FleetIndex {

  /** A host whose silence may be judged from {@code since} on. */
  record Watch(Instant since, String host) {}

  private static final Comparator<Watch> WATCH_ORDER =
      Comparator.comparing(Watch::since).thenComparing(Watch::host);

  /** The index of one rollout's hosts. */
  static final class Members {
    private final TreeSet<String> ids = new TreeSet<>();
    private final Map<String, TreeSet<String>> byWave = new HashMap<>();
    private final Map<String, TreeSet<String>> waitingByWave = new HashMap<>();
    private final NavigableSet<Watch> watches = new TreeSet<>(WATCH_ORDER);
    private long updatedAtRisk;
    private long baselineAtRisk;
    private long baselineHosts;
    private long baselineFailingUnapplied;
    private long baselineFailingAny;

    /** Applied and not failing by any signal: the updated cohort at risk. */
    long updatedAtRisk() {
      return updatedAtRisk;
    }

    /** Not applied and not failing: the baseline cohort at risk. */
    long baselineAtRisk() {
      return baselineAtRisk;
    }

    /** Not applied, failing or not. */
    long baselineHosts() {
      return baselineHosts;
    }

    /** Not applied and failing on their previous release. */
    long baselineFailing() {
      return baselineFailingUnapplied;
    }

    /** Any host of the rollout marked failing on its previous release. */
    boolean anyBaselineFailing() {
      return baselineFailingAny > 0;
    }

    /** Host ids, sorted. */
    NavigableSet<String> ids() {
      return ids;
    }

    /** Host ids of a wave, sorted. */
    NavigableSet<String> wave(String wave) {
      return byWave.getOrDefault(wave, EMPTY);
    }

    /** Host ids of a wave whose Apply was not sent yet, sorted. */
    NavigableSet<String> waiting(String wave) {
      return waitingByWave.getOrDefault(wave, EMPTY);
    }

    /**
     * Hosts that may be silent at {@code now} under {@code timeout}: nothing seen for longer than
     * the timeout, and not yet counted as failing. Sorted by host id.
     */
    List<String> dueAt(Instant now, Duration timeout) {
      // silent when now > since + timeout, i.e. since < now - timeout
      Watch bound = new Watch(now.minus(timeout), "");
      List<String> due = new ArrayList<>();
      for (Watch w : watches.headSet(bound, false)) {
        due.add(w.host());
      }
      due.sort(Comparator.naturalOrder());
      return due;
    }

    private void account(HostRecord h, int sign) {
      String id = h.host();
      if (sign > 0) {
        ids.add(id);
        byWave.computeIfAbsent(h.wave(), k -> new TreeSet<>()).add(id);
        if (!h.dispatched()) {
          waitingByWave.computeIfAbsent(h.wave(), k -> new TreeSet<>()).add(id);
        }
        if (watched(h)) {
          watches.add(new Watch(h.lastSeenAt(), id));
        }
      } else {
        ids.remove(id);
        removeFrom(byWave, h.wave(), id);
        if (!h.dispatched()) {
          removeFrom(waitingByWave, h.wave(), id);
        }
        if (watched(h)) {
          watches.remove(new Watch(h.lastSeenAt(), id));
        }
      }
      if (h.applied() && !h.failing()) {
        updatedAtRisk += sign;
      }
      if (!h.applied()) {
        baselineHosts += sign;
        if (h.baselineFailing()) {
          baselineFailingUnapplied += sign;
        } else {
          baselineAtRisk += sign;
        }
      }
      if (h.baselineFailing()) {
        baselineFailingAny += sign;
      }
    }

    private boolean isEmpty() {
      return ids.isEmpty();
    }

    private static void removeFrom(Map<String, TreeSet<String>> sets, String key, String id) {
      TreeSet<String> set = sets.get(key);
      if (set != null) {
        set.remove(id);
        if (set.isEmpty()) {
          sets.remove(key);
        }
      }
    }

    /** The state of the counters and sets, for comparing two indexes. */
    private List<Object> snapshot() {
      return List.of(
          List.copyOf(ids),
          new TreeMap<>(byWave),
          new TreeMap<>(waitingByWave),
          List.copyOf(watches),
          List.of(
              updatedAtRisk,
              baselineAtRisk,
              baselineHosts,
              baselineFailingUnapplied,
              baselineFailingAny));
    }
  }

  /** Silence can be judged for it: seen, and not counted as failing in its cohort yet. */
  private static boolean watched(HostRecord h) {
    if (h.lastSeenAt() == null) {
      return false;
    }
    return h.applied() ? !h.failing() : !h.baselineFailing();
  }

  private static final TreeSet<String> EMPTY = new TreeSet<>();

  /** One tenant: its hosts bound to a rollout, and the rollouts' indexes. */
  private static final class Tenant {
    final Map<String, HostRecord> assigned = new HashMap<>();
    final Map<String, Members> rollouts = new HashMap<>();

    void remove(HostRecord h) {
      if (h == null || h.rollout() == null) {
        return;
      }
      assigned.remove(h.host());
      Members m = rollouts.get(h.rollout());
      if (m != null) {
        m.account(h, -1);
        if (m.isEmpty()) {
          rollouts.remove(h.rollout());
        }
      }
    }

    void add(HostRecord h) {
      if (h.rollout() == null) {
        return;
      }
      assigned.put(h.host(), h);
      rollouts.computeIfAbsent(h.rollout(), k -> new Members()).account(h, +1);
    }
  }

  private static final Members NONE = new Members();

  private final LedgerStore store;
  private final Map<String, Tenant> tenants = new HashMap<>();

  FleetIndex(LedgerStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** The index of a rollout's hosts (empty if it has none). Do not modify. */
  Members members(String tenant, String rollout) {
    return tenant(tenant).rollouts.getOrDefault(rollout, NONE);
  }

  /** The stored record of a host bound to a rollout, or null if it is not bound to any. */
  HostRecord assigned(String tenant, String host) {
    return tenant(tenant).assigned.get(host);
  }

  /**
   * Writes {@code after} to the store and follows the change. {@code before} must be what the store
   * held for the host (null if nothing): with {@link #assigned} it is known without a read.
   */
  void put(HostRecord after) {
    Tenant t = tenant(after.tenant());
    HostRecord before = t.assigned.get(after.host());
    store.putHost(after);
    t.remove(before);
    t.add(after);
  }

  /** True when this index equals one built afresh from the store: the index's own check. */
  boolean matches(String tenant) {
    Tenant fresh = build(tenant);
    Tenant mine = tenant(tenant);
    if (!fresh.assigned.equals(mine.assigned)
        || !fresh.rollouts.keySet().equals(mine.rollouts.keySet())) {
      return false;
    }
    for (Map.Entry<String, Members> e : fresh.rollouts.entrySet()) {
      if (!e.getValue().snapshot().equals(mine.rollouts.get(e.getKey()).snapshot())) {
        return false;
      }
    }
    return true;
  }

  private Tenant tenant(String tenant) {
    return tenants.computeIfAbsent(tenant, this::build);
  }

  private Tenant build(String tenant) {
    Tenant t = new Tenant();
    for (HostRecord h : store.hosts(tenant)) {
      t.add(h);
    }
    return t;
  }
}
