package dev.rolloutledger.domain.hoststage;

import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Detector;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.UpdateApplied;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The host stage (ADR 0007): telemetry is absorbed where it lands, one slot per host, and only news
 * goes on to the decision stage's journal. A heartbeat that says "still alive" changes a slot and
 * is written nowhere.
 *
 * <p>News is: a host's first heartbeat, for a decision stage that follows reachability ({@link
 * #withFirstSightNews()}); every apply (ok or failed) and crash report; a detector's {@code
 * HostSilent} and {@code HostBack}; a heartbeat whose metrics cross one of the tenant's plan
 * ceilings (or come back under it, or name another release while over); the first heartbeat after a
 * host was reported silent; and the stage's own {@code HostSilent} ({@link Detector#HOST_STAGE})
 * for a host whose last sign of life is older than the tenant's {@link HostWatch#silenceAfter()},
 * found at a clock tick.
 *
 * <p>Every host is tracked, bound to a rollout or not, so a rollout that starts later loses
 * nothing. The decision stage judges: it believes the stage's reports only for plans that judge
 * liveness from heartbeats, and a report alone decides nothing (the verdict comes at the last sign
 * of life plus the plan's timeout, as before).
 *
 * <p>Pure and single-threaded: one per stream task, the same code in the server, the simulator and
 * the tests. Slots restored from a changelog ({@link #restore}) take the next tick as their last
 * sign of life: a failover never makes a false silence, it delays a true one by at most the time
 * the stage was down plus {@link HostWatch#silenceAfter()}.
 *
 * <p>A tick costs the slots that may have fallen silent, not every slot: slots wait in a {@link
 * SlotWheel} by the second of their last sign of life. The server's stage also lets go of slots
 * long reported silent ({@link #HostStage(Duration)}); the simulator's keeps them all.
 */
public final class HostStage {
  /** A heartbeat that is not news: the common case, allocated once. */
  public static final Absorbed NOTHING = new Absorbed(List.of(), false);

  /** What one input did: the news to forward, and whether the host's slot must be persisted. */
  public record Absorbed(List<LedgerInput> news, boolean slotChanged) {}

  /**
   * A slot the stage let go at a tick: its changelog entry is to be deleted. {@code tenantChanged}:
   * it is the tenant's first, so its {@link TenantState} changed too.
   */
  public record Evicted(String tenant, String host, boolean tenantChanged) {}

  /**
   * What the stage keeps per tenant besides the slots, for its changelog: the version of the
   * tenant's current watch (the one slots' {@link HostSlot#watchVersion()} are compared with), and
   * whether it has let a slot of the tenant go (then a host it does not know is news at its first
   * heartbeat: it may be one it reported silent, coming back).
   */
  public record TenantState(String tenant, int watchVersion, boolean evicted) {}

  private static final long UNKNOWN = Slot.UNKNOWN;

  /** The version of no watch: a slot restored without its tenant's version compares as stale. */
  private static final int STALE = 0;

  private static final class Tenant {
    final String name;
    HostWatch watch;
    int version = 1;
    boolean versionRestored;
    boolean evicted;
    long silenceAfterMillis = -1;
    String[] metrics = new String[0];
    double[][] ceilings = new double[0][];
    final HashMap<String, Slot> hosts = new HashMap<>();

    /** Slots with a last sign of life and no report, by that second: silence candidates. */
    final SlotWheel live = new SlotWheel();

    /** Slots the stage reported silent, by their last sign of life: eviction candidates. */
    final SlotWheel reported = new SlotWheel();

    /** Slots without a last sign of life: the next tick stands in for it. */
    final ArrayList<Slot> pending = new ArrayList<>();

    Tenant(String name) {
      this.name = name;
      set(HostWatch.none(name));
    }

    void set(HostWatch w) {
      watch = w;
      silenceAfterMillis = w.silenceAfter() == null ? -1 : w.silenceAfter().toMillis();
      metrics = w.limits().keySet().toArray(new String[0]);
      ceilings = new double[metrics.length][];
      for (int i = 0; i < metrics.length; i++) {
        ceilings[i] = w.ceilings(metrics[i]);
      }
    }

    /** A new watch: a version no slot of the tenant was computed against (1, 2, ..., never 0). */
    void nextVersion() {
      version = version == Integer.MAX_VALUE ? 1 : version + 1;
    }
  }

  private final Map<String, Tenant> tenants = new HashMap<>();
  private final TreeMap<String, Tenant> sorted = new TreeMap<>();
  private final long evictAfterMillis;
  private final List<Evicted> evicted = new ArrayList<>();
  private final List<Slot> taken = new ArrayList<>();

  /** A stage that keeps every slot (the simulator, what-if, the tests). */
  public HostStage() {
    this.evictAfterMillis = -1;
  }

  private boolean firstSightNews;

  /**
   * This stage forwards a host's first heartbeat as news, for a decision stage that follows hosts'
   * reachability (journals of version 5 on, {@code EngineConfig.reachability}): without it, a host
   * that heartbeats but never applies nor falls silent would be unknown there. One record per host
   * for the stage's life (a restored slot is not a first sight). Returns this stage.
   */
  public HostStage withFirstSightNews() {
    this.firstSightNews = true;
    return this;
  }

  /**
   * A stage that lets a slot go at the first tick at which the stage has reported the host silent,
   * has seen no sign of life of it since, and its last sign of life is older than {@code
   * evictAfter} ({@link #evicted()}). Nothing else is ever let go: a slot not reported may still be
   * due a report (when a rollout starts, say), one over a ceiling or awaiting an answer holds news
   * the decision stage needs.
   */
  public HostStage(Duration evictAfter) {
    if (evictAfter.isNegative() || evictAfter.isZero()) {
      throw new IllegalArgumentException("evictAfter must be positive: " + evictAfter);
    }
    this.evictAfterMillis = evictAfter.toMillis();
  }

  /**
   * The tenant's watch (from the decision stage); the same watch again changes nothing. True if it
   * changed: the tenant's {@link #tenantState} has a new version.
   */
  public boolean watch(HostWatch watch) {
    Tenant t = tenant(watch.tenant());
    if (watch.equals(t.watch)) {
      return false;
    }
    t.set(watch);
    t.nextVersion();
    return true;
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
      s = new Slot(h.host());
      t.hosts.put(h.host(), s);
    }
    long at = h.at().toEpochMilli();
    if (at > s.lastSeen) {
      s.lastSeen = at;
    }
    // after a report, or a crash or a failed apply (a baseline host failing on its previous
    // release recovers at its next heartbeat within limits), the next heartbeat is news; so is a
    // host's first once the tenant has slots let go: it may be one reported silent, coming back
    boolean back = s.silenceOwn || s.silenceExternal || s.answerPending || (created && t.evicted);
    long over = Ceilings.over(t.metrics, t.ceilings, h.metrics());
    boolean crossed =
        s.watchVersion != t.version
            ? over != 0 || s.over != 0
            : over != s.over
                || over == -1
                || (over != 0 && !Objects.equals(h.release(), s.overRelease));
    if (!back && !crossed) {
      if (s.wheel == null) {
        index(t, s);
      }
      if (!created) {
        return NOTHING;
      }
      // a host's first heartbeat is news for a decision stage that follows reachability: it
      // learns the host can be reached (a host never heard from is not sent an Apply)
      return new Absorbed(firstSightNews ? List.of(h) : List.of(), true);
    }
    // the heartbeat itself is the news: a sign of life that answers a report, and its metrics
    s.silenceOwn = false;
    s.silenceExternal = false;
    s.answerPending = false;
    s.over = over;
    s.overRelease = over != 0 ? h.release() : null;
    s.watchVersion = t.version;
    index(t, s);
    return new Absorbed(List.of(h), true);
  }

  private Absorbed signOfLife(
      LedgerInput input, String tenant, String host, Instant at, boolean failed) {
    Tenant t = tenant(tenant);
    Slot s = slot(t, host);
    long millis = at.toEpochMilli();
    if (millis > s.lastSeen) {
      s.lastSeen = millis;
    }
    s.silenceOwn = false;
    s.silenceExternal = false;
    s.answerPending = failed;
    index(t, s);
    return new Absorbed(List.of(input), true);
  }

  private Absorbed silentReported(HostSilent e) {
    Tenant t = tenant(e.tenant());
    Slot s = slot(t, e.host());
    if (e.detector() == Detector.EXTERNAL) {
      s.silenceExternal = true;
    }
    index(t, s);
    return new Absorbed(List.of(e), true);
  }

  /**
   * Time passed: the stage's own silence reports, sorted by tenant then host. A slot without a last
   * sign of life (restored, or first known from a detector's report) takes this tick as one. A
   * stage made with {@code evictAfter} then lets go of the slots it may ({@link #evicted()}).
   *
   * <p>A tick visits the slots whose bucket (the second of their last sign of life when they were
   * last linked, see {@link SlotWheel}) is older than the tenant's {@link
   * HostWatch#silenceAfter()}: with heartbeats every {@code i} seconds, about {@code hosts /
   * silenceAfter} slots a second instead of every slot.
   */
  public List<HostSilent> tick(Instant at) {
    long now = at.toEpochMilli();
    evicted.clear();
    List<HostSilent> reports = new ArrayList<>();
    for (Tenant t : sorted.values()) {
      if (!t.pending.isEmpty()) {
        for (Slot s : t.pending) {
          s.pending = false;
          if (s.lastSeen == UNKNOWN) {
            s.lastSeen = now;
          }
          index(t, s);
        }
        t.pending.clear();
      }
      if (t.silenceAfterMillis >= 0) {
        reportSilent(t, now, at, reports);
      }
      if (evictAfterMillis >= 0) {
        evict(t, now);
      }
    }
    return reports;
  }

  /** Reports the tenant's hosts whose last sign of life is older than its silenceAfter. */
  private void reportSilent(Tenant t, long now, Instant at, List<HostSilent> reports) {
    long threshold = now - t.silenceAfterMillis; // silent: last seen before it
    taken.clear();
    t.live.takeUpTo(Math.floorDiv(threshold - 1, 1000), taken);
    List<Slot> due = null;
    for (Slot s : taken) {
      if (!s.silenceOwn && s.lastSeen != UNKNOWN && s.lastSeen < threshold) {
        s.silenceOwn = true;
        if (due == null) {
          due = new ArrayList<>();
        }
        due.add(s);
      }
      index(t, s); // a slot seen since it was linked goes back at its new second
    }
    if (due != null) {
      due.sort(BY_HOST);
      for (Slot s : due) {
        reports.add(
            new HostSilent(
                t.name, at, s.host, Instant.ofEpochMilli(s.lastSeen), Detector.HOST_STAGE));
      }
    }
  }

  /** Lets go of the tenant's slots reported silent and unseen for longer than evictAfter. */
  private void evict(Tenant t, long now) {
    long horizon = now - evictAfterMillis;
    taken.clear();
    t.reported.takeUpTo(Math.floorDiv(horizon - 1, 1000), taken);
    List<Slot> gone = null;
    for (Slot s : taken) {
      if (s.silenceOwn && s.lastSeen != UNKNOWN && s.lastSeen < horizon) {
        t.hosts.remove(s.host);
        if (gone == null) {
          gone = new ArrayList<>();
        }
        gone.add(s);
      } else {
        index(t, s);
      }
    }
    if (gone != null) {
      gone.sort(BY_HOST);
      boolean first = !t.evicted;
      t.evicted = true;
      for (Slot s : gone) {
        evicted.add(new Evicted(t.name, s.host, first));
        first = false;
      }
    }
  }

  /** The slots the last {@link #tick} let go, sorted by tenant then host. */
  public List<Evicted> evicted() {
    return List.copyOf(evicted);
  }

  /**
   * Links the slot where it belongs now: without a last sign of life, in its tenant's pending list;
   * not reported, in the live wheel (where it stays while it is seen); reported, in the wheel of
   * eviction candidates if the stage evicts.
   */
  private void index(Tenant t, Slot s) {
    if (s.lastSeen == UNKNOWN) {
      if (s.wheel != null) {
        s.wheel.unlink(s);
      }
      if (!s.pending) {
        s.pending = true;
        t.pending.add(s);
      }
      return;
    }
    SlotWheel target = !s.silenceOwn ? t.live : evictAfterMillis >= 0 ? t.reported : null;
    if (s.wheel == target) {
      return;
    }
    if (s.wheel != null) {
      s.wheel.unlink(s);
    }
    if (target != null) {
      target.link(s, Math.floorDiv(s.lastSeen, 1000));
    }
  }

  private static final Comparator<Slot> BY_HOST = Comparator.comparing(s -> s.host);

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

  /** The tenant's state as its changelog keeps it, or null if the stage does not know it. */
  public TenantState tenantState(String tenant) {
    Tenant t = tenants.get(tenant);
    return t == null ? null : new TenantState(tenant, t.version, t.evicted);
  }

  /**
   * A slot read back from the changelog after a restart or a rebalance. Its last sign of life is
   * forgotten, the next tick stands in for it (never a false silence; see the class comment),
   * unless the stage had reported the host silent: then no sign of life came since the report, and
   * the one written with it is the true one (it only dates the slot for eviction).
   *
   * <p>Restore every slot and {@link TenantState} first, then {@link #restoreWatch} the watches.
   */
  public void restore(HostSlot slot) {
    Tenant t = tenant(slot.tenant());
    Slot s = slot(t, slot.host());
    s.silenceOwn = slot.silenceOwn();
    s.silenceExternal = slot.silenceExternal();
    s.answerPending = slot.answerPending();
    s.over = slot.over();
    s.overRelease = slot.overRelease();
    s.watchVersion = slot.watchVersion();
    s.lastSeen =
        slot.silenceOwn() && slot.lastSeenAt() != null ? slot.lastSeenAt().toEpochMilli() : UNKNOWN;
    if (s.wheel != null) {
      s.wheel.unlink(s);
    }
    index(t, s);
  }

  /** A tenant's state read back from the changelog (before its watch: see {@link #restore}). */
  public void restore(TenantState state) {
    Tenant t = tenant(state.tenant());
    t.version = state.watchVersion();
    t.versionRestored = true;
    t.evicted = state.evicted();
  }

  /**
   * A watch read back from its store, after the slots: it keeps the version its {@link TenantState}
   * names. Without one (a changelog written before versions were kept), no restored slot is taken
   * as computed against it: hosts over a ceiling are forwarded once more, as after a change of the
   * watch.
   */
  public void restoreWatch(HostWatch watch) {
    Tenant t = tenant(watch.tenant());
    t.set(watch);
    if (!t.versionRestored) {
      t.nextVersion();
      for (Slot s : t.hosts.values()) {
        s.watchVersion = STALE;
      }
    }
  }

  /** Hosts the stage keeps a slot for. */
  public long hosts() {
    long n = 0;
    for (Tenant t : tenants.values()) {
      n += t.hosts.size();
    }
    return n;
  }

  /** Slots linked into the tenant's wheels (for tests: each slot at most once). */
  int linked(String tenant) {
    Tenant t = tenants.get(tenant);
    return t == null ? 0 : t.live.size() + t.reported.size();
  }

  private Tenant tenant(String name) {
    Tenant t = tenants.get(name);
    if (t == null) {
      t = new Tenant(name);
      tenants.put(name, t);
      sorted.put(name, t);
    }
    return t;
  }

  private static Slot slot(Tenant t, String host) {
    Slot s = t.hosts.get(host);
    if (s == null) {
      s = new Slot(host);
      t.hosts.put(host, s);
    }
    return s;
  }
}
