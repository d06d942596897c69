package dev.rolloutledger.domain.hoststage;

import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Detector;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.UpdateApplied;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The host stage as it was before its time wheel (2026-12-07), kept as the oracle of {@code
 * HostStageWheelTest}: its tick visits every slot. Two changes since: a restored slot the stage had
 * reported silent keeps its last sign of life (as {@link HostStage#restore} now does), and the
 * slots are not persisted with a watch version (it compares hash codes, as it did).
 */
final class ReferenceHostStage {
  /** A heartbeat that is not news: the common case, allocated once. */
  public static final Absorbed NOTHING = new Absorbed(List.of(), false);

  /** What one input did: the news to forward, and whether the host's slot must be persisted. */
  public record Absorbed(List<LedgerInput> news, boolean slotChanged) {}

  private static final long UNKNOWN = Long.MIN_VALUE;
  private static final int MAX_PACKED_METRICS = 8;

  private static final class Slot {
    long lastSeen = UNKNOWN;
    long over;
    String overRelease;
    int watchVersion;
    boolean silenceOwn;
    boolean silenceExternal;
    boolean answerPending;
  }

  private static final class Tenant {
    final String name;
    HostWatch watch;
    int version;
    long silenceAfterMillis = -1;
    String[] metrics = new String[0];
    double[][] ceilings = new double[0][];
    final HashMap<String, Slot> hosts = new HashMap<>();

    Tenant(String name) {
      this.name = name;
      watch(HostWatch.none(name));
    }

    void watch(HostWatch w) {
      watch = w;
      version = w.hashCode();
      silenceAfterMillis = w.silenceAfter() == null ? -1 : w.silenceAfter().toMillis();
      metrics = w.limits().keySet().toArray(new String[0]);
      ceilings = new double[metrics.length][];
      for (int i = 0; i < metrics.length; i++) {
        ceilings[i] = w.ceilings(metrics[i]);
      }
    }
  }

  private final Map<String, Tenant> tenants = new HashMap<>();

  /** The tenant's watch (from the decision stage); the same watch again changes nothing. */
  public void watch(HostWatch watch) {
    Tenant t = tenant(watch.tenant());
    if (!watch.equals(t.watch)) {
      t.watch(watch);
    }
  }

  /** The watch the stage holds for {@code tenant} ({@link HostWatch#none} if it has none). */
  public HostWatch watchOf(String tenant) {
    Tenant t = tenants.get(tenant);
    return t == null ? HostWatch.none(tenant) : t.watch;
  }

  /** Takes one telemetry input: what to forward to the journal. */
  public Absorbed absorb(LedgerInput input) {
    if (input instanceof Heartbeat h) {
      return heartbeat(h);
    } else if (input instanceof UpdateApplied a) {
      return signOfLife(a, a.tenant(), a.host(), a.at(), !a.ok());
    } else if (input instanceof CrashReport c) {
      return signOfLife(c, c.tenant(), c.host(), c.at(), true);
    } else if (input instanceof HostBack b) {
      return signOfLife(b, b.tenant(), b.host(), b.at(), false);
    } else if (input instanceof HostSilent s) {
      return silentReported(s);
    }
    throw new IllegalArgumentException(
        "the host stage takes telemetry, not " + input.getClass().getSimpleName());
  }

  private Absorbed heartbeat(Heartbeat h) {
    Tenant t = tenant(h.tenant());
    Slot s = t.hosts.get(h.host());
    boolean created = s == null;
    if (created) {
      s = new Slot();
      t.hosts.put(h.host(), s);
    }
    long at = h.at().toEpochMilli();
    if (at > s.lastSeen) {
      s.lastSeen = at;
    }
    // after a report, or a crash or a failed apply (a baseline host failing on its previous
    // release recovers at its next heartbeat within limits), the next heartbeat is news
    boolean back = s.silenceOwn || s.silenceExternal || s.answerPending;
    long over = over(t, h.metrics());
    boolean crossed =
        s.watchVersion != t.version
            ? over != 0 || s.over != 0
            : over != s.over
                || over == -1
                || (over != 0 && !Objects.equals(h.release(), s.overRelease));
    if (!back && !crossed) {
      return created ? new Absorbed(List.of(), true) : NOTHING;
    }
    // the heartbeat itself is the news: a sign of life that answers a report, and its metrics
    s.silenceOwn = false;
    s.silenceExternal = false;
    s.answerPending = false;
    s.over = over;
    s.overRelease = over != 0 ? h.release() : null;
    s.watchVersion = t.version;
    return new Absorbed(List.of(h), true);
  }

  private Absorbed signOfLife(
      LedgerInput input, String tenant, String host, Instant at, boolean failed) {
    Slot s = slot(tenant(tenant), host);
    long millis = at.toEpochMilli();
    if (millis > s.lastSeen) {
      s.lastSeen = millis;
    }
    s.silenceOwn = false;
    s.silenceExternal = false;
    s.answerPending = failed;
    return new Absorbed(List.of(input), true);
  }

  private Absorbed silentReported(HostSilent e) {
    Slot s = slot(tenant(e.tenant()), e.host());
    if (e.detector() == Detector.EXTERNAL) {
      s.silenceExternal = true;
    }
    return new Absorbed(List.of(e), true);
  }

  /**
   * Time passed: the stage's own silence reports, sorted by tenant then host. A slot restored
   * without a last sign of life takes this tick as one.
   */
  public List<HostSilent> tick(Instant at) {
    long now = at.toEpochMilli();
    List<HostSilent> reports = new ArrayList<>();
    for (Tenant t : new TreeMap<>(tenants).values()) {
      TreeMap<String, HostSilent> due = null;
      for (Map.Entry<String, Slot> e : t.hosts.entrySet()) {
        Slot s = e.getValue();
        if (s.lastSeen == UNKNOWN) {
          s.lastSeen = now;
          continue;
        }
        if (t.silenceAfterMillis < 0 || s.silenceOwn || now - s.lastSeen <= t.silenceAfterMillis) {
          continue;
        }
        s.silenceOwn = true;
        if (due == null) {
          due = new TreeMap<>();
        }
        due.put(
            e.getKey(),
            new HostSilent(
                t.name, at, e.getKey(), Instant.ofEpochMilli(s.lastSeen), Detector.HOST_STAGE));
      }
      if (due != null) {
        reports.addAll(due.values());
      }
    }
    return reports;
  }

  /** The host's slot as its changelog keeps it, or null if the stage never saw the host. */
  public HostSlot slot(String tenant, String host) {
    Tenant t = tenants.get(tenant);
    Slot s = t == null ? null : t.hosts.get(host);
    if (s == null) {
      return null;
    }
    return new HostSlot(
        tenant,
        host,
        s.lastSeen == UNKNOWN ? null : Instant.ofEpochMilli(s.lastSeen),
        s.silenceOwn,
        s.silenceExternal,
        s.answerPending,
        s.over,
        s.overRelease,
        s.watchVersion);
  }

  /**
   * A slot read back from the changelog after a restart or a rebalance. Its last sign of life is
   * forgotten: the next tick stands in for it (never a false silence; see the class comment).
   */
  public void restore(HostSlot slot) {
    Slot s = slot(tenant(slot.tenant()), slot.host());
    s.lastSeen =
        slot.silenceOwn() && slot.lastSeenAt() != null ? slot.lastSeenAt().toEpochMilli() : UNKNOWN;
    s.silenceOwn = slot.silenceOwn();
    s.silenceExternal = slot.silenceExternal();
    s.answerPending = slot.answerPending();
    s.over = slot.over();
    s.overRelease = slot.overRelease();
    s.watchVersion = slot.watchVersion();
  }

  /** Hosts the stage keeps a slot for. */
  public long hosts() {
    long n = 0;
    for (Tenant t : tenants.values()) {
      n += t.hosts.size();
    }
    return n;
  }

  private Tenant tenant(String name) {
    Tenant t = tenants.get(name);
    if (t == null) {
      t = new Tenant(name);
      tenants.put(name, t);
    }
    return t;
  }

  private static Slot slot(Tenant t, String host) {
    Slot s = t.hosts.get(host);
    if (s == null) {
      s = new Slot();
      t.hosts.put(host, s);
    }
    return s;
  }

  /**
   * Which ceilings the metrics exceed: per watched metric, how many of its ascending ceilings the
   * value is over (the engine's test: value > limit), 8 bits each; -1 when that does not pack.
   */
  private static long over(Tenant t, Map<String, Double> metrics) {
    if (metrics.isEmpty() || t.metrics.length == 0) {
      return 0;
    }
    long packed = 0;
    boolean overflow = false;
    for (int i = 0; i < t.metrics.length; i++) {
      Double value = metrics.get(t.metrics[i]);
      if (value == null) {
        continue;
      }
      double[] c = t.ceilings[i];
      int n = 0;
      while (n < c.length && value > c[n]) {
        n++;
      }
      if (n == 0) {
        continue;
      }
      if (i >= MAX_PACKED_METRICS || n > 255) {
        overflow = true;
      } else {
        packed |= ((long) n) << (8 * i);
      }
    }
    return overflow ? -1 : packed;
  }
}
