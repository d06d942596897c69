package dev.rolloutledger.domain.sim;

import dev.rolloutledger.domain.Apply;
import dev.rolloutledger.domain.ApprovalGranted;
import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Decision;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostCommand;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InMemoryLedgerStore;
import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PolicySet;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RolloutCompleted;
import dev.rolloutledger.domain.RolloutEngine;
import dev.rolloutledger.domain.RolloutHalted;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.WavePromoted;
import dev.rolloutledger.domain.WaveStarted;
import dev.rolloutledger.domain.hoststage.HostStage;
import dev.rolloutledger.domain.hoststage.HostWatch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Drives what the server runs (ADR 0007) with a simulated fleet in virtual time, one second at a
 * time: a {@link HostStage} that absorbs the fleet's telemetry, and the real {@link RolloutEngine}
 * on the journal of its news ({@link EngineConfig#journalV4()}). Each second: scheduled events (an
 * agent applying a second after its Apply, failures, recoveries, shocks, approvals), then the
 * hosts' heartbeats, then a clock tick to the engine, then the host stage's silence reports found
 * at that tick, the order of the server's journal. Telemetry (heartbeats, applies, crash reports, a
 * detector's reports) goes to the host stage, and only what it forwards reaches the engine; the
 * listener hears the journal (what a rollout log of version 2 holds). A decision's {@link
 * Decision#continuations()} are journal inputs and are fed back at once; after every decision with
 * entries the host stage gets the watch of the gated rollouts, as the decision stage sends it.
 * Everything random comes from one {@link SplittableRandom} seeded by the scenario, in a fixed
 * order, so a scenario and seed give the same report byte for byte.
 *
 * <p>Heartbeats are most of the events, and almost all of them only tell the host stage "still
 * alive". It needs a host's exact last beat only when it would report the host silent, so the
 * simulator hands it a beat when the host's next one would come more than the stage's {@code
 * silenceAfter} after the last delivered, when it is the host's last before it goes silent, and
 * whenever it carries a metric or is the first without one after that; the stage then forwards
 * exactly what it would forward with every beat (tested). At 10 s beats and a 30 s timeout ({@code
 * silenceAfter} 14 s) that is every beat; it saves beats when they come at most half {@code
 * silenceAfter} apart. An absorbed beat costs the stage a map lookup, not an engine input.
 *
 * <p>With {@code fleet.liveness: reported} (ADR 0006) a failure detector speaks for the hosts
 * instead: a host that goes down is reported by a {@link HostSilent} {@code fleet.detectorDelay}
 * after its last sign of life (its last beat or its apply; not before it went down), naming that
 * moment, and by a {@link HostBack} at its first beat after it is up again; only the heartbeats of
 * hosts over limits (and the first after) still reach the host stage, which forwards them and the
 * reports. No second visits every host any more, so a week costs its events and its ticks, not
 * hosts x time. With a delay of at most the plan's heartbeat timeout the engine judges each silence
 * at the same second as from heartbeats.
 */
public final class Simulator {

  /** The tenant every simulation runs in. */
  public static final String TENANT = "sim";

  /** Publication time of the simulated release: the CrowdStrike update's, 2024-07-19 04:09 UTC. */
  public static final Instant T0 = Instant.parse("2024-07-19T04:09:00Z");

  /** The one rollout every simulation runs. */
  public static final String ROLLOUT = "sim-rollout";

  private static final String OLD = "previous";
  private static final String SHA = "0".repeat(64);
  private static final Map<String, Double> OVER_LIMITS = Map.of("cpu", 1.0, "errorRate", 1.0);

  /** What a simulation reports as it goes; every method is optional. */
  public interface Listener {
    /** An input the engine is about to apply, in log order. */
    default void input(LedgerInput input) {}

    /** What the engine decided for the last input. */
    default void decision(LedgerInput input, Decision decision) {}

    /** Virtual time advanced; called about once per simulated minute. */
    default void progress(Duration elapsed, Duration horizon) {}
  }

  private static final Listener QUIET = new Listener() {};

  // ---- per-host state, by index ----
  private final Scenario scenario;
  private final Plan plan;
  private final SplittableRandom random;
  private final InMemoryLedgerStore store = new InMemoryLedgerStore();
  private final RolloutEngine engine;
  private final HostStage stage = new HostStage();
  private final boolean everyHeartbeat; // deliver every beat to the host stage (tests)
  private final long silenceAfterMillis; // the host stage's silenceAfter under the plan
  private final Listener listener;
  private final int n;
  private final String[] ids;
  private final List<Map<String, String>> labels = new ArrayList<>();
  private final Map<String, Integer> indexOf = new HashMap<>();
  private final int interval;
  private final int[] phase;
  private int[][] byPhase; // host indices beating at each second of the interval, ascending
  private final long[] lastDelivered; // the host stage's last sign of life of the host, or NEVER
  private final boolean[] overDelivered; // the last beat the host stage got was over limits
  private final int[] down; // causes keeping the host silent right now
  private final boolean[] overLimits;
  private final boolean[] updated;
  private final boolean[] exposed;
  private final boolean[] dispatched;
  private final boolean[] releaseFailure;
  private final boolean[] waitingToApply; // got Apply while down: applies when it is back
  private final Map<Integer, PriorityQueue<Long>> pendingDowns = new HashMap<>();
  private final long[] nextDown; // the head of each host's pendingDowns, read at every beat
  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private final Map<Integer, Long> backgroundAt = new HashMap<>();
  private final int[] backgroundGeneration;
  private long order;
  private static final long NEVER = Long.MIN_VALUE / 2;

  // ---- reported liveness (ADR 0006) ----
  private final boolean reported;
  private final long detectorDelay;
  private final long[] upSince; // when the host last came up (0: up from the start)
  private final int[] downEpoch; // counts the host's outages: a report names the one it is for
  private final boolean[] silenceSent; // a HostSilent went out for the current outage
  private final boolean[] backPending; // a HostBack is due at the host's next beat
  private java.util.TreeSet<Integer>[] speaking; // hosts whose next beat reaches the engine

  // ---- outcome ----
  private int exposedCount;
  private Long firstApplyAt;
  private Long firstFailureAt;
  private final List<Integer> waveSizes = new ArrayList<>();
  private Long haltedAt;
  private Long completedAt;
  private RolloutHalted halt;
  private final List<String> promoted = new ArrayList<>();
  private long inputs;
  private long entries;

  private enum Kind {
    APPLY,
    FAIL_SILENT,
    FAIL_CRASH,
    FAIL_OVER_LIMITS,
    RECOVER_RELEASE,
    BACKGROUND,
    UP,
    SHOCK_DOWN,
    SHOCK_END,
    APPROVE,
    REPORT_SILENT
  }

  private record Event(long at, long order, Kind kind, int host, int ref)
      implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
    }
  }

  private Simulator(
      Scenario scenario, Listener listener, boolean everyHeartbeat, EngineConfig config) {
    this.scenario = scenario;
    this.plan = scenario.effectivePlan();
    this.random = new SplittableRandom(scenario.seed());
    this.engine = new RolloutEngine(store, config);
    this.everyHeartbeat = everyHeartbeat;
    Duration silenceAfter = HostWatch.of(TENANT, List.of(plan)).silenceAfter();
    this.silenceAfterMillis = silenceAfter == null ? Long.MAX_VALUE : silenceAfter.toMillis();
    this.listener = listener == null ? QUIET : listener;
    this.n = scenario.fleet().hosts();
    this.ids = new String[n];
    this.interval = (int) scenario.fleet().heartbeatInterval().toSeconds();
    this.phase = new int[n];
    this.lastDelivered = new long[n];
    this.overDelivered = new boolean[n];
    this.nextDown = new long[n];
    Arrays.fill(nextDown, Long.MAX_VALUE);
    this.down = new int[n];
    this.overLimits = new boolean[n];
    this.updated = new boolean[n];
    this.exposed = new boolean[n];
    this.dispatched = new boolean[n];
    this.releaseFailure = new boolean[n];
    this.waitingToApply = new boolean[n];
    this.backgroundGeneration = new int[n];
    this.reported = scenario.fleet().liveness() == Liveness.REPORTED;
    this.detectorDelay = scenario.fleet().detectorDelay().toSeconds();
    this.upSince = new long[reported ? n : 0];
    this.downEpoch = new int[reported ? n : 0];
    this.silenceSent = new boolean[reported ? n : 0];
    this.backPending = new boolean[reported ? n : 0];
  }

  /**
   * Runs a scenario to its end (HALT, completion or horizon) and reports, on the server's engine
   * configuration ({@link EngineConfig#journalV4()}).
   */
  public static SimulationReport run(Scenario scenario, Listener listener) {
    return run(scenario, listener, EngineConfig.defaults().journalV4());
  }

  /**
   * {@link #run(Scenario, Listener)} with the engine configured as {@code config} says, which must
   * absorb heartbeats ({@link EngineConfig#journalV2()} or a later journal's): to measure a journal
   * version's rules before the simulator's logs are written in it.
   */
  public static SimulationReport run(Scenario scenario, Listener listener, EngineConfig config) {
    if (!config.heartbeatsAbsorbed()) {
      throw new IllegalArgumentException("the simulator runs the host stage: heartbeats absorbed");
    }
    return new Simulator(scenario, listener, false, config).simulate();
  }

  /**
   * {@link #run(Scenario, Listener)} handing the host stage every heartbeat instead of the ones
   * that matter: the reference the thinning is tested against.
   */
  static SimulationReport runEveryHeartbeat(Scenario scenario, Listener listener) {
    return new Simulator(scenario, listener, true, EngineConfig.defaults().journalV4()).simulate();
  }

  public static SimulationReport run(Scenario scenario) {
    return run(scenario, QUIET);
  }

  /** {@link #run(Scenario, Listener, EngineConfig)} without a listener. */
  public static SimulationReport run(Scenario scenario, EngineConfig config) {
    return run(scenario, QUIET, config);
  }

  private SimulationReport simulate() {
    int width = Integer.toString(n - 1).length();
    for (int i = 0; i < n; i++) {
      ids[i] = hostId(i, width);
      indexOf.put(ids[i], i);
      Map<String, String> l = new TreeMap<>();
      for (Map.Entry<String, Map<String, Double>> label : scenario.fleet().labels().entrySet()) {
        l.put(label.getKey(), draw(label.getValue()));
      }
      labels.add(l);
      phase[i] = random.nextInt(interval);
      lastDelivered[i] = NEVER;
    }
    byPhase = byPhase();
    if (reported) {
      @SuppressWarnings("unchecked")
      java.util.TreeSet<Integer>[] sets = new java.util.TreeSet[interval];
      for (int p = 0; p < interval; p++) {
        sets[p] = new java.util.TreeSet<>();
      }
      speaking = sets;
    }
    Historical historical = historical();
    long horizon = scenario.horizon().toSeconds();
    scheduleBackground(horizon);
    scheduleShocks(horizon);
    for (int a = 0; a < scenario.approvals().size(); a++) {
      push(scenario.approvals().get(a).at().toSeconds(), Kind.APPROVE, -1, a);
    }

    Instant start = T0.minusSeconds(1);
    for (int i = 0; i < n; i++) {
      feed(new HostRegistered(TENANT, start, ids[i], labels.get(i)), -1);
    }
    if (scenario.policy() != null) {
      feed(new PolicySet(TENANT, start, scenario.policy()), -1);
    }
    feed(
        new ReleasePublished(
            TENANT,
            T0,
            scenario.release().id(),
            "agent",
            "2",
            SHA,
            "vendor",
            scenario.release().severity()),
        0);
    feed(new RolloutPlanned(TENANT, T0, ROLLOUT, scenario.release().id(), plan), 0);

    long lastProgress = 0;
    for (long s = 1; s <= horizon && haltedAt == null && completedAt == null; s++) {
      while (!queue.isEmpty() && queue.peek().at() <= s && haltedAt == null) {
        handle(queue.poll(), s);
      }
      beats(s, at(s));
      tick(s);
      if (s - lastProgress >= 60) {
        lastProgress = s;
        listener.progress(Duration.ofSeconds(s), scenario.horizon());
      }
    }
    listener.progress(scenario.horizon(), scenario.horizon());
    return report(horizon, historical);
  }

  // ---- the fleet ----

  /**
   * h0042: zero-padded, so ids sort as indexes do (by hand: String.format took a second at 100k).
   */
  private static String hostId(int i, int width) {
    String digits = Integer.toString(i);
    return "h" + "0".repeat(width - digits.length()) + digits;
  }

  /** Hosts beat at phase + k * interval: each second visits only the hosts of its phase. */
  private int[][] byPhase() {
    int[] sizes = new int[interval];
    for (int i = 0; i < n; i++) {
      sizes[phase[i]]++;
    }
    int[][] hosts = new int[interval][];
    for (int p = 0; p < interval; p++) {
      hosts[p] = new int[sizes[p]];
      sizes[p] = 0;
    }
    for (int i = 0; i < n; i++) {
      hosts[phase[i]][sizes[phase[i]]++] = i;
    }
    return hosts;
  }

  private void beats(long s, Instant now) {
    if (reported) {
      reportedBeats(s, now);
      return;
    }
    for (int i : byPhase[(int) (s % interval)]) {
      if (down[i] > 0) {
        continue;
      }
      boolean deliver =
          everyHeartbeat
              || overLimits[i]
              || overDelivered[i] // back under the limits: news
              || (s + interval - lastDelivered[i]) * 1000 > silenceAfterMillis
              || nextDown[i] <= s + interval; // its last beat before going silent
      if (deliver) {
        heartbeat(i, s, now);
      }
    }
  }

  /** The host's heartbeat at second {@code s}, to the host stage. */
  private void heartbeat(int i, long s, Instant now) {
    lastDelivered[i] = s;
    overDelivered[i] = overLimits[i];
    telemetry(
        new Heartbeat(TENANT, now, ids[i], release(i), overLimits[i] ? OVER_LIMITS : Map.of()), s);
  }

  /**
   * Reported liveness: of the hosts beating this second, only those the engine hears from: the
   * heartbeat of a host over limits (its metrics), or the detector's HostBack for a host it
   * reported silent.
   */
  private void reportedBeats(long s, Instant now) {
    java.util.TreeSet<Integer> due = speaking[(int) (s % interval)];
    if (due.isEmpty()) {
      return;
    }
    for (java.util.Iterator<Integer> it = due.iterator(); it.hasNext(); ) {
      int i = it.next();
      if (down[i] > 0) {
        continue;
      }
      if (overLimits[i] || overDelivered[i]) {
        backPending[i] = false; // a heartbeat is a sign of life too
        heartbeat(i, s, now);
      } else if (backPending[i]) {
        lastDelivered[i] = s;
        backPending[i] = false;
        telemetry(new HostBack(TENANT, now, ids[i]), s);
      }
      if (!overLimits[i]) {
        it.remove();
      }
    }
  }

  /** The host beats at phase + k * interval: its last beat before second {@code s}, or NEVER. */
  private long lastBeatBefore(int i, long s) {
    long t = s - 1 - Math.floorMod(s - 1 - phase[i], interval);
    return t >= Math.max(1, upSince[i]) ? t : NEVER;
  }

  /** The host goes down: the detector reports it once its delay after the last sign has passed. */
  private void reportDown(int i, long s) {
    lastDelivered[i] = Math.max(lastDelivered[i], lastBeatBefore(i, s));
    downEpoch[i]++;
    silenceSent[i] = false;
    backPending[i] = false;
    if (lastDelivered[i] != NEVER) { // never seen by the engine: nothing to judge from either way
      push(Math.max(s, lastDelivered[i] + detectorDelay), Kind.REPORT_SILENT, i, downEpoch[i]);
    }
  }

  /** The host is up again: if it was reported silent, the detector says so at its next beat. */
  private void reportUp(int i, long s) {
    upSince[i] = s;
    if (silenceSent[i]) {
      silenceSent[i] = false;
      backPending[i] = true;
      speaking[phase[i]].add(i);
    }
  }

  private void handle(Event e, long s) {
    int i = e.host();
    switch (e.kind()) {
      case APPLY -> apply(i, s);
      case FAIL_SILENT -> {
        firstFailure(s);
        goDown(i, e);
      }
      case FAIL_CRASH -> {
        firstFailure(s);
        if (down[i] == 0) {
          telemetry(new CrashReport(TENANT, at(s), ids[i], release(i), "SIGSEGV", "crash"), s);
        }
        goDown(i, e);
      }
      case FAIL_OVER_LIMITS -> {
        firstFailure(s);
        overLimits[i] = true;
        if (reported) {
          speaking[phase[i]].add(i);
        }
      }
      case RECOVER_RELEASE -> {
        overLimits[i] = false;
        up(i, s);
      }
      case BACKGROUND -> {
        if (e.ref() != backgroundGeneration[i]) {
          return; // drawn again since (the host applied the release)
        }
        backgroundAt.remove(i);
        // the same kinds of failure as the release's: silent, or a crash report and then silence
        if (down[i] == 0 && random.nextDouble() >= scenario.behavior().silentFraction()) {
          telemetry(new CrashReport(TENANT, at(s), ids[i], release(i), "SIGBUS", "background"), s);
        }
        goDown(i, e);
        push(s + scenario.behavior().backgroundOutage().toSeconds(), Kind.UP, i, 0);
      }
      case UP -> {
        up(i, s);
        long next = s + exponentialSeconds(rate(i));
        if (!backgroundAt.containsKey(i) && next <= scenario.horizon().toSeconds()) {
          pushDown(next, Kind.BACKGROUND, i);
        }
      }
      case SHOCK_DOWN -> goDown(i, e);
      case SHOCK_END -> up(i, s);
      case REPORT_SILENT -> {
        if (down[i] > 0 && e.ref() == downEpoch[i]) {
          silenceSent[i] = true;
          telemetry(new HostSilent(TENANT, at(s), ids[i], at(lastDelivered[i])), s);
        }
      }
      case APPROVE -> {
        Scenario.Approval a = scenario.approvals().get(e.ref());
        feed(new ApprovalGranted(TENANT, at(s), ROLLOUT, a.wave(), "simulated-approver"), s);
      }
    }
  }

  private void firstFailure(long s) {
    if (firstFailureAt == null) {
      firstFailureAt = s;
    }
  }

  private void apply(int i, long s) {
    if (down[i] > 0) {
      waitingToApply[i] = true; // the agent applies when the host is back
      return;
    }
    updated[i] = true;
    exposed[i] = true;
    exposedCount++;
    if (firstApplyAt == null) {
      firstApplyAt = s;
    }
    lastDelivered[i] = s; // an apply is a sign of life to the host stage
    telemetry(new UpdateApplied(TENANT, at(s), ids[i], scenario.release().id(), true, null), s);
    Scenario.Behavior b = scenario.behavior();
    if (b.regressionRatio() != 1.0 && b.backgroundFailurePerHostHour() > 0) {
      // the release changes the host's failure rate; by memorylessness its next background
      // failure can be drawn afresh at the new rate
      cancelBackground(i);
      long next = s + exponentialSeconds(rate(i));
      if (next <= scenario.horizon().toSeconds()) {
        pushDown(next, Kind.BACKGROUND, i);
      }
    }
    if (random.nextDouble() < b.failProbability()) {
      releaseFailure[i] = true;
      long when = s + Math.max(1, failDelaySeconds());
      double kind = random.nextDouble();
      if (kind < b.silentFraction()) {
        pushDown(when, Kind.FAIL_SILENT, i);
      } else if (kind < b.silentFraction() + b.hotFraction()) {
        push(when, Kind.FAIL_OVER_LIMITS, i, 0);
      } else {
        pushDown(when, Kind.FAIL_CRASH, i);
      }
      if (b.recoverAfter() != null) {
        push(when + b.recoverAfter().toSeconds(), Kind.RECOVER_RELEASE, i, 0);
      }
    }
  }

  private double rate(int i) {
    double base = scenario.behavior().backgroundFailurePerHostHour();
    return updated[i] ? base * scenario.behavior().regressionRatio() : base;
  }

  /** Forgets the host's pending background failure (it is drawn again). */
  private void cancelBackground(int i) {
    Long at = backgroundAt.remove(i);
    if (at != null) {
      backgroundGeneration[i]++;
      forgetDown(i, at);
    }
  }

  private void goDown(int i, Event e) {
    forgetDown(i, e.at());
    if (down[i] == 0 && reported) {
      reportDown(i, e.at());
    }
    down[i]++;
  }

  private void forgetDown(int i, long at) {
    PriorityQueue<Long> pending = pendingDowns.get(i);
    if (pending != null) {
      pending.remove(at);
      if (pending.isEmpty()) {
        pendingDowns.remove(i);
      }
    }
    nextDown[i] = pending == null || pending.isEmpty() ? Long.MAX_VALUE : pending.peek();
  }

  private void up(int i, long s) {
    if (down[i] > 0) {
      down[i]--;
      if (down[i] == 0 && reported) {
        reportUp(i, s);
      }
    }
    if (down[i] == 0 && waitingToApply[i]) {
      waitingToApply[i] = false;
      apply(i, s);
    }
  }

  /** Who a shock silences is drawn up front, so each victim's last beat reaches the engine. */
  private void scheduleShocks(long horizon) {
    List<Scenario.Shock> shocks = scenario.behavior().shocks();
    for (Scenario.Shock shock : shocks) {
      long at = Math.max(1, shock.at().toSeconds());
      if (at > horizon) {
        continue;
      }
      long end = at + shock.duration().toSeconds();
      for (int i = 0; i < n; i++) {
        if (matches(shock.selector(), labels.get(i)) && random.nextDouble() < shock.fraction()) {
          pushDown(at, Kind.SHOCK_DOWN, i);
          push(end, Kind.SHOCK_END, i, 0);
        }
      }
    }
  }

  private void scheduleBackground(long horizon) {
    double rate = scenario.behavior().backgroundFailurePerHostHour();
    if (rate <= 0) {
      return;
    }
    for (int i = 0; i < n; i++) {
      long at = 1 + exponentialSeconds(rate);
      if (at <= horizon) {
        pushDown(at, Kind.BACKGROUND, i);
      }
    }
  }

  // ---- the two stages ----

  /** Telemetry goes to the host stage; what it forwards goes on to the engine. */
  private void telemetry(LedgerInput input, long s) {
    for (LedgerInput news : stage.absorb(input).news()) {
      feed(news, s);
    }
  }

  /**
   * A clock tick: to the engine first, then the host stage's silence reports of that tick, the
   * order of the server's journal (the ticker writes the tick, the host stage reports on reading
   * it).
   */
  private void tick(long s) {
    feed(new ClockTick(TENANT, at(s)), s);
    for (HostSilent report : stage.tick(at(s))) {
      feed(report, s);
    }
  }

  /**
   * An input of the journal to the engine (and the listener). Its continuations are journal inputs
   * too, fed at once; a decision with entries may change the host stage's watch.
   */
  private void feed(LedgerInput input, long s) {
    listener.input(input);
    inputs++;
    Decision d = engine.apply(input);
    listener.decision(input, d);
    if (!d.entries().isEmpty()) { // the gated rollouts may have changed
      stage.watch(HostWatch.ofGated(TENANT, store.rollouts(TENANT)));
    }
    for (LedgerEntry entry : d.entries()) {
      entries++;
      if (entry instanceof RolloutHalted h && haltedAt == null) {
        haltedAt = Math.max(s, 0);
        halt = h;
      } else if (entry instanceof WaveStarted w) {
        waveSizes.add(w.hosts().size());
      } else if (entry instanceof WavePromoted p) {
        promoted.add(p.wave());
      } else if (entry instanceof RolloutCompleted) {
        completedAt = Math.max(s, 0);
      }
    }
    for (HostCommand c : d.commands()) {
      if (c instanceof Apply a) {
        int i = indexOf.get(a.host());
        if (!dispatched[i]) {
          dispatched[i] = true;
          push(Math.max(s, 0) + 1, Kind.APPLY, i, 0); // the agent applies a second later
        }
      }
    }
    for (LedgerInput next : d.continuations()) {
      feed(next, s);
    }
  }

  // ---- randomness and bookkeeping ----

  private String draw(Map<String, Double> shares) {
    double u = random.nextDouble();
    String last = null;
    for (Map.Entry<String, Double> share : shares.entrySet()) {
      last = share.getKey();
      u -= share.getValue();
      if (u < 0) {
        return last;
      }
    }
    return last;
  }

  /** Lognormal by median and p95: ln X ~ N(ln median, (ln p95 - ln median) / 1.645). */
  private long failDelaySeconds() {
    Scenario.Behavior b = scenario.behavior();
    double median = Math.max(1, b.failDelayMedian().toMillis()) / 1000.0;
    double p95 = Math.max(median, b.failDelayP95().toMillis() / 1000.0);
    double sigma = Math.log(p95 / median) / 1.6448536269514722;
    return Math.round(median * Math.exp(sigma * gaussian()));
  }

  private double gaussian() {
    // Box-Muller from two uniforms: no hidden state, so the draw order stays explicit
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  private long exponentialSeconds(double perHour) {
    if (perHour <= 0) {
      return Long.MAX_VALUE / 4;
    }
    double hours = -Math.log(1.0 - random.nextDouble()) / perHour;
    return (long) Math.min(Long.MAX_VALUE / 4.0, Math.ceil(hours * 3600));
  }

  private void push(long at, Kind kind, int host, int ref) {
    queue.add(new Event(at, order++, kind, host, ref));
  }

  private void pushDown(long at, Kind kind, int host) {
    int ref = 0;
    if (kind == Kind.BACKGROUND) {
      backgroundAt.put(host, at);
      ref = backgroundGeneration[host];
    }
    pendingDowns.computeIfAbsent(host, k -> new PriorityQueue<>()).add(at);
    nextDown[host] = Math.min(nextDown[host], at);
    push(at, kind, host, ref);
  }

  private String release(int i) {
    return updated[i] ? scenario.release().id() : OLD;
  }

  private static boolean matches(Map<String, String> selector, Map<String, String> hostLabels) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(hostLabels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static Instant at(long s) {
    return T0.plusSeconds(s);
  }

  /** What all-at-once propagation did: every host applied, each failed with failProbability. */
  private record Historical(int exposedHosts, int failedHosts) {}

  private Historical historical() {
    if (scenario.historical() == null) {
      return null;
    }
    // its own stream, split off before anything else draws, so it does not shift the simulation
    SplittableRandom h = random.split();
    int failed = 0;
    for (int i = 0; i < n; i++) {
      if (h.nextDouble() < scenario.behavior().failProbability()) {
        failed++;
      }
    }
    return new Historical(n, failed);
  }

  /**
   * The plan's own minimum time for the waves as they were filled: every bake, plus the minutes its
   * pacing needs to dispatch each wave.
   */
  private Duration planMinimum() {
    Plan effective = plan.forSeverity(scenario.release().severity());
    Duration total = Duration.ZERO;
    for (int w = 0; w < effective.waves().size() && w < waveSizes.size(); w++) {
      if (waveSizes.get(w) == 0) {
        continue; // a wave without hosts promotes at once: it has nothing to bake
      }
      long minutes =
          (waveSizes.get(w) + effective.maxDispatchPerMinute() - 1L)
              / effective.maxDispatchPerMinute();
      total =
          total
              .plus(effective.waves().get(w).bake())
              .plus(
                  Duration.ofMinutes(
                      Math.max(0, minutes - 1))); // the first minute's budget goes out at once
    }
    return total;
  }

  private SimulationReport report(long horizon, Historical historical) {
    String signal = halt == null ? null : SimulationReport.signalOf(halt);
    long end = haltedAt != null ? haltedAt : completedAt != null ? completedAt : horizon;
    int failedExposed = 0;
    for (int i = 0; i < n; i++) {
      if (exposed[i] && releaseFailure[i]) {
        failedExposed++;
      }
    }
    return new SimulationReport(
        scenario.name(),
        scenario.seed(),
        n,
        halt != null,
        halt == null ? null : halt.wave(),
        signal,
        halt == null ? null : halt.reason(),
        waveSizes.isEmpty() ? 0 : waveSizes.get(0),
        exposedCount,
        failedExposed,
        firstApplyAt == null ? null : Duration.ofSeconds(firstApplyAt),
        firstFailureAt == null ? null : Duration.ofSeconds(firstFailureAt),
        haltedAt == null || firstApplyAt == null
            ? null
            : Duration.ofSeconds(haltedAt - firstApplyAt),
        List.copyOf(promoted),
        completedAt != null,
        Duration.ofSeconds(end),
        completedAt == null ? null : planMinimum(),
        historical == null ? null : historical.exposedHosts(),
        historical == null ? null : historical.failedHosts(),
        inputs,
        entries);
  }
}
