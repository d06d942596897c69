package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.EngineContext.gated;

import dev.rolloutledger.domain.gate.AlphaSplit;
import dev.rolloutledger.domain.gate.Cohort;
import dev.rolloutledger.domain.gate.CohortCounts;
import dev.rolloutledger.domain.gate.CohortEvidence;
import dev.rolloutledger.domain.gate.FailureRateUpperBound;
import dev.rolloutledger.domain.gate.HardCap;
import dev.rolloutledger.domain.gate.Signal;
import java.time.Instant;
import java.util.Map;

/**
 * The gate: what halts a rollout and what holds a wave back. A failure adds to its signal's cohort
 * evidence (a halt once it crosses the signal's share of alpha); the failure fraction cap ({@link
 * HardCap}) halts a wave whose failing share is too high, unless a shock hits the baseline cohort
 * alike; a wave promotes once it is applied, baked, observed for a heartbeat timeout, approved if
 * asked, no shock is underway and its failure rate is shown under the plan's ceiling.
 */
final class Gate {

  static final int SHOCK_MIN_HOSTS = 3;
  static final double SHOCK_SHARE = 0.01;

  /** Cap evidence: silent hosts of the wave that are back, not counted by the cap. */
  static final String SILENT_BACK = "silentBack";

  private final EngineContext context;
  private final Dispatcher dispatcher;

  Gate(EngineContext context, Dispatcher dispatcher) {
    this.context = context;
    this.dispatcher = dispatcher;
  }

  /**
   * Adds one failure to the rollout's anytime-valid regression evidence for {@code signal}, and
   * halts when it reaches 1/alpha of the signal's share of the plan's alpha. theta0 is the updated
   * cohort's share of the rollout's hosts at risk at this moment (the failing host still counted at
   * risk): under "no regression" a failure is that likely to come from an updated host. With one
   * cohort empty a failure compares nothing; the caps judge it.
   */
  RolloutState observe(
      Step step, RolloutState rollout, Signal signal, Cohort cohort, String hostId) {
    FleetMembers members = context.fleet.members(rollout.tenant(), rollout.rollout());
    long updated = members.updatedAtRisk();
    long baseline = members.baselineAtRisk();
    rollout = record(rollout, signal, cohort, updated, baseline);
    return cohort == Cohort.UPDATED
        ? judge(step, rollout, signal, hostId, updated, baseline)
        : rollout;
  }

  /** Adds one failure to the signal's evidence, at the given cohorts at risk. */
  static RolloutState record(
      RolloutState rollout, Signal signal, Cohort cohort, long updated, long baseline) {
    if (updated == 0 || baseline == 0) {
      return rollout;
    }
    double share = (double) updated / (updated + baseline);
    return rollout.withEvidence(signal, rollout.evidence(signal).observeFailure(cohort, share));
  }

  /** Halts when the signal's evidence reached 1/alpha of its share of the plan's alpha. */
  RolloutState judge(
      Step step, RolloutState rollout, Signal signal, String hostId, long updated, long baseline) {
    CohortEvidence evidence = rollout.evidence(signal);
    double alpha = AlphaSplit.equal(rollout.plan().alpha()).alpha(signal);
    if (gated(rollout) && evidence.crossed(alpha)) {
      Map<String, String> detail =
          EvidenceFormat.regression(
              signal,
              hostId,
              evidence.summary(alpha, rollout.plan().toleratedRatio()),
              updated,
              baseline);
      String wave = rollout.plan().waves().get(rollout.currentWave()).name();
      rollout = dispatcher.halt(step, rollout, wave, RolloutEngine.REGRESSION, detail);
    }
    return rollout;
  }

  /**
   * Whether the failure fraction cap halts the rollout at {@code at} for wave {@code wave}: the
   * rollout is gated, the wave is the current one, its cap is exceeded and no shock explains it.
   *
   * <p>With {@link EngineConfig#silenceCountsWhileItLasts} the cap counts the wave's hosts failing
   * now: a host failing by silence that is back ({@link #silentAndBack}) is not counted. The shock
   * guard counts the baseline failing now (a baseline host that is back is healthy again), so the
   * updated cohort is counted alike; otherwise every host a shared shock silenced stays charged to
   * the release once the baseline has recovered, and the next background failure tips the cap
   * (docs/decision-quality.md, "The shock after it ends"). Crashes and metrics over limits still
   * count after the host is back: they are reports of a failure, which a sign of life does not
   * answer; a silence is the absence of news, which it does.
   */
  boolean failureCapHit(RolloutState rollout, int wave, Instant at) {
    if (!gated(rollout) || wave != rollout.currentWave()) {
      return false;
    }
    HardCap cap = rollout.plan().waves().get(wave).failureCap();
    WaveCounts counts = rollout.counts(wave);
    CohortCounts updated = new CohortCounts(counts.applied(), counts.failed());
    // the hosts and the baseline are walked only for a cap exceeded
    if (!cap.exceeded(updated)) {
      return false;
    }
    if (context.config.silenceCountsWhileItLasts() && counts.silent() > 0) {
      long back = silentAndBack(rollout, wave, at);
      updated = new CohortCounts(counts.applied(), counts.failed() - back);
      if (!cap.exceeded(updated)) {
        return false;
      }
    }
    return !cap.sharedShock(updated, baseline(rollout, at));
  }

  /**
   * Halts for the cap of {@code wave}: its counts and cap, plus the detector's {@code detail}; with
   * {@link EngineConfig#silenceCountsWhileItLasts}, also how many of its silent hosts are back and
   * were not counted ({@code silentBack}), when any are.
   */
  RolloutState haltByCap(
      Step step, RolloutState rollout, int wave, String reason, Map<String, String> detail) {
    WavePlan plan = rollout.plan().waves().get(wave);
    Map<String, String> evidence = EvidenceFormat.cap(plan, rollout.counts(wave));
    if (context.config.silenceCountsWhileItLasts() && rollout.counts(wave).silent() > 0) {
      long back = silentAndBack(rollout, wave, step.at);
      if (back > 0) {
        evidence.put(SILENT_BACK, Long.toString(back));
      }
    }
    evidence.putAll(detail);
    return dispatcher.halt(step, rollout, plan.name(), reason, evidence);
  }

  /**
   * Hosts of {@code wave} failing by silence that are back at {@code at}: a sign of life came after
   * the silence and no new silence has lasted a heartbeat timeout since. Under reported liveness
   * (every version 2 journal) that is: no detector report since the sign of life, or one whose last
   * sight is less than a timeout old; under heartbeats, a heartbeat within the timeout. Walks the
   * wave's hosts: asked only when the cap is exceeded and the wave has silent hosts.
   */
  long silentAndBack(RolloutState rollout, int wave, Instant at) {
    FleetMembers members = context.fleet.members(rollout.tenant(), rollout.rollout());
    Instant bound = at.minus(rollout.plan().heartbeatTimeout());
    long back = 0;
    for (String id : members.wave(rollout.plan().waves().get(wave).name())) {
      HostRecord host = context.fleet.assigned(rollout.tenant(), id);
      if (host.silent() && !silentSince(host, bound)) {
        back++;
      }
    }
    return back;
  }

  /** Its silence clock runs from a last sight before {@code bound}: silent for the timeout. */
  private static boolean silentSince(HostRecord host, Instant bound) {
    return host.silenceClockRuns() && host.lastSeenAt().isBefore(bound);
  }

  /**
   * The baseline cohort for the cap's shock guard: the rollout's hosts not yet updated, and those
   * failing now. A shock hits both cohorts alike (a region going dark), and the cap does not blame
   * the release for it. Baseline hosts quiet for more than half the heartbeat timeout count as
   * failing here: a shock silences both cohorts at once, but each host's silence is only certain a
   * timeout after its last heartbeat, which for the two cohorts falls up to a heartbeat interval
   * apart.
   */
  private CohortCounts baseline(RolloutState rollout, Instant at) {
    FleetMembers members = context.fleet.members(rollout.tenant(), rollout.rollout());
    long failing =
        members.baselineFailing()
            + members.quietBaseline(at, rollout.plan().heartbeatTimeout().dividedBy(2));
    return new CohortCounts(members.baselineHosts(), failing);
  }

  /**
   * Promotes while the rollout is ACTIVE, every host of its current (non-empty) wave applied and
   * the wave has baked for its plan's bake time, judged on the input's event time.
   */
  RolloutState promote(Step step, RolloutState rollout) {
    if (waveStillBaking(step.at, rollout)) {
      return rollout; // nothing to promote yet, whatever the policy says: the common case
    }
    if (rollout.inGraceAt(step.at)) {
      return rollout; // the system was down: no wave promotes before its hosts are heard again
    }
    if (!context.policy(rollout.tenant()).open(step.at)) {
      return rollout; // paused by the owner, or outside every maintenance window
    }
    while (rollout.status() == RolloutStatus.ACTIVE) {
      int index = rollout.currentWave();
      WaveCounts counts = rollout.counts(index);
      WavePlan plan = rollout.plan().waves().get(index);
      // a wave no host matched has nothing to observe: it passes at once (approval still holds it)
      boolean empty = counts.assigned() == 0;
      if (waveStillBaking(step.at, rollout)) {
        return rollout;
      }
      // every host observed for a heartbeat timeout after it applied: no silence verdict pending
      if (!empty
          && counts.lastAppliedAt() != null
          && step.at.isBefore(counts.lastAppliedAt().plus(rollout.plan().heartbeatTimeout()))) {
        return rollout;
      }
      if (plan.approval() && !rollout.approved(plan.name())) {
        return rollout;
      }
      if (!empty && shockUnderway(rollout)) {
        return rollout; // a shock hits hosts that were not updated: wait until it passes
      }
      if (plan.maxFailureRate() != null
          && FailureRateUpperBound.upperBound(
                  counts.applied(), counts.failed(), rollout.plan().alpha())
              >= plan.maxFailureRate()) {
        return rollout; // the wave has not yet shown, anytime-valid, that it stays under its
        // ceiling
      }
      Map<String, String> proven = EvidenceFormat.safety(rollout, plan, counts);
      rollout =
          step.append(
              rollout,
              (tenant, at, id, seq, prev) ->
                  new WavePromoted(tenant, at, id, seq, prev, counts.wave(), index, proven));
      if (index + 1 == rollout.plan().waves().size()) {
        rollout = step.append(rollout, RolloutCompleted::new);
        return rollout.withStatus(RolloutStatus.COMPLETED);
      }
      rollout = dispatcher.startWave(step, rollout.withCurrentWave(index + 1, step.at));
    }
    return rollout;
  }

  /**
   * True when the rollout's current wave cannot promote at {@code at} by its own counts: it has
   * hosts and not all of them applied or were recorded unreachable, or its bake has not passed.
   * {@link #promote} asks this for every wave it considers, and once before anything else (it runs
   * for every heartbeat): it reads no store and changes nothing, so asking it first changes no
   * decision.
   */
  private static boolean waveStillBaking(Instant at, RolloutState rollout) {
    if (rollout.status() != RolloutStatus.ACTIVE) {
      return false;
    }
    WaveCounts counts = rollout.counts(rollout.currentWave());
    if (counts.assigned() == 0) {
      return false;
    }
    // a host recorded unreachable is not waited for (journals of version 5 on)
    return counts.outstanding() > 0 || at.isBefore(rollout.bakePassesAt());
  }

  /**
   * A shock is underway: at least {@value #SHOCK_MIN_HOSTS} hosts and {@value #SHOCK_SHARE} of the
   * baseline cohort are failing on their previous release at once. Isolated background failures (a
   * host rebooting, a disk dying) do not hold promotion.
   */
  private boolean shockUnderway(RolloutState rollout) {
    FleetMembers members = context.fleet.members(rollout.tenant(), rollout.rollout());
    long failing = members.baselineFailing();
    return failing >= SHOCK_MIN_HOSTS && failing >= SHOCK_SHARE * members.baselineHosts();
  }
}
