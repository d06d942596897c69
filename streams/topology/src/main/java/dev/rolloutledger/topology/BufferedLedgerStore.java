package dev.rolloutledger.topology;

import dev.rolloutledger.domain.HostRecord;
import dev.rolloutledger.domain.LedgerStore;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.ReleaseInfo;
import dev.rolloutledger.domain.RolloutState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The engine's store while it decides one input: its writes stay here, read back before the Kafka
 * stores', until the processor has every output of the input ready; then {@link #prepare} turns
 * them into one {@link KeyValueLedgerStore.Batch}, or {@link #discard} forgets them
 * (docs/failures.md). An input that cannot be completed thus changes no store. Not thread-safe,
 * like the engine.
 */
final class BufferedLedgerStore implements LedgerStore {
  private final KeyValueLedgerStore store;
  // by tenant, then id in String order: the order the port promises for hosts() and rollouts()
  private Map<String, TreeMap<String, HostRecord>> hosts = new HashMap<>();
  private Map<String, TreeMap<String, RolloutState>> rollouts = new HashMap<>();
  private Map<String, ReleaseInfo> releases = new HashMap<>();
  private Map<String, OwnerPolicy> policies = new HashMap<>();

  BufferedLedgerStore(KeyValueLedgerStore store) {
    this.store = store;
  }

  /** True when the engine wrote nothing since the last prepare or discard. */
  boolean isEmpty() {
    return hosts.isEmpty() && rollouts.isEmpty() && releases.isEmpty() && policies.isEmpty();
  }

  /**
   * The rollouts (key {@code tenant/rollout}, sorted) the buffered writes touch: those written, and
   * those of the hosts written (a host's failure changes its rollout's cohorts).
   */
  java.util.SortedSet<String> touchedRollouts() {
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    for (TreeMap<String, RolloutState> tenant : rollouts.values()) {
      for (RolloutState r : tenant.values()) {
        out.add(StoreKeys.of(r.tenant(), r.rollout()));
      }
    }
    for (TreeMap<String, HostRecord> tenant : hosts.values()) {
      for (HostRecord h : tenant.values()) {
        if (h.rollout() != null) {
          out.add(StoreKeys.of(h.tenant(), h.rollout()));
        }
      }
    }
    return out;
  }

  /**
   * The buffered writes in their stored form; the buffer is empty afterwards. Throws, leaving the
   * buffer as it was, when a value cannot be converted.
   */
  KeyValueLedgerStore.Batch prepare() {
    KeyValueLedgerStore.Batch batch =
        store.batch(values(hosts), values(rollouts), releases.values(), policies.values());
    discard();
    return batch;
  }

  /** Forgets the buffered writes. */
  void discard() {
    // new maps rather than clear(): a plan's chunk leaves thousands of slots behind
    if (!hosts.isEmpty()) {
      hosts = new HashMap<>();
    }
    if (!rollouts.isEmpty()) {
      rollouts = new HashMap<>();
    }
    if (!releases.isEmpty()) {
      releases = new HashMap<>();
    }
    if (!policies.isEmpty()) {
      policies = new HashMap<>();
    }
  }

  private static <V> List<V> values(Map<String, TreeMap<String, V>> byTenant) {
    List<V> out = new ArrayList<>();
    for (TreeMap<String, V> tenant : byTenant.values()) {
      out.addAll(tenant.values());
    }
    return out;
  }

  @Override
  public Optional<HostRecord> host(String tenant, String host) {
    TreeMap<String, HostRecord> written = hosts.get(tenant);
    HostRecord h = written == null ? null : written.get(host);
    return h != null ? Optional.of(h) : store.host(tenant, host);
  }

  @Override
  public void putHost(HostRecord host) {
    hosts.computeIfAbsent(host.tenant(), t -> new TreeMap<>()).put(host.host(), host);
  }

  @Override
  public List<HostRecord> hosts(String tenant) {
    return merged(store.hosts(tenant), hosts.get(tenant), HostRecord::host);
  }

  @Override
  public Optional<ReleaseInfo> release(String tenant, String release) {
    ReleaseInfo r = releases.get(StoreKeys.of(tenant, release));
    return r != null ? Optional.of(r) : store.release(tenant, release);
  }

  @Override
  public void putRelease(ReleaseInfo release) {
    releases.put(StoreKeys.of(release.tenant(), release.release()), release);
  }

  @Override
  public Optional<RolloutState> rollout(String tenant, String rollout) {
    TreeMap<String, RolloutState> written = rollouts.get(tenant);
    RolloutState r = written == null ? null : written.get(rollout);
    return r != null ? Optional.of(r) : store.rollout(tenant, rollout);
  }

  @Override
  public void putRollout(RolloutState rollout) {
    rollouts
        .computeIfAbsent(rollout.tenant(), t -> new TreeMap<>())
        .put(rollout.rollout(), rollout);
  }

  @Override
  public List<RolloutState> rollouts(String tenant) {
    return merged(store.rollouts(tenant), rollouts.get(tenant), RolloutState::rollout);
  }

  @Override
  public Optional<OwnerPolicy> policy(String tenant) {
    OwnerPolicy p = policies.get(tenant);
    return p != null ? Optional.of(p) : store.policy(tenant);
  }

  @Override
  public void putPolicy(OwnerPolicy policy) {
    policies.put(policy.tenant(), policy);
  }

  /**
   * {@code stored} (sorted by id) with {@code written} in place of or between its values: one pass,
   * as both are sorted by id in String order.
   */
  static <V> List<V> merged(
      List<V> stored, TreeMap<String, V> written, java.util.function.Function<V, String> id) {
    if (written == null || written.isEmpty()) {
      return stored;
    }
    List<V> out = new ArrayList<>(stored.size() + written.size());
    Iterator<Map.Entry<String, V>> w = written.entrySet().iterator();
    Map.Entry<String, V> next = w.next();
    for (V v : stored) {
      String key = id.apply(v);
      while (next != null && next.getKey().compareTo(key) < 0) {
        out.add(next.getValue());
        next = w.hasNext() ? w.next() : null;
      }
      if (next != null && next.getKey().equals(key)) {
        out.add(next.getValue());
        next = w.hasNext() ? w.next() : null;
      } else {
        out.add(v);
      }
    }
    while (next != null) {
      out.add(next.getValue());
      next = w.hasNext() ? w.next() : null;
    }
    return out;
  }
}
