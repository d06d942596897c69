package dev.rolloutledger.domain.sim;

import dev.rolloutledger.domain.Apply;
import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.sim.Schedule.Event;
import dev.rolloutledger.domain.sim.Schedule.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated fleet: each host's agent, by index. A host beats every {@code heartbeatInterval} at
 * its own phase, applies an Apply a second after it is sent (or, if it is down then, when it is up
 * again and the Apply has not expired), fails as the scenario's behaviour draws (some die applying,
 * before their report), and goes down for as long as any cause (offline from the start, a failure,
 * a background outage, a shock) keeps it down. Its telemetry goes to the {@link Stages}.
 *
 * <p>Heartbeats are thinned to the ones the host stage needs (see {@link Simulator}); with {@code
 * fleet.liveness: reported} a failure detector speaks for the hosts instead (ADR 0006).
 */
final class Hosts {
  private static final String OLD = "previous";
  private static final Map<String, Double> OVER_LIMITS = Map.of("cpu", 1.0, "errorRate", 1.0);
  static final long NEVER = Long.MIN_VALUE / 2;

  private final Scenario scenario;
  private final Draws draws;
  private final Schedule schedule;
  private final Stages stages;
  private final Tally tally;
  private final boolean everyHeartbeat; // deliver every beat to the host stage (tests)
  private final long silenceAfterMillis; // the host stage's silenceAfter under the plan
  private final int n;
  private final String[] ids;
  private final List<Map<String, String>> labels = new ArrayList<>();
  private final Map<String, Integer> indexOf = new HashMap<>();
  private final int interval;
  private final int[] phase;
  private final int[][] byPhase; // host indices beating at each second of the interval, ascending
  private final long[] lastDelivered; // the host stage's last sign of life of the host, or NEVER
  private final boolean[] overDelivered; // the last beat the host stage got was over limits
  private final int[] down; // causes keeping the host silent right now
  private final boolean[] overLimits;
  private final boolean[] updated;
  private final boolean[] exposed;
  private final long[] applyExpires; // the second the Apply the host holds expires, or NEVER
  private final boolean[] releaseFailure;
  private final boolean[] waitingToApply; // got Apply while down: applies when it is back
  private boolean[] diesAtApply; // with behavior.diesBeforeReport: would die applying, if it fails

  private final FailureDetector detector; // with fleet.liveness reported, else null

  /** Draws each host's labels and phase, in host order. */
  Hosts(
      Scenario scenario,
      Draws draws,
      Schedule schedule,
      Stages stages,
      Tally tally,
      boolean everyHeartbeat,
      long silenceAfterMillis) {
    this.scenario = scenario;
    this.draws = draws;
    this.schedule = schedule;
    this.stages = stages;
    this.tally = tally;
    this.everyHeartbeat = everyHeartbeat;
    this.silenceAfterMillis = silenceAfterMillis;
    this.n = scenario.fleet().hosts();
    this.ids = new String[n];
    this.interval = (int) scenario.fleet().heartbeatInterval().toSeconds();
    this.phase = new int[n];
    this.lastDelivered = new long[n];
    this.overDelivered = new boolean[n];
    this.down = new int[n];
    this.overLimits = new boolean[n];
    this.updated = new boolean[n];
    this.exposed = new boolean[n];
    this.applyExpires = new long[n];
    this.releaseFailure = new boolean[n];
    this.waitingToApply = new boolean[n];
    int width = Integer.toString(n - 1).length();
    for (int i = 0; i < n; i++) {
      ids[i] = hostId(i, width);
      indexOf.put(ids[i], i);
      Map<String, String> l = new TreeMap<>();
      for (Map.Entry<String, Map<String, Double>> label : scenario.fleet().labels().entrySet()) {
        l.put(label.getKey(), draws.share(label.getValue()));
      }
      labels.add(l);
      phase[i] = draws.below(interval);
      lastDelivered[i] = NEVER;
      applyExpires[i] = NEVER;
    }
    this.byPhase = byPhase();
    this.detector =
        scenario.fleet().liveness() == Liveness.REPORTED
            ? new FailureDetector(
                this, schedule, stages, interval, scenario.fleet().detectorDelay().toSeconds())
            : null;
  }

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

  int size() {
    return n;
  }

  /** Every host registers with its labels at {@code at}, before publication. */
  void register(Instant at) {
    for (int i = 0; i < n; i++) {
      stages.feed(new HostRegistered(Simulator.TENANT, at, ids[i], labels.get(i)), -1);
    }
  }

  /**
   * A fleet was beating long before the release: under heartbeats, each host that is not offline
   * sends its last beat up to publication (at its phase, at most a heartbeat interval before), so
   * an engine that follows reachability has seen it when it dispatches at publication.
   */
  void beatBeforePublication() {
    if (detector != null) {
      return; // the detector reports hosts that go down; none has yet
    }
    for (int p = 1; p <= interval; p++) { // phase 0 beats at publication, before it is fed
      for (int i : byPhase[p % interval]) {
        if (down[i] == 0) {
          heartbeat(i, p - interval, at(p - interval));
        }
      }
    }
  }

  /** Exposed hosts that fail because of the release (now or later). */
  int failedExposed() {
    int failed = 0;
    for (int i = 0; i < n; i++) {
      if (exposed[i] && releaseFailure[i]) {
        failed++;
      }
    }
    return failed;
  }

  // ---- what is drawn up front ----

  /** Who a shock silences is drawn up front, so each victim's last beat reaches the engine. */
  void scheduleShocks(long horizon) {
    for (Scenario.Shock shock : scenario.behavior().shocks()) {
      long at = Math.max(1, shock.at().toSeconds());
      if (at > horizon) {
        continue;
      }
      long end = at + shock.duration().toSeconds();
      for (int i = 0; i < n; i++) {
        if (matches(shock.selector(), labels.get(i)) && draws.uniform() < shock.fraction()) {
          schedule.pushDown(at, Kind.SHOCK_DOWN, i);
          schedule.push(end, Kind.SHOCK_END, i, 0);
        }
      }
    }
  }

  void scheduleBackground(long horizon) {
    double rate = scenario.behavior().backgroundFailurePerHostHour();
    if (rate <= 0) {
      return;
    }
    for (int i = 0; i < n; i++) {
      long at = 1 + draws.exponentialSeconds(rate);
      if (at <= horizon) {
        schedule.pushDown(at, Kind.BACKGROUND, i);
      }
    }
  }

  /**
   * {@code fleet.offline}: exactly its share of the hosts, chosen by the seed, is down from the
   * start, never seen (so a failure detector has nothing to report either); each comes back at its
   * drawn delay, if within the horizon.
   */
  void scheduleOffline(long horizon) {
    Scenario.Offline offline = scenario.fleet().offline();
    int off = offline == null ? 0 : offline.of(n);
    int[] chosen = new int[off];
    Map<Integer, Integer> moved = new HashMap<>(); // a partial Fisher-Yates shuffle, sparse
    for (int j = 0; j < off; j++) {
      int r = j + draws.below(n - j);
      chosen[j] = moved.getOrDefault(r, r);
      moved.put(r, moved.getOrDefault(j, j));
    }
    for (int i : chosen) {
      down[i]++; // offline: a cause that only coming back ends
      if (offline.comesBack()) {
        long back = Math.max(1, draws.lognormalSeconds(offline.backMedian(), offline.backP95()));
        if (back <= horizon) {
          schedule.push(back, Kind.BACK_ONLINE, i, 0);
        }
      }
    }
  }

  /**
   * {@code behavior.diesBeforeReport}: which hosts would die applying the release if it fails them,
   * drawn up front so that their last heartbeat before it reaches the host stage.
   */
  void drawDeathsAtApply() {
    double share = scenario.behavior().diesBeforeReport();
    if (share <= 0) {
      return;
    }
    diesAtApply = new boolean[n];
    for (int i = 0; i < n; i++) {
      diesAtApply[i] = draws.uniform() < share;
    }
  }

  private static boolean matches(Map<String, String> selector, Map<String, String> hostLabels) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(hostLabels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  // ---- events ----

  /**
   * The engine sent the host an Apply at second {@code s}: the agent takes it a second later, and
   * applies it then, or when it is up again if the Apply has not expired by then. An Apply for a
   * host that applied already, or that holds one still valid, changes nothing.
   */
  void applySent(Apply apply, long s) {
    int i = indexOf.get(apply.host());
    if (updated[i] || applyExpires[i] != NEVER && applyExpires[i] >= s) {
      return;
    }
    applyExpires[i] = apply.expiresAt().getEpochSecond() - Simulator.T0.getEpochSecond();
    schedule.push(Math.max(s, 0) + 1, Kind.APPLY, i, 0);
  }

  /** A host's event at second {@code s}. */
  void handle(Event e, long s) {
    int i = e.host();
    switch (e.kind()) {
      case APPLY -> apply(i, s);
      case FAIL_SILENT -> {
        tally.failed(s);
        goDown(i, e.at());
      }
      case FAIL_CRASH -> {
        tally.failed(s);
        if (down[i] == 0) {
          telemetry(
              new CrashReport(Simulator.TENANT, at(s), ids[i], release(i), "SIGSEGV", "crash"), s);
        }
        goDown(i, e.at());
      }
      case FAIL_OVER_LIMITS -> {
        tally.failed(s);
        overLimits[i] = true;
        if (detector != null) {
          detector.speaks(i);
        }
      }
      case RECOVER_RELEASE -> {
        overLimits[i] = false;
        up(i, s);
      }
      case BACKGROUND -> {
        if (!schedule.currentBackground(e)) {
          return; // drawn again since (the host applied the release)
        }
        schedule.backgroundDone(i);
        // the same kinds of failure as the release's: silent, or a crash report and then silence
        if (down[i] == 0 && draws.uniform() >= scenario.behavior().silentFraction()) {
          telemetry(
              new CrashReport(Simulator.TENANT, at(s), ids[i], release(i), "SIGBUS", "background"),
              s);
        }
        goDown(i, e.at());
        schedule.push(s + scenario.behavior().backgroundOutage().toSeconds(), Kind.UP, i, 0);
      }
      case UP -> {
        up(i, s);
        long next = s + draws.exponentialSeconds(rate(i));
        if (!schedule.hasBackground(i) && next <= scenario.horizon().toSeconds()) {
          schedule.pushDown(next, Kind.BACKGROUND, i);
        }
      }
      case SHOCK_DOWN -> goDown(i, e.at());
      case SHOCK_END -> up(i, s);
      case REPORT_SILENT -> detector.report(e, s);
      case BACK_ONLINE -> {
        up(i, s);
        if (detector != null && down[i] == 0) {
          detector.firstSeen(i);
        }
      }
      case APPROVE -> throw new IllegalArgumentException("an approval is no host's event");
    }
  }

  private void apply(int i, long s) {
    if (down[i] > 0) {
      waitingToApply[i] = true; // the agent applies when the host is back
      return;
    }
    Scenario.Behavior b = scenario.behavior();
    boolean drawnFirst = diesAtApply != null && diesAtApply[i];
    boolean fails = drawnFirst && draws.uniform() < b.failProbability();
    updated[i] = true;
    exposed[i] = true;
    tally.applied(s);
    if (fails) { // it dies applying: the host stage never hears of it again
      releaseFailure[i] = true;
      tally.failed(s);
      goDown(i, s); // for good: nothing brings it up
      return;
    }
    lastDelivered[i] = s; // an apply is a sign of life to the host stage
    telemetry(
        new UpdateApplied(Simulator.TENANT, at(s), ids[i], scenario.release().id(), true, null), s);
    if (b.regressionRatio() != 1.0 && b.backgroundFailurePerHostHour() > 0) {
      // the release changes the host's failure rate; by memorylessness its next background
      // failure can be drawn afresh at the new rate
      schedule.cancelBackground(i);
      long next = s + draws.exponentialSeconds(rate(i));
      if (next <= scenario.horizon().toSeconds()) {
        schedule.pushDown(next, Kind.BACKGROUND, i);
      }
    }
    if (drawnFirst ? fails : draws.uniform() < b.failProbability()) {
      releaseFailure[i] = true;
      long when = s + Math.max(1, draws.lognormalSeconds(b.failDelayMedian(), b.failDelayP95()));
      double kind = draws.uniform();
      if (kind < b.silentFraction()) {
        schedule.pushDown(when, Kind.FAIL_SILENT, i);
      } else if (kind < b.silentFraction() + b.hotFraction()) {
        schedule.push(when, Kind.FAIL_OVER_LIMITS, i, 0);
      } else {
        schedule.pushDown(when, Kind.FAIL_CRASH, i);
      }
      if (b.recoverAfter() != null) {
        schedule.push(when + b.recoverAfter().toSeconds(), Kind.RECOVER_RELEASE, i, 0);
      }
    }
  }

  private double rate(int i) {
    double base = scenario.behavior().backgroundFailurePerHostHour();
    return updated[i] ? base * scenario.behavior().regressionRatio() : base;
  }

  /** The host goes down at {@code at}, as scheduled or not. */
  private void goDown(int i, long at) {
    schedule.forgetDown(i, at);
    if (down[i] == 0 && detector != null) {
      detector.down(i, at);
    }
    down[i]++;
  }

  private void up(int i, long s) {
    if (down[i] > 0) {
      down[i]--;
      if (down[i] == 0 && detector != null) {
        detector.up(i, s);
      }
    }
    if (down[i] == 0 && waitingToApply[i]) {
      waitingToApply[i] = false;
      if (s <= applyExpires[i]) {
        apply(i, s);
      } else {
        applyExpires[i] = NEVER; // expired while the host was down: it waits for another
      }
    }
  }

  // ---- heartbeats ----

  /** The heartbeats of second {@code s}. */
  void beats(long s, Instant now) {
    if (detector != null) {
      detector.beats(s, now);
      return;
    }
    for (int i : byPhase[(int) (s % interval)]) {
      if (down[i] > 0) {
        continue;
      }
      boolean deliver =
          everyHeartbeat
              || overLimits[i]
              || diesAtApply != null && diesAtApply[i] && !updated[i] // its last could be now
              || overDelivered[i] // back under the limits: news
              || lastDelivered[i] == NEVER // its first beat: (s - NEVER) * 1000 overflows
              || (s + interval - lastDelivered[i]) * 1000 > silenceAfterMillis
              || schedule.nextDown(i) <= s + interval; // its last beat before going silent
      if (deliver) {
        heartbeat(i, s, now);
      }
    }
  }

  /** The host's heartbeat at second {@code s}, to the host stage. */
  void heartbeat(int i, long s, Instant now) {
    lastDelivered[i] = s;
    overDelivered[i] = overLimits[i];
    telemetry(
        new Heartbeat(
            Simulator.TENANT, now, ids[i], release(i), overLimits[i] ? OVER_LIMITS : Map.of()),
        s);
  }

  // ---- what the failure detector reads ----

  String id(int i) {
    return ids[i];
  }

  int phase(int i) {
    return phase[i];
  }

  boolean isDown(int i) {
    return down[i] > 0;
  }

  boolean overLimits(int i) {
    return overLimits[i];
  }

  /** The last beat the host stage got was over limits. */
  boolean overDelivered(int i) {
    return overDelivered[i];
  }

  /** The host stage's last sign of life of the host, or {@link #NEVER}. */
  long lastDelivered(int i) {
    return lastDelivered[i];
  }

  /** The host stage had a sign of life of the host at second {@code s}. */
  void delivered(int i, long s) {
    lastDelivered[i] = s;
  }

  // ---- helpers ----

  private void telemetry(dev.rolloutledger.domain.LedgerInput input, long s) {
    stages.telemetry(input, s);
  }

  private String release(int i) {
    return updated[i] ? scenario.release().id() : OLD;
  }

  private static Instant at(long s) {
    return Simulator.T0.plusSeconds(s);
  }
}
