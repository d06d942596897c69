package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.EngineContext.gated;
import static dev.rolloutledger.domain.EngineContext.sortedRollouts;

import dev.rolloutledger.domain.gate.Cohort;
import dev.rolloutledger.domain.gate.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The signal detectors: a failed apply or a crash report ({@link Signal#CRASH}), a heartbeat with
 * metrics over the plan's limits ({@link Signal#METRICS}), a host that went silent ({@link
 * Signal#SILENCE}). Each counts a failing host once, adds it to its signal's evidence and asks the
 * {@link Gate}; the inputs also carry event time and signs of life, so a wave may promote.
 */
final class Detectors {

  private final EngineContext context;
  private final Dispatcher dispatcher;
  private final Gate gate;

  Detectors(EngineContext context, Dispatcher dispatcher, Gate gate) {
    this.context = context;
    this.dispatcher = dispatcher;
    this.gate = gate;
  }

  /** An apply's outcome or a crash report; {@code crashed}: a crash or a failed apply. */
  Decision onOutcome(String tenant, Instant at, String hostId, String release, boolean crashed) {
    HostRecord host = context.host(tenant, hostId).orElse(null);
    if (host == null) {
      return heardBeforeRegistration(tenant, hostId, at);
    }
    RolloutState rollout =
        host.rollout() == null ? null : context.store.rollout(tenant, host.rollout()).orElse(null);
    if (context.config.reachability()) {
      HostRecord heard = heard(host, rollout, at, crashed ? null : release);
      if (host.unreachable() && rollout != null && rollout.release().equals(release)) {
        // its outcome shows an Apply reached it, whatever the rollout's state: counted as sent
        // and no longer unreachable, so that its outcome counts below
        heard = heard.reachableAgain().markedDispatched();
        context.fleet.put(heard);
        int wave = rollout.plan().indexOf(host.wave());
        rollout = cameBack(host, rollout);
        rollout = rollout.withCounts(wave, rollout.counts(wave).plusDispatched(1));
        context.store.putRollout(rollout);
      } else if (heard.unreachable() != host.unreachable()) {
        rollout = cameBack(host, rollout); // back: its Apply goes out at the next dispatch
        context.store.putRollout(rollout);
      }
      host = heard;
    }
    if (rollout == null) {
      return Decision.none();
    }
    if (!rollout.release().equals(release)) {
      // a crash of a host not yet updated: the baseline cohort's failure, the yardstick
      boolean baselineCrash = crashed && !host.applied() && !host.baselineFailing();
      if (!baselineCrash || !gated(rollout)) {
        return Decision.none();
      }
      Step step = context.step(tenant, at);
      rollout = gate.observe(step, rollout, Signal.CRASH, Cohort.BASELINE, hostId);
      context.fleet.put(host.withBaselineFailing(true));
      context.store.putRollout(rollout);
      return step.decision();
    }
    int newlyApplied = host.applied() ? 0 : 1;
    // a host already failing by another signal (silent, over limits) is not counted twice
    int newlyCrashed = crashed && !host.failing() ? 1 : 0;
    boolean silenceAnswered = crashed && reportsAfterSilence(host);
    if (newlyApplied == 0 && newlyCrashed == 0 && !silenceAnswered) {
      return onTick(at, host, rollout); // nothing new to count, but time has moved
    }
    Step step = context.step(tenant, at);
    if (newlyCrashed == 1 && gated(rollout)) {
      // a crash report of an updated host (a failed apply has no baseline: the cap judges it)
      rollout = gate.observe(step, rollout, Signal.CRASH, Cohort.UPDATED, hostId);
    }
    HostRecord after = host.appliedWith(crashed).seenAt(at).withBaselineFailing(false);
    context.fleet.put(silenceAnswered ? after.failingFrom(Signal.CRASH) : after);
    int wave = rollout.plan().indexOf(host.wave());
    WaveCounts counts =
        rollout.counts(wave).plus(0, newlyApplied).plusFailed(Signal.CRASH, newlyCrashed);
    if (silenceAnswered) {
      counts = counts.plusFailed(Signal.SILENCE, -1).plusFailed(Signal.CRASH, 1);
    }
    if (newlyApplied == 1) {
      counts = counts.appliedAt(at);
    }
    rollout = rollout.withCounts(wave, counts);

    // PAUSED too: a pause stops dispatch, it must not mask a bad release.
    if (gate.failureCapHit(rollout, wave, at)) {
      rollout =
          gate.haltByCap(
              step, rollout, wave, RolloutEngine.FAILURE_FRACTION_CAP, Map.of("host", hostId));
    } else {
      rollout = gate.promote(step, rollout);
    }
    context.store.putRollout(rollout);
    return step.decision();
  }

  /**
   * A heartbeat: a metric over the plan's limits makes an applied, alive host fail by {@link
   * Signal#METRICS} (over limits).
   */
  Decision onHeartbeat(Heartbeat e) {
    // the most frequent input: no Optional, no map made unless a metric is over its limit
    HostRecord host =
        context.config.reachability()
            ? context.host(e.tenant(), e.host()).orElse(null)
            : context.boundHost(e.tenant(), e.host());
    if (host == null) {
      return heardBeforeRegistration(e.tenant(), e.host(), e.at());
    }
    RolloutState rollout =
        host.rollout() == null
            ? null
            : context.store.rollout(e.tenant(), host.rollout()).orElse(null);
    if (context.config.reachability()) {
      HostRecord heard = heard(host, rollout, e.at(), e.release());
      if (heard.unreachable() != host.unreachable()) {
        // back while its rollout still watches: sent the Apply now, judged like any other host
        Step step = context.step(e.tenant(), e.at());
        RolloutState back = dispatcher.dispatch(step, cameBack(host, rollout));
        context.store.putRollout(back);
        return step.decision();
      }
      if (heard.rollout() == null) {
        return Decision.none();
      }
      host = heard;
    }
    if (rollout == null || !gated(rollout) || host.failing() && !reportsAfterSilence(host)) {
      return onTick(e.at(), host, rollout);
    }
    Map<String, String> over = overLimits(rollout.plan().limits(), e.metrics());
    if (!host.applied()) {
      return onBaselineHeartbeat(e, host, rollout, !over.isEmpty());
    }
    if (over.isEmpty() || !rollout.release().equals(e.release())) {
      return onTick(e.at(), host, rollout);
    }
    Step step = context.step(e.tenant(), e.at());
    int wave = rollout.plan().indexOf(host.wave());
    WaveCounts counts = rollout.counts(wave);
    if (host.failing()) {
      // back from a silence, over limits: counted by metrics from now on, not observed again
      counts = counts.plusFailed(Signal.SILENCE, -1);
    } else {
      rollout = gate.observe(step, rollout, Signal.METRICS, Cohort.UPDATED, e.host());
    }
    context.fleet.put(host.seenAt(e.at()).failingFrom(Signal.METRICS));
    rollout = rollout.withCounts(wave, counts.plusFailed(Signal.METRICS, 1));
    if (gate.failureCapHit(rollout, wave, e.at())) {
      Map<String, String> detail = new TreeMap<>();
      detail.put("host", e.host());
      over.forEach((metric, value) -> detail.put("metric." + metric, value));
      rollout = gate.haltByCap(step, rollout, wave, RolloutEngine.METRICS, detail);
    }
    context.store.putRollout(rollout);
    return step.decision();
  }

  /**
   * The host fails by silence and the failure fraction cap counts a silence only while it lasts
   * ({@link EngineConfig#silenceCountsWhileItLasts}): a crash report or a heartbeat over the plan's
   * limits from it then makes it fail by that signal instead. A report of a failure is not answered
   * by the sign of life it carries, so the cap keeps counting the host; its evidence already holds
   * its silence, and a host's failure is observed once.
   */
  private boolean reportsAfterSilence(HostRecord host) {
    return host.silent() && context.config.silenceCountsWhileItLasts();
  }

  /** The detector sees the host again: a sign of life, as a heartbeat without metrics is. */
  Decision onHostBack(HostBack e) {
    return onHeartbeat(new Heartbeat(e.tenant(), e.at(), e.host(), null, Map.of()));
  }

  /**
   * A failure detector reports a host silent: under a plan whose liveness is reported, the host's
   * silence clock runs from the later of the detector's last sight and the engine's (a clock tick
   * gives the verdict, as for a host that stopped heartbeating). Ignored for a host that is not
   * bound to a rollout or whose plan judges silence from heartbeats. It changes state only: it
   * carries no sign of life, so it neither answers an earlier report nor moves a bake.
   */
  Decision onHostSilent(HostSilent e) {
    HostRecord host = context.boundHost(e.tenant(), e.host());
    if (context.config.reachability()) {
      // whoever reports it, a host silent now cannot be reached: bound to a rollout or not
      HostRecord known = host != null ? host : context.host(e.tenant(), e.host()).orElse(null);
      if (known != null) {
        HostRecord offline = known.withContact(known.contact().silentSince(e.lastSeenAt()));
        if (offline != known) {
          context.fleet.put(offline);
        }
        host = offline.rollout() == null ? null : offline;
      }
    }
    if (host == null) {
      return Decision.none();
    }
    if (context.config.heartbeatsAbsorbed()) {
      // each detector is believed for the plans it serves: the host stage for heartbeats plans,
      // the fleet's own detector for reported plans (ADR 0007)
      RolloutState rollout = context.store.rollout(e.tenant(), host.rollout()).orElse(null);
      if (rollout == null || e.detector() != detectorOf(rollout.plan().liveness())) {
        return Decision.none();
      }
    } else if (e.detector() != Detector.EXTERNAL) {
      return Decision.none();
    }
    HostRecord reported = host.silenceReported(e.lastSeenAt());
    if (reported != host) {
      context.fleet.put(reported);
    }
    return Decision.none();
  }

  private static Detector detectorOf(Liveness liveness) {
    return liveness == Liveness.REPORTED ? Detector.EXTERNAL : Detector.HOST_STAGE;
  }

  /** The heartbeat's metrics over the plan's limits, by metric: "value>limit". */
  private static Map<String, String> overLimits(
      Map<String, Double> limits, Map<String, Double> metrics) {
    if (metrics.isEmpty()) {
      return Map.of();
    }
    Map<String, String> over = new TreeMap<>();
    for (Map.Entry<String, Double> limit : limits.entrySet()) {
      Double value = metrics.get(limit.getKey());
      if (value != null && value > limit.getValue()) {
        over.put(limit.getKey(), EvidenceFormat.overLimit(value, limit.getValue()));
      }
    }
    return over;
  }

  /**
   * A heartbeat of a host not yet updated: the baseline cohort. It is seen (so its silence can be
   * judged), it recovers from an earlier failure, or it is over limits on its previous release.
   */
  private Decision onBaselineHeartbeat(
      Heartbeat e, HostRecord host, RolloutState rollout, boolean overLimits) {
    HostRecord seen = host.seenAt(e.at());
    if (!overLimits) {
      HostRecord recovered = seen.withBaselineFailing(false);
      context.fleet.put(recovered);
      return onTick(e.at(), recovered, rollout);
    }
    if (host.baselineFailing()) {
      context.fleet.put(seen);
      return Decision.none();
    }
    Step step = context.step(e.tenant(), e.at());
    rollout = gate.observe(step, rollout, Signal.METRICS, Cohort.BASELINE, e.host());
    context.fleet.put(seen.withBaselineFailing(true));
    context.store.putRollout(rollout);
    return step.decision();
  }

  /**
   * An input from a host of an ACTIVE rollout carries event time: promote the current wave if its
   * bake has now passed and every host applied. {@code host} is the host's stored record, bound to
   * {@code rollout} (the stored rollout, or null if there is none); the caller has read both.
   */
  private Decision onTick(Instant at, HostRecord host, RolloutState rollout) {
    if (host.applied() && (host.lastSeenAt() == null || at.isAfter(host.lastSeenAt()))) {
      // a sign of life: silence is judged from here (a host already judged silent stays counted)
      context.fleet.put(host.seenAt(at));
    }
    if (rollout == null || rollout.status() != RolloutStatus.ACTIVE) {
      return Decision.none();
    }
    Step step = context.step(host.tenant(), at);
    RolloutState promoted = gate.promote(step, rollout);
    if (promoted != rollout) {
      context.store.putRollout(promoted);
    }
    return step.decision();
  }

  /**
   * Time passed for a tenant: hosts that applied and then stayed silent past the heartbeat timeout
   * count as failed (a crashing host rarely reports its crash), the gate is checked, and waves
   * whose bake has passed may promote.
   */
  Decision onClock(ClockTick e) {
    Step step = context.step(e.tenant(), e.at());
    for (RolloutState rollout : sortedRollouts(context.store.rollouts(e.tenant()))) {
      if (rollout.status() != RolloutStatus.ACTIVE && rollout.status() != RolloutStatus.PAUSED) {
        continue;
      }
      RolloutState updated = context.config.outageGrace() ? followClock(step, rollout) : rollout;
      if (!updated.inGraceAt(step.at)) {
        // hosts found unreachable by the silence verdicts or by expired Applies may pause it
        updated =
            dispatcher.pauseIfUnreachable(
                step, updated, dispatcher.expire(step, silence(step, updated)));
      }
      updated = gate.promote(step, dispatcher.dispatch(step, updated));
      if (!updated.equals(rollout)) {
        context.store.putRollout(updated);
      }
    }
    return step.decision();
  }

  /**
   * The tick moves the rollout's recorded clock on. A gap since its last tick longer than a third
   * of the plan's heartbeat timeout is the system's own outage ({@link RolloutClock}): it is
   * recorded in the ledger, and a grace of one heartbeat timeout starts, in which hosts are judged
   * from their first sign of life after the outage.
   */
  private RolloutState followClock(Step step, RolloutState rollout) {
    RolloutClock clock = rollout.clock();
    if (clock == null) {
      // a rollout that was ACTIVE before the engine followed the clock: from now on
      return rollout.withClock(RolloutClock.startedAt(step.at));
    }
    Duration timeout = rollout.plan().heartbeatTimeout();
    if (!clock.outageAt(step.at, timeout)) {
      return rollout.withClock(clock.tickedAt(step.at));
    }
    RolloutClock after = clock.afterOutage(step.at, timeout, rollout.waveStartedAt());
    Instant from = clock.lastTick();
    Duration bakeExtendedBy = after.unobserved().minus(clock.unobserved());
    return step.append(
            rollout,
            (tenant, at, id, seq, prev) ->
                new OutageRecorded(
                    tenant, at, id, seq, prev, from, after.graceUntil(), bakeExtendedBy))
        .withClock(after);
  }

  /** The silence verdicts of one gated rollout at the step's time, and the gate on them. */
  private RolloutState silence(Step step, RolloutState rollout) {
    String tenant = rollout.tenant();
    RolloutState updated = rollout;
    List<String> newlySilent = new ArrayList<>();
    Duration timeout = rollout.plan().heartbeatTimeout();
    FleetMembers members = context.fleet.members(tenant, rollout.rollout());
    // Hosts found silent at one tick failed at the same moment as far as anyone can tell: they
    // are one batch, weighed at the cohorts at risk before it and judged after it, so the order
    // in which they are listed (by host id, which may follow the waves) cannot tip the evidence.
    long updatedAtRisk = members.updatedAtRisk();
    long baselineAtRisk = members.baselineAtRisk();
    String lastUpdated = null;
    for (HostRecord host : context.records(rollout, members.dueAt(step.at, timeout))) {
      if (host.silentAt(step.at, timeout)) {
        if (gated(updated)) {
          updated =
              Gate.record(updated, Signal.SILENCE, Cohort.UPDATED, updatedAtRisk, baselineAtRisk);
          lastUpdated = host.host();
        }
        context.fleet.put(
            context.host(tenant, host.host()).orElseThrow().failingFrom(Signal.SILENCE));
        int wave = rollout.plan().indexOf(host.wave());
        updated = updated.withCounts(wave, updated.counts(wave).plusFailed(Signal.SILENCE, 1));
        newlySilent.add(host.host());
      } else if (context.config.reachability() && host.silentBeforeReportAt(step.at, timeout)) {
        int wave = rollout.plan().indexOf(host.wave());
        HostRecord stored = context.host(tenant, host.host()).orElseThrow();
        if (host.lastSeenAt().plus(timeout).isBefore(host.delivery().sentAt())) {
          // already past its timeout when the Apply went out (the report came late): never
          // reached, so not a verdict on the release
          context.fleet.put(stored.markedUnreachable());
          WaveCounts counts = updated.counts(wave);
          updated = updated.withCounts(wave, counts.plusDispatched(-1).plusUnreachable(1));
          continue;
        }
        // alive when its Apply was sent, silent before it reported: as if it applied and died
        if (gated(updated)) {
          updated =
              Gate.record(updated, Signal.SILENCE, Cohort.UPDATED, updatedAtRisk, baselineAtRisk);
          lastUpdated = host.host();
        }
        context.fleet.put(stored.appliedWith(false).failingFrom(Signal.SILENCE));
        updated =
            updated.withCounts(wave, updated.counts(wave).plus(0, 1).plusFailed(Signal.SILENCE, 1));
        newlySilent.add(host.host());
      } else if (host.baselineSilentAt(step.at, timeout)) {
        if (gated(updated)) {
          updated =
              Gate.record(updated, Signal.SILENCE, Cohort.BASELINE, updatedAtRisk, baselineAtRisk);
        }
        context.fleet.put(
            context.host(tenant, host.host()).orElseThrow().withBaselineFailing(true));
      }
    }
    if (lastUpdated != null) {
      updated =
          gate.judge(step, updated, Signal.SILENCE, lastUpdated, updatedAtRisk, baselineAtRisk);
    }
    if (!newlySilent.isEmpty() && gate.failureCapHit(updated, updated.currentWave(), step.at)) {
      Map<String, String> detail = new TreeMap<>();
      detail.put("newlySilent", String.join(",", newlySilent));
      detail.put("heartbeatTimeout", updated.plan().heartbeatTimeout().toString());
      updated = gate.haltByCap(step, updated, updated.currentWave(), RolloutEngine.SILENCE, detail);
    }
    return updated;
  }

  /**
   * What the engine heard from a host, when it follows reachability: a sign of life at {@code at}
   * and the release it reports (null: none). A host recorded unreachable in a rollout whose gate
   * still watches is waiting for its Apply again. Stored when it changed.
   */
  private HostRecord heard(HostRecord host, RolloutState rollout, Instant at, String release) {
    HostRecord after = host.withContact(host.contact().heardAt(at).reporting(release));
    if (after.unreachable() && rollout != null && gated(rollout)) {
      after = after.reachableAgain();
    }
    if (after != host) {
      context.fleet.put(after);
    }
    return after;
  }

  /**
   * {@code host}, recorded unreachable in {@code rollout}, came back: its wave counts it no more.
   */
  private static RolloutState cameBack(HostRecord host, RolloutState rollout) {
    int wave = rollout.plan().indexOf(host.wave());
    return rollout.withCounts(wave, rollout.counts(wave).plusUnreachable(-1));
  }

  /**
   * A sign of life from a host nobody registered, when the engine follows reachability: kept, so
   * that the host can be reached once its owner registers it (the host stage forwards a host's
   * first heartbeat once). It is not in the fleet until then ({@link HostLifecycle#UNREGISTERED}).
   */
  private Decision heardBeforeRegistration(String tenant, String hostId, Instant at) {
    if (context.config.reachability()) {
      context.fleet.put(HostRecord.heardBeforeRegistration(tenant, hostId, at));
    }
    return Decision.none();
  }
}
