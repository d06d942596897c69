package dev.rolloutledger.domain.sim;

import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.sim.Schedule.Event;
import dev.rolloutledger.domain.sim.Schedule.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The simulated fleet: each host's agent, by index. A host beats every {@code heartbeatInterval} at
 * its own phase, applies an Apply a second after it is sent (or when it is up again), fails as the
 * scenario's behaviour draws, and goes down for as long as any cause (a failure, a background
 * outage, a shock) keeps it down. Its telemetry goes to the {@link Stages}.
 *
 * <p>Heartbeats are thinned to the ones the host stage needs (see {@link Simulator}); with {@code
 * fleet.liveness: reported} a failure detector speaks for the hosts instead (ADR 0006).
 */
final class Hosts {
  private static final String OLD = "previous";
  private static final Map<String, Double> OVER_LIMITS = Map.of("cpu", 1.0, "errorRate", 1.0);
  private static final long NEVER = Long.MIN_VALUE / 2;

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
  private final boolean[] dispatched;
  private final boolean[] releaseFailure;
  private final boolean[] waitingToApply; // got Apply while down: applies when it is back

  // ---- reported liveness (ADR 0006) ----
  private final boolean reported;
  private final long detectorDelay;
  private final long[] upSince; // when the host last came up (0: up from the start)
  private final int[] downEpoch; // counts the host's outages: a report names the one it is for
  private final boolean[] silenceSent; // a HostSilent went out for the current outage
  private final boolean[] backPending; // a HostBack is due at the host's next beat
  private final List<TreeSet<Integer>> speaking; // by phase: hosts whose next beat reaches it

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
    this.dispatched = new boolean[n];
    this.releaseFailure = new boolean[n];
    this.waitingToApply = new boolean[n];
    this.reported = scenario.fleet().liveness() == Liveness.REPORTED;
    this.detectorDelay = scenario.fleet().detectorDelay().toSeconds();
    this.upSince = new long[reported ? n : 0];
    this.downEpoch = new int[reported ? n : 0];
    this.silenceSent = new boolean[reported ? n : 0];
    this.backPending = new boolean[reported ? n : 0];
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
    }
    this.byPhase = byPhase();
    this.speaking = new ArrayList<>();
    for (int p = 0; reported && p < interval; p++) {
      speaking.add(new TreeSet<>());
    }
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

  private static boolean matches(Map<String, String> selector, Map<String, String> hostLabels) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(hostLabels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  // ---- events ----

  /** The engine sent the host an Apply at second {@code s}: the agent applies a second later. */
  void applySent(String host, long s) {
    int i = indexOf.get(host);
    if (!dispatched[i]) {
      dispatched[i] = true;
      schedule.push(Math.max(s, 0) + 1, Kind.APPLY, i, 0);
    }
  }

  /** A host's event at second {@code s}. */
  void handle(Event e, long s) {
    int i = e.host();
    switch (e.kind()) {
      case APPLY -> apply(i, s);
      case FAIL_SILENT -> {
        tally.failed(s);
        goDown(i, e);
      }
      case FAIL_CRASH -> {
        tally.failed(s);
        if (down[i] == 0) {
          telemetry(
              new CrashReport(Simulator.TENANT, at(s), ids[i], release(i), "SIGSEGV", "crash"), s);
        }
        goDown(i, e);
      }
      case FAIL_OVER_LIMITS -> {
        tally.failed(s);
        overLimits[i] = true;
        if (reported) {
          speaking.get(phase[i]).add(i);
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
        goDown(i, e);
        schedule.push(s + scenario.behavior().backgroundOutage().toSeconds(), Kind.UP, i, 0);
      }
      case UP -> {
        up(i, s);
        long next = s + draws.exponentialSeconds(rate(i));
        if (!schedule.hasBackground(i) && next <= scenario.horizon().toSeconds()) {
          schedule.pushDown(next, Kind.BACKGROUND, i);
        }
      }
      case SHOCK_DOWN -> goDown(i, e);
      case SHOCK_END -> up(i, s);
      case REPORT_SILENT -> {
        if (down[i] > 0 && e.ref() == downEpoch[i]) {
          silenceSent[i] = true;
          telemetry(new HostSilent(Simulator.TENANT, at(s), ids[i], at(lastDelivered[i])), s);
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
    updated[i] = true;
    exposed[i] = true;
    tally.applied(s);
    lastDelivered[i] = s; // an apply is a sign of life to the host stage
    telemetry(
        new UpdateApplied(Simulator.TENANT, at(s), ids[i], scenario.release().id(), true, null), s);
    Scenario.Behavior b = scenario.behavior();
    if (b.regressionRatio() != 1.0 && b.backgroundFailurePerHostHour() > 0) {
      // the release changes the host's failure rate; by memorylessness its next background
      // failure can be drawn afresh at the new rate
      schedule.cancelBackground(i);
      long next = s + draws.exponentialSeconds(rate(i));
      if (next <= scenario.horizon().toSeconds()) {
        schedule.pushDown(next, Kind.BACKGROUND, i);
      }
    }
    if (draws.uniform() < b.failProbability()) {
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

  private void goDown(int i, Event e) {
    schedule.forgetDown(i, e.at());
    if (down[i] == 0 && reported) {
      reportDown(i, e.at());
    }
    down[i]++;
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

  // ---- heartbeats ----

  /** The heartbeats of second {@code s}. */
  void beats(long s, Instant now) {
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
              || schedule.nextDown(i) <= s + interval; // its last beat before going silent
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
        new Heartbeat(
            Simulator.TENANT, now, ids[i], release(i), overLimits[i] ? OVER_LIMITS : Map.of()),
        s);
  }

  /**
   * Reported liveness: of the hosts beating this second, only those the engine hears from: the
   * heartbeat of a host over limits (its metrics), or the detector's HostBack for a host it
   * reported silent.
   */
  private void reportedBeats(long s, Instant now) {
    TreeSet<Integer> due = speaking.get((int) (s % interval));
    if (due.isEmpty()) {
      return;
    }
    for (Iterator<Integer> it = due.iterator(); it.hasNext(); ) {
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
        telemetry(new HostBack(Simulator.TENANT, now, ids[i]), s);
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
      schedule.push(
          Math.max(s, lastDelivered[i] + detectorDelay), Kind.REPORT_SILENT, i, downEpoch[i]);
    }
  }

  /** The host is up again: if it was reported silent, the detector says so at its next beat. */
  private void reportUp(int i, long s) {
    upSince[i] = s;
    if (silenceSent[i]) {
      silenceSent[i] = false;
      backPending[i] = true;
      speaking.get(phase[i]).add(i);
    }
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
