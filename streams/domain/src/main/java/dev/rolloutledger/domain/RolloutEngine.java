package dev.rolloutledger.domain;

import dev.rolloutledger.domain.gate.AlphaSplit;
import dev.rolloutledger.domain.gate.Cohort;
import dev.rolloutledger.domain.gate.CohortEvidence;
import dev.rolloutledger.domain.gate.EvidenceSummary;
import dev.rolloutledger.domain.gate.FailureRateUpperBound;
import dev.rolloutledger.domain.gate.Signal;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The decision core: applies one {@link LedgerInput} to the {@link LedgerStore} and says what to
 * publish. Deterministic: the result depends only on the store contents and the input (no clock, no
 * randomness, no hash-order iteration), so replaying a log reproduces every decision.
 *
 * <p>First slice:
 *
 * <ul>
 *   <li>Planning assigns the tenant's free hosts (unassigned, or bound to a HALTED/COMPLETED
 *       rollout) in host-id order to the first wave with a matching selector and room, then starts
 *       wave 0. A plan for an unpublished release or a used rollout id is rejected.
 *   <li>A host that registers later joins the first ACTIVE rollout (by rollout id) with a matching
 *       wave that has room, and gets Apply if that wave has started. A {@code percent} wave has
 *       room while it holds less than its share of the newcomer plus the rollout's matching hosts
 *       in that and later waves.
 *   <li>Each host counts once as applied and once as crashed; a failed apply or a crash counts as
 *       both. The crash gate of the host's wave (see {@link WavePlan}) halts an ACTIVE or PAUSED
 *       rollout: RolloutHalted, then Hold to every host of the rollout.
 *   <li>An ACTIVE rollout promotes once every host of its current, non-empty wave applied and the
 *       wave's bake time has passed in event time (checked on every input from one of its hosts,
 *       heartbeats included); a wave no host matched passes at once (its approval, if asked for,
 *       still holds it); after the last wave it completes.
 *   <li>A HALTED rollout never promotes or dispatches again unless a person resumes it (the ledger
 *       records a HaltLifted entry first).
 *   <li>Heartbeats move event time (bake), are signs of life and carry metrics (hot hosts).
 *   <li>Silence is judged from heartbeats, or, under a plan whose {@link Liveness} is reported,
 *       from a failure detector's {@link HostSilent} and {@link HostBack} (ADR 0006): the same
 *       verdict at the same moment, without a heartbeat per host per timeout.
 *   <li>A wave whose plan asks for approval promotes only once an ApprovalGranted names it (an
 *       approval may come before the wave starts).
 * </ul>
 *
 * <p>Not thread-safe; one engine per store, inputs of a tenant one at a time in log order.
 */
public final class RolloutEngine {

  public static final String CRASH_CAP = "crash fraction cap";
  public static final String MANUAL_HALT = "manual halt";

  /** The halt reason of a rollback an operator asked for. */
  public static final String ROLLBACK = "rollback";

  public static final String SILENCE = "silent hosts";
  public static final String METRICS = "metrics over limits";
  public static final String REGRESSION = "regression evidence";
  public static final String REFUSED = "refused by the owner's policy";

  static final int SHOCK_MIN_HOSTS = 3;
  static final double SHOCK_SHARE = 0.01;

  private static final Comparator<HostRecord> BY_HOST = Comparator.comparing(HostRecord::host);

  private final LedgerStore store;
  private final EngineConfig config;
  private final FleetIndex fleet;
  private final Map<String, OwnerPolicy> noPolicies = new HashMap<>();

  public RolloutEngine(LedgerStore store, EngineConfig config) {
    this.store = Checks.present("store", store);
    this.config = Checks.present("config", config);
    this.fleet = new FleetIndex(store);
  }

  /** True when the engine's derived index agrees with the store (for tests and replay checks). */
  public boolean indexMatchesStore(String tenant) {
    return fleet.matches(tenant);
  }

  public Decision apply(LedgerInput input) {
    Checks.present("input", input);
    if (input instanceof HostRegistered e) {
      return onHostRegistered(e);
    } else if (input instanceof ReleasePublished e) {
      return onReleasePublished(e);
    } else if (input instanceof RolloutPlanned e) {
      return onRolloutPlanned(e);
    } else if (input instanceof UpdateApplied e) {
      // A failed apply is a failure of the release, so it counts against the gate like a crash.
      return onOutcome(e.tenant(), e.at(), e.host(), e.release(), !e.ok());
    } else if (input instanceof CrashReport e) {
      return onOutcome(e.tenant(), e.at(), e.host(), e.release(), true);
    } else if (input instanceof RolloutPaused e) {
      return onPaused(e);
    } else if (input instanceof RolloutResumed e) {
      return onResumed(e);
    } else if (input instanceof ManualHalt e) {
      return onManualHalt(e);
    } else if (input instanceof RollbackRequested e) {
      return onRollback(e);
    } else if (input instanceof Heartbeat e) {
      // A sign of life (silence is judged from it), health metrics (hot hosts), and event time
      // moving on (a wave whose bake has passed may promote).
      return onHeartbeat(e);
    } else if (input instanceof HostSilent e) {
      return onHostSilent(e);
    } else if (input instanceof HostBack e) {
      // the detector sees the host again: a sign of life, as a heartbeat without metrics is
      return onHeartbeat(new Heartbeat(e.tenant(), e.at(), e.host(), null, Map.of()));
    } else if (input instanceof ApprovalGranted e) {
      return onApproval(e);
    } else if (input instanceof ClockTick e) {
      return onClock(e);
    } else if (input instanceof PolicySet e) {
      store.putPolicy(e.policy());
      // what the new policy allows (a window opening, a pause lifted) may happen at once
      return onClock(new ClockTick(e.tenant(), e.at()));
    }
    throw new IllegalArgumentException("unknown input type " + input.getClass().getName());
  }

  private Decision onHostRegistered(HostRegistered e) {
    HostRecord host =
        store
            .host(e.tenant(), e.host())
            .map(h -> h.withLabels(e.labels()))
            .orElseGet(() -> HostRecord.registered(e.tenant(), e.host(), e.labels()));
    if (isFree(host)) {
      for (RolloutState rollout : sortedRollouts(store.rollouts(e.tenant()))) {
        if (rollout.status() != RolloutStatus.ACTIVE) {
          continue;
        }
        int wave = waveWithRoom(rollout, host);
        if (wave >= 0) {
          return joinLate(e, host, rollout, wave);
        }
      }
    }
    fleet.put(host);
    return Decision.none();
  }

  private Decision joinLate(HostRegistered e, HostRecord host, RolloutState rollout, int wave) {
    host =
        host.assignedTo(
            rollout.rollout(),
            rollout.plan().waves().get(wave).name(),
            config.livenessOf(rollout.plan()));
    fleet.put(host);
    rollout = rollout.withCounts(wave, rollout.counts(wave).plus(1, 0, 0));
    Step step = new Step(e.tenant(), e.at());
    if (wave <= rollout.currentWave()) {
      rollout = dispatch(step, rollout);
    }
    store.putRollout(rollout);
    return step.decision();
  }

  /** The first wave whose selector matches the host and that has room for one more, or -1. */
  private int waveWithRoom(RolloutState rollout, HostRecord host) {
    List<WavePlan> waves = rollout.plan().waves();
    for (int i = 0; i < waves.size(); i++) {
      WavePlan wave = waves.get(i);
      if (!wave.matches(host.labels())) {
        continue;
      }
      long assigned = rollout.counts(i).assigned();
      long eligible = assigned + 1;
      if (wave.percent() != null) {
        // The share is of the hosts the wave could have taken: the newcomer plus this rollout's
        // matching hosts in this or later waves, as if all of them had been there at planning.
        final int index = i;
        eligible =
            1
                + assignedTo(rollout).stream()
                    .filter(h -> rollout.plan().indexOf(h.wave()) >= index)
                    .filter(h -> wave.matches(h.labels()))
                    .count();
      }
      if (assigned < wave.capacity(eligible)) {
        return i;
      }
    }
    return -1;
  }

  private Decision onReleasePublished(ReleasePublished e) {
    var existing = store.release(e.tenant(), e.release());
    if (existing.isPresent()) {
      // A release id names one artifact forever; the ledger and agents rely on its digest.
      return existing.get().sameContentAs(e)
          ? Decision.none()
          : reject(e, "release:" + e.release(), "release already published with other content");
    }
    ReleaseInfo release = ReleaseInfo.of(e);
    store.putRelease(release);
    // rollouts planned before their release arrived start now, in rollout-id order
    Step step = new Step(e.tenant(), e.at());
    for (RolloutState r : sortedRollouts(store.rollouts(e.tenant()))) {
      if (r.status() != RolloutStatus.PENDING || !r.release().equals(e.release())) {
        continue;
      }
      String refusal = policy(e.tenant()).refusal(release);
      if (refusal != null) {
        String wave = r.plan().waves().get(0).name();
        store.putRollout(halt(step, r, wave, REFUSED, Map.of("refusal", refusal)));
      } else {
        store.putRollout(activate(step, r, release));
      }
    }
    return step.decision();
  }

  private Decision onRolloutPlanned(RolloutPlanned e) {
    String tenant = e.tenant();
    if (store.rollout(tenant, e.rollout()).isPresent()) {
      return reject(e, "rollout:" + e.rollout(), "rollout id already used");
    }
    List<WaveCounts> empty =
        e.plan().waves().stream().map(w -> WaveCounts.empty(w.name())).toList();
    RolloutState pending =
        new RolloutState(
            tenant,
            e.rollout(),
            e.release(),
            e.plan(),
            RolloutStatus.PENDING,
            0,
            empty,
            0,
            LedgerHash.GENESIS,
            e.at(),
            e.at());
    ReleaseInfo release = store.release(tenant, e.release()).orElse(null);
    if (release == null) {
      // Agents must verify what they install, so nothing moves before the digest is known; the
      // release may simply arrive later (another topic): the rollout waits for it.
      store.putRollout(pending);
      return Decision.none();
    }
    String refusal = policy(tenant).refusal(release);
    if (refusal != null) {
      return reject(e, "release:" + e.release(), refusal);
    }
    Step step = new Step(tenant, e.at());
    store.putRollout(activate(step, pending, release));
    return step.decision();
  }

  /**
   * Starts a planned rollout whose release is known: assigns the tenant's free hosts (sorted by id)
   * to waves and starts wave 0. An emergency takes the same waves with compressed bakes.
   */
  private RolloutState activate(Step step, RolloutState pending, ReleaseInfo release) {
    String tenant = pending.tenant();
    Plan plan = pending.plan().forSeverity(release.severity());
    List<HostRecord> available = new ArrayList<>();
    for (HostRecord h : sortedHosts(store.hosts(tenant))) {
      if (isFree(h)) {
        available.add(h);
      }
    }
    // by position in `available`: no hashing of a million host ids per wave
    boolean[] taken = new boolean[available.size()];
    List<HostRecord> assigned = new ArrayList<>();
    List<WaveCounts> counts = new ArrayList<>();
    List<Integer> matching = new ArrayList<>();
    for (WavePlan wave : plan.waves()) {
      matching.clear();
      for (int i = 0; i < available.size(); i++) {
        if (!taken[i] && wave.matches(available.get(i).labels())) {
          matching.add(i);
        }
      }
      int members = (int) wave.capacity(matching.size());
      for (int m = 0; m < members; m++) {
        int i = matching.get(m);
        taken[i] = true;
        assigned.add(
            available.get(i).assignedTo(pending.rollout(), wave.name(), config.livenessOf(plan)));
      }
      counts.add(new WaveCounts(wave.name(), members, 0, 0));
    }
    fleet.putAll(tenant, assigned);
    RolloutState rollout =
        new RolloutState(
            tenant,
            pending.rollout(),
            pending.release(),
            plan,
            RolloutStatus.ACTIVE,
            0,
            counts,
            pending.seq(),
            pending.lastHash(),
            pending.plannedAt(),
            step.at,
            pending.approvals());
    // an empty first wave passes at once
    return promote(step, startWave(step, rollout));
  }

  private Decision onOutcome(
      String tenant, Instant at, String hostId, String release, boolean crashed) {
    HostRecord host = host(tenant, hostId).orElse(null);
    if (host == null || host.rollout() == null) {
      return Decision.none();
    }
    RolloutState rollout = store.rollout(tenant, host.rollout()).orElse(null);
    if (rollout == null) {
      return Decision.none();
    }
    if (!rollout.release().equals(release)) {
      // a crash of a host not yet updated: the baseline cohort's failure, the yardstick
      boolean baselineCrash = crashed && !host.applied() && !host.baselineFailing();
      if (!baselineCrash || !gated(rollout)) {
        return Decision.none();
      }
      Step step = new Step(tenant, at);
      rollout = observe(step, rollout, Signal.CRASH, Cohort.BASELINE, hostId);
      fleet.put(host.withBaselineFailing(true));
      store.putRollout(rollout);
      return step.decision();
    }
    int newlyApplied = host.applied() ? 0 : 1;
    // a host already failing by another signal (silent, hot) is not counted twice
    int newlyCrashed = crashed && !host.failing() ? 1 : 0;
    if (newlyApplied == 0 && newlyCrashed == 0) {
      return onTick(at, host, rollout); // nothing new to count, but time has moved
    }
    Step step = new Step(tenant, at);
    if (newlyCrashed == 1 && gated(rollout)) {
      // a crash report of an updated host (a failed apply has no baseline: the cap judges it)
      rollout = observe(step, rollout, Signal.CRASH, Cohort.UPDATED, hostId);
    }
    fleet.put(
        host.withOutcome(true, host.crashed() || crashed).seenAt(at).withBaselineFailing(false));
    int wave = rollout.plan().indexOf(host.wave());
    WaveCounts counts = rollout.counts(wave).plus(0, newlyApplied, newlyCrashed);
    if (newlyApplied == 1) {
      counts = counts.appliedAt(at);
    }
    rollout = rollout.withCounts(wave, counts);

    WavePlan plan = rollout.plan().waves().get(wave);
    // PAUSED too: a pause stops dispatch, it must not mask a bad release.
    boolean gated = gated(rollout);
    if (gated
        && wave == rollout.currentWave()
        && crashCapExceeded(plan, counts)
        && !shock(rollout, counts, at)) {
      Map<String, String> evidence = evidence(plan, counts);
      evidence.put("host", hostId);
      rollout = halt(step, rollout, plan.name(), CRASH_CAP, evidence);
    } else {
      rollout = promote(step, rollout);
    }
    store.putRollout(rollout);
    return step.decision();
  }

  /** The host's record if it is known and was ever assigned to a rollout, else null. */
  private HostRecord boundHost(String tenant, String hostId) {
    HostRecord host = fleet.assigned(tenant, hostId);
    if (host == null) {
      host = store.host(tenant, hostId).orElse(null);
    }
    return host == null || host.rollout() == null ? null : host;
  }

  /** A heartbeat: a metric over the plan's limits makes an applied, alive host fail (hot). */
  private Decision onHeartbeat(Heartbeat e) {
    // the most frequent input: no Optional, no map made unless a metric is over its limit
    HostRecord host = boundHost(e.tenant(), e.host());
    if (host == null) {
      return Decision.none();
    }
    RolloutState rollout = store.rollout(e.tenant(), host.rollout()).orElse(null);
    if (rollout == null || !gated(rollout) || host.failing()) {
      return onTick(e.at(), host, rollout);
    }
    Map<String, String> over = overLimits(rollout.plan().limits(), e.metrics());
    if (!host.applied()) {
      return onBaselineHeartbeat(e, host, rollout, !over.isEmpty());
    }
    if (over.isEmpty() || !rollout.release().equals(e.release())) {
      return onTick(e.at(), host, rollout);
    }
    Step step = new Step(e.tenant(), e.at());
    rollout = observe(step, rollout, Signal.METRICS, Cohort.UPDATED, e.host());
    fleet.put(host.seenAt(e.at()).markedHot());
    int wave = rollout.plan().indexOf(host.wave());
    rollout = rollout.withCounts(wave, rollout.counts(wave).plusHot(1));
    WavePlan plan = rollout.plan().waves().get(wave);
    if (gated(rollout)
        && wave == rollout.currentWave()
        && crashCapExceeded(plan, rollout.counts(wave))
        && !shock(rollout, rollout.counts(wave), e.at())) {
      Map<String, String> evidence = evidence(plan, rollout.counts(wave));
      evidence.put("host", e.host());
      over.forEach((metric, detail) -> evidence.put("metric." + metric, detail));
      rollout = halt(step, rollout, plan.name(), METRICS, evidence);
    }
    store.putRollout(rollout);
    return step.decision();
  }

  /**
   * A failure detector reports a host silent: under a plan whose liveness is reported, the host's
   * silence clock runs from the later of the detector's last sight and the engine's (a clock tick
   * gives the verdict, as for a host that stopped heartbeating). Ignored for a host that is not
   * bound to a rollout or whose plan judges silence from heartbeats. It changes state only: it
   * carries no sign of life, so it neither answers an earlier report nor moves a bake.
   */
  private Decision onHostSilent(HostSilent e) {
    HostRecord host = boundHost(e.tenant(), e.host());
    if (host == null) {
      return Decision.none();
    }
    if (config.heartbeatsAbsorbed()) {
      // each detector is believed for the plans it serves: the host stage for heartbeats plans,
      // the fleet's own detector for reported plans (ADR 0007)
      RolloutState rollout = store.rollout(e.tenant(), host.rollout()).orElse(null);
      if (rollout == null || !e.detector().equals(detectorOf(rollout.plan().liveness()))) {
        return Decision.none();
      }
    } else if (e.detector() != Detector.EXTERNAL) {
      return Decision.none();
    }
    HostRecord reported = host.silenceReported(e.lastSeenAt());
    if (reported != host) {
      fleet.put(reported);
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
        over.put(limit.getKey(), decimal(value) + ">" + decimal(limit.getValue()));
      }
    }
    return over;
  }

  /**
   * A heartbeat of a host not yet updated: the baseline cohort. It is seen (so its silence can be
   * judged), it recovers from an earlier failure, or it runs hot on its previous release.
   */
  private Decision onBaselineHeartbeat(
      Heartbeat e, HostRecord host, RolloutState rollout, boolean hot) {
    HostRecord seen = host.seenAt(e.at());
    if (!hot) {
      HostRecord recovered = seen.withBaselineFailing(false);
      fleet.put(recovered);
      return onTick(e.at(), recovered, rollout);
    }
    if (host.baselineFailing()) {
      fleet.put(seen);
      return Decision.none();
    }
    Step step = new Step(e.tenant(), e.at());
    rollout = observe(step, rollout, Signal.METRICS, Cohort.BASELINE, e.host());
    fleet.put(seen.withBaselineFailing(true));
    store.putRollout(rollout);
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
      fleet.put(host.seenAt(at));
    }
    if (rollout == null || rollout.status() != RolloutStatus.ACTIVE) {
      return Decision.none();
    }
    Step step = new Step(host.tenant(), at);
    RolloutState promoted = promote(step, rollout);
    if (promoted != rollout) {
      store.putRollout(promoted);
    }
    return step.decision();
  }

  /**
   * A rollout whose gate still watches: ACTIVE, or PAUSED (a pause must not mask a bad release).
   */
  private static boolean gated(RolloutState rollout) {
    return rollout.status() == RolloutStatus.ACTIVE || rollout.status() == RolloutStatus.PAUSED;
  }

  /**
   * Adds one failure to the rollout's anytime-valid regression evidence for {@code signal}, and
   * halts when it reaches 1/alpha of the signal's share of the plan's alpha. theta0 is the updated
   * cohort's share of the rollout's hosts at risk at this moment (the failing host still counted at
   * risk): under "no regression" a failure is that likely to come from an updated host. With one
   * cohort empty a failure compares nothing; the caps judge it.
   */
  private RolloutState observe(
      Step step, RolloutState rollout, Signal signal, Cohort cohort, String hostId) {
    FleetIndex.Members members = fleet.members(rollout.tenant(), rollout.rollout());
    long updated = members.updatedAtRisk();
    long baseline = members.baselineAtRisk();
    rollout = record(rollout, signal, cohort, updated, baseline);
    return cohort == Cohort.UPDATED
        ? judge(step, rollout, signal, hostId, updated, baseline)
        : rollout;
  }

  /** Adds one failure to the signal's evidence, at the given cohorts at risk. */
  private static RolloutState record(
      RolloutState rollout, Signal signal, Cohort cohort, long updated, long baseline) {
    if (updated == 0 || baseline == 0) {
      return rollout;
    }
    double share = (double) updated / (updated + baseline);
    return rollout.withEvidence(signal, rollout.evidence(signal).observeFailure(cohort, share));
  }

  /** Halts when the signal's evidence reached 1/alpha of its share of the plan's alpha. */
  private RolloutState judge(
      Step step, RolloutState rollout, Signal signal, String hostId, long updated, long baseline) {
    CohortEvidence evidence = rollout.evidence(signal);
    double alpha = AlphaSplit.equal(rollout.plan().alpha()).alpha(signal);
    if (gated(rollout) && evidence.crossed(alpha)) {
      EvidenceSummary summary = evidence.summary(alpha, rollout.plan().toleratedRatio());
      Map<String, String> detail = new TreeMap<>();
      detail.put("signal", signal.name());
      detail.put("host", hostId);
      detail.put("updatedFailures", Long.toString(summary.updatedFailures()));
      detail.put("baselineFailures", Long.toString(summary.baselineFailures()));
      detail.put("eValue", summary.eValue());
      detail.put("alpha", summary.alpha());
      detail.put("ratioUpperBound", summary.ratioUpperBound());
      detail.put("updatedAtRisk", Long.toString(updated));
      detail.put("baselineAtRisk", Long.toString(baseline));
      String wave = rollout.plan().waves().get(rollout.currentWave()).name();
      rollout = halt(step, rollout, wave, REGRESSION, detail);
    }
    return rollout;
  }

  /**
   * A shock hits both cohorts alike (a region going dark): the baseline cohort's failing share is
   * at least half the wave's. The caps do not blame the release for it. Baseline hosts quiet for
   * more than half the heartbeat timeout count as failing here: a shock silences both cohorts at
   * once, but each host's silence is only certain a timeout after its last heartbeat, which for the
   * two cohorts falls up to a heartbeat interval apart.
   */
  private boolean shock(RolloutState rollout, WaveCounts wave, Instant at) {
    FleetIndex.Members members = fleet.members(rollout.tenant(), rollout.rollout());
    long baselineHosts = members.baselineHosts();
    long baselineFailing =
        members.baselineFailing()
            + members.quietBaseline(at, rollout.plan().heartbeatTimeout().dividedBy(2));
    if (baselineHosts == 0 || baselineFailing == 0) {
      return false;
    }
    double waveFraction = (double) wave.failed() / Math.max(wave.applied(), 1);
    return (double) baselineFailing / baselineHosts >= 0.5 * waveFraction;
  }

  /** Crashed and silent hosts together against the wave's cap (the slice's gate). */
  static boolean crashCapExceeded(WavePlan wave, WaveCounts counts) {
    return counts.failed() >= wave.minCrashes()
        && (double) counts.failed() / Math.max(counts.applied(), 1) > wave.maxCrashFraction();
  }

  private static Map<String, String> evidence(WavePlan plan, WaveCounts counts) {
    Map<String, String> evidence = new TreeMap<>();
    evidence.put("assigned", Integer.toString(counts.assigned()));
    evidence.put("applied", Integer.toString(counts.applied()));
    evidence.put("crashed", Integer.toString(counts.crashed()));
    evidence.put("silent", Integer.toString(counts.silent()));
    evidence.put("hot", Integer.toString(counts.hot()));
    evidence.put("crashFraction", fraction(counts.failed(), Math.max(counts.applied(), 1)));
    evidence.put("maxCrashFraction", decimal(plan.maxCrashFraction()));
    evidence.put("minCrashes", Integer.toString(plan.minCrashes()));
    return evidence;
  }

  /**
   * Time passed for a tenant: hosts that applied and then stayed silent past the heartbeat timeout
   * count as failed (a crashing host rarely reports its crash), the gate is checked, and waves
   * whose bake has passed may promote.
   */
  private Decision onClock(ClockTick e) {
    Step step = new Step(e.tenant(), e.at());
    for (RolloutState rollout : sortedRollouts(store.rollouts(e.tenant()))) {
      if (rollout.status() != RolloutStatus.ACTIVE && rollout.status() != RolloutStatus.PAUSED) {
        continue;
      }
      RolloutState updated = rollout;
      List<String> newlySilent = new ArrayList<>();
      Duration timeout = rollout.plan().heartbeatTimeout();
      FleetIndex.Members members = fleet.members(e.tenant(), rollout.rollout());
      // Hosts found silent at one tick failed at the same moment as far as anyone can tell: they
      // are one batch, weighed at the cohorts at risk before it and judged after it, so the order
      // in which they are listed (by host id, which may follow the waves) cannot tip the evidence.
      long updatedAtRisk = members.updatedAtRisk();
      long baselineAtRisk = members.baselineAtRisk();
      String lastUpdated = null;
      for (HostRecord host : records(rollout, members.dueAt(e.at(), timeout))) {
        if (host.silentAt(e.at(), timeout)) {
          if (gated(updated)) {
            updated =
                record(updated, Signal.SILENCE, Cohort.UPDATED, updatedAtRisk, baselineAtRisk);
            lastUpdated = host.host();
          }
          fleet.put(host(e.tenant(), host.host()).orElseThrow().markedSilent());
          int wave = rollout.plan().indexOf(host.wave());
          updated = updated.withCounts(wave, updated.counts(wave).plusSilent(1));
          newlySilent.add(host.host());
        } else if (host.baselineSilentAt(e.at(), timeout)) {
          if (gated(updated)) {
            updated =
                record(updated, Signal.SILENCE, Cohort.BASELINE, updatedAtRisk, baselineAtRisk);
          }
          fleet.put(host(e.tenant(), host.host()).orElseThrow().withBaselineFailing(true));
        }
      }
      if (lastUpdated != null) {
        updated = judge(step, updated, Signal.SILENCE, lastUpdated, updatedAtRisk, baselineAtRisk);
      }
      if (!newlySilent.isEmpty()) {
        int wave = updated.currentWave();
        WavePlan plan = updated.plan().waves().get(wave);
        if (updated.status() != RolloutStatus.HALTED
            && crashCapExceeded(plan, updated.counts(wave))
            && !shock(updated, updated.counts(wave), e.at())) {
          Map<String, String> evidence = evidence(plan, updated.counts(wave));
          evidence.put("newlySilent", String.join(",", newlySilent));
          evidence.put("heartbeatTimeout", updated.plan().heartbeatTimeout().toString());
          updated = halt(step, updated, plan.name(), SILENCE, evidence);
        }
      }
      updated = promote(step, dispatch(step, updated));
      if (!updated.equals(rollout)) {
        store.putRollout(updated);
      }
    }
    return step.decision();
  }

  private Decision onPaused(RolloutPaused e) {
    RolloutState rollout = store.rollout(e.tenant(), e.rollout()).orElse(null);
    if (rollout == null) {
      return reject(e, "rollout:" + e.rollout(), "unknown rollout");
    }
    return switch (rollout.status()) {
      case ACTIVE -> {
        store.putRollout(rollout.withStatus(RolloutStatus.PAUSED));
        yield Decision.none();
      }
      case PAUSED -> Decision.none();
      case PENDING, HALTED, COMPLETED ->
          reject(e, "rollout:" + e.rollout(), "rollout is " + rollout.status());
    };
  }

  private Decision onResumed(RolloutResumed e) {
    RolloutState rollout = store.rollout(e.tenant(), e.rollout()).orElse(null);
    if (rollout == null) {
      return reject(e, "rollout:" + e.rollout(), "unknown rollout");
    }
    return switch (rollout.status()) {
      case PAUSED -> {
        // The current wave may have finished while paused: promote now rather than wait for an
        // outcome that will never come.
        Step step = new Step(e.tenant(), e.at());
        store.putRollout(promote(step, dispatch(step, rollout.withStatus(RolloutStatus.ACTIVE))));
        yield step.decision();
      }
      case ACTIVE -> Decision.none();
      case HALTED -> resumeHalted(e, rollout);
      case PENDING, COMPLETED ->
          reject(e, "rollout:" + e.rollout(), "rollout is " + rollout.status());
    };
  }

  /**
   * A person overrides a HALT: the ledger records who and why (the halt and its evidence stay), the
   * rollout is ACTIVE again, and hosts of the current wave that got Hold before applying are sent
   * Apply again (paced). The evidence is kept, so a further failure may halt it again at once.
   */
  private Decision resumeHalted(RolloutResumed e, RolloutState rollout) {
    Step step = new Step(e.tenant(), e.at());
    rollout =
        step.append(
            rollout,
            (tenant, at, id, seq, prev) ->
                new HaltLifted(tenant, at, id, seq, prev, e.by(), e.reason()));
    int index = rollout.currentWave();
    String wave = rollout.plan().waves().get(index).name();
    for (HostRecord host : assignedTo(rollout)) {
      if (wave.equals(host.wave()) && host.dispatched() && !host.applied()) {
        fleet.put(host.awaitingDispatch());
      }
    }
    // while halted its hosts were free: some may belong to another rollout now, so count again
    for (int w = 0; w < rollout.waves().size(); w++) {
      String name = rollout.plan().waves().get(w).name();
      List<HostRecord> members =
          assignedTo(rollout).stream().filter(h -> name.equals(h.wave())).toList();
      WaveCounts before = rollout.counts(w);
      rollout =
          rollout.withCounts(
              w,
              new WaveCounts(
                  name,
                  members.size(),
                  (int) members.stream().filter(HostRecord::applied).count(),
                  (int) members.stream().filter(HostRecord::crashed).count(),
                  (int) members.stream().filter(HostRecord::silent).count(),
                  (int) members.stream().filter(HostRecord::hot).count(),
                  (int) members.stream().filter(HostRecord::dispatched).count(),
                  before.lastAppliedAt()));
    }
    rollout = promote(step, dispatch(step, rollout.withStatus(RolloutStatus.ACTIVE)));
    store.putRollout(rollout);
    return step.decision();
  }

  /** Records a person's approval of a wave; the wave may then promote at once. */
  private Decision onApproval(ApprovalGranted e) {
    RolloutState rollout = store.rollout(e.tenant(), e.rollout()).orElse(null);
    if (rollout == null) {
      return reject(e, "rollout:" + e.rollout(), "unknown rollout");
    }
    if (rollout.plan().indexOf(e.wave()) < 0) {
      return reject(e, "rollout:" + e.rollout(), "no wave named '" + e.wave() + "'");
    }
    if (rollout.status().isFinal()) {
      return reject(e, "rollout:" + e.rollout(), "rollout is " + rollout.status());
    }
    if (rollout.approved(e.wave())) {
      return Decision.none();
    }
    Step step = new Step(e.tenant(), e.at());
    store.putRollout(promote(step, rollout.withApproval(e.wave())));
    return step.decision();
  }

  private Decision onManualHalt(ManualHalt e) {
    RolloutState rollout = store.rollout(e.tenant(), e.rollout()).orElse(null);
    if (rollout == null) {
      return reject(e, "rollout:" + e.rollout(), "unknown rollout");
    }
    if (rollout.status().isFinal()) {
      return reject(e, "rollout:" + e.rollout(), "rollout is " + rollout.status());
    }
    Step step = new Step(e.tenant(), e.at());
    String wave = rollout.plan().waves().get(rollout.currentWave()).name();
    rollout = halt(step, rollout, wave, MANUAL_HALT, Map.of("by", e.by(), "reason", e.reason()));
    store.putRollout(rollout);
    return step.decision();
  }

  /**
   * Rolls a rollout back, whatever its state but unknown: its ledger records the halt (reason
   * {@value #ROLLBACK}, who, why, how many hosts go back), every host still bound to it that was
   * sent the release gets Rollback, the others Hold. A host that has moved on to a later rollout is
   * that rollout's now and is left alone.
   */
  private Decision onRollback(RollbackRequested e) {
    RolloutState rollout = store.rollout(e.tenant(), e.rollout()).orElse(null);
    if (rollout == null) {
      return reject(e, "rollout:" + e.rollout(), "unknown rollout");
    }
    Step step = new Step(e.tenant(), e.at());
    List<HostRecord> bound = new ArrayList<>();
    int back = 0;
    for (HostRecord host : assignedTo(rollout)) {
      if (rollout.rollout().equals(host.rollout())) {
        bound.add(host);
        back += host.dispatched() ? 1 : 0;
      }
    }
    String wave = rollout.plan().waves().get(rollout.currentWave()).name();
    Map<String, String> evidence =
        Map.of("by", e.by(), "reason", e.reason(), "rolledBack", Integer.toString(back));
    rollout =
        step.append(
            rollout,
            (tenant, at, id, seq, prev) ->
                new RolloutHalted(tenant, at, id, seq, prev, wave, ROLLBACK, evidence));
    for (HostRecord host : bound) {
      if (host.dispatched()) {
        step.send(Rollback::new, host, rollout);
      } else {
        step.send(Hold::new, host, rollout);
      }
    }
    store.putRollout(rollout.withStatus(RolloutStatus.HALTED));
    return step.decision();
  }

  /** Starts {@code rollout.currentWave()}: ledger entry, then Apply to its hosts. */
  private RolloutState startWave(Step step, RolloutState rollout) {
    int index = rollout.currentWave();
    String wave = rollout.plan().waves().get(index).name();
    List<String> ids = List.copyOf(fleet.members(rollout.tenant(), rollout.rollout()).wave(wave));
    rollout =
        step.append(
            rollout,
            (tenant, at, id, seq, prev) ->
                new WaveStarted(tenant, at, id, seq, prev, wave, index, ids));
    return dispatch(step, rollout);
  }

  /**
   * Sends Apply to hosts of the current wave still waiting for it, in host-id order, paced: at most
   * {@code maxDispatchPerMinute} in each started minute since the wave began (event time). The
   * blast radius of a total failure is about rate x (time to fail + heartbeat timeout).
   */
  private RolloutState dispatch(Step step, RolloutState rollout) {
    if (rollout.status() != RolloutStatus.ACTIVE) {
      return rollout;
    }
    Instant published =
        store
            .release(rollout.tenant(), rollout.release())
            .map(ReleaseInfo::publishedAt)
            .orElse(step.at);
    if (!policy(rollout.tenant()).allowsDispatch(step.at, published)) {
      return rollout; // the owner's policy holds it back: pause, outside a window, or too soon
    }
    // hosts that joined waves already passed go first, unpaced: their waves are proven
    FleetIndex.Members members = fleet.members(rollout.tenant(), rollout.rollout());
    List<String> late = new ArrayList<>();
    for (int w = 0; w < rollout.currentWave(); w++) {
      late.addAll(members.waiting(rollout.plan().waves().get(w).name()));
    }
    late.sort(Comparator.naturalOrder());
    for (HostRecord host : records(rollout, late)) {
      int wave = rollout.plan().indexOf(host.wave());
      sendApply(step, host, rollout);
      rollout = rollout.withCounts(wave, rollout.counts(wave).plusDispatched(1));
    }
    int index = rollout.currentWave();
    WaveCounts counts = rollout.counts(index);
    long minutes = Math.max(0, Duration.between(rollout.waveStartedAt(), step.at).toMinutes());
    long budget = (minutes + 1) * rollout.plan().maxDispatchPerMinute() - counts.dispatched();
    if (budget <= 0 || counts.dispatched() >= counts.assigned()) {
      return rollout;
    }
    String wave = rollout.plan().waves().get(index).name();
    List<HostRecord> waiting =
        records(rollout, members.waiting(wave).stream().limit(budget).toList());
    for (HostRecord host : waiting) {
      sendApply(step, host, rollout);
    }
    return rollout.withCounts(index, counts.plusDispatched(waiting.size()));
  }

  private void sendApply(Step step, HostRecord host, RolloutState rollout) {
    step.send(Apply::new, host, rollout);
    // send() stored the new command seq: mark the stored record, not the caller's copy
    fleet.put(host(host.tenant(), host.host()).orElseThrow().markedDispatched());
  }

  /**
   * Promotes while the rollout is ACTIVE, every host of its current (non-empty) wave applied and
   * the wave has baked for its plan's bake time, judged on the input's event time.
   */
  private RolloutState promote(Step step, RolloutState rollout) {
    if (waveStillBaking(step.at, rollout)) {
      return rollout; // nothing to promote yet, whatever the policy says: the common case
    }
    if (!policy(rollout.tenant()).open(step.at)) {
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
      Map<String, String> proven = safetyEvidence(rollout, plan, counts);
      rollout =
          step.append(
              rollout,
              (tenant, at, id, seq, prev) ->
                  new WavePromoted(tenant, at, id, seq, prev, counts.wave(), index, proven));
      if (index + 1 == rollout.plan().waves().size()) {
        rollout = step.append(rollout, RolloutCompleted::new);
        return rollout.withStatus(RolloutStatus.COMPLETED);
      }
      rollout = startWave(step, rollout.withCurrentWave(index + 1, step.at));
    }
    return rollout;
  }

  /**
   * True when the rollout's current wave cannot promote at {@code at} by its own counts: it has
   * hosts and not all of them applied, or its bake has not passed. {@link #promote} asks this for
   * every wave it considers, and once before anything else (it runs for every heartbeat): it reads
   * no store and changes nothing, so asking it first changes no decision.
   */
  private static boolean waveStillBaking(Instant at, RolloutState rollout) {
    if (rollout.status() != RolloutStatus.ACTIVE) {
      return false;
    }
    WaveCounts counts = rollout.counts(rollout.currentWave());
    if (counts.assigned() == 0) {
      return false;
    }
    return counts.applied() < counts.assigned()
        || at.isBefore(
            rollout.waveStartedAt().plus(rollout.plan().waves().get(rollout.currentWave()).bake()));
  }

  /** Ledger entry, then Hold to every host assigned to the rollout; status HALTED. */
  private RolloutState halt(
      Step step, RolloutState rollout, String wave, String reason, Map<String, String> evidence) {
    rollout =
        step.append(
            rollout,
            (tenant, at, id, seq, prev) ->
                new RolloutHalted(tenant, at, id, seq, prev, wave, reason, evidence));
    for (HostRecord host : assignedTo(rollout)) {
      step.send(Hold::new, host, rollout);
    }
    return rollout.withStatus(RolloutStatus.HALTED);
  }

  /**
   * What the rollout has shown so far, recorded with a promotion but never waited for (a canary
   * cannot prove "not 2x worse"; STATISTICS.md): the wave's counts and, per signal, the evidence
   * against a regression, the likelihood ratio of "no regression" against the tolerated ratio, and
   * an anytime-valid upper bound on the failure-rate ratio.
   */
  private static Map<String, String> safetyEvidence(
      RolloutState rollout, WavePlan plan, WaveCounts counts) {
    Map<String, String> out = new TreeMap<>();
    out.put("assigned", Integer.toString(counts.assigned()));
    out.put("applied", Integer.toString(counts.applied()));
    out.put("failed", Integer.toString(counts.failed()));
    out.put("bake", plan.bake().toString());
    AlphaSplit split = AlphaSplit.equal(rollout.plan().alpha());
    for (Signal signal : List.of(Signal.CRASH, Signal.SILENCE, Signal.METRICS)) {
      EvidenceSummary summary =
          rollout.evidence(signal).summary(split.alpha(signal), rollout.plan().toleratedRatio());
      String key = signal.name().toLowerCase(java.util.Locale.ROOT);
      out.put(key + ".eValue", summary.eValue());
      out.put(key + ".safetyEvidence", summary.safetyEvidence());
      out.put(key + ".ratioUpperBound", summary.ratioUpperBound());
    }
    return out;
  }

  /**
   * A shock is underway: at least {@value #SHOCK_MIN_HOSTS} hosts and {@value #SHOCK_SHARE} of the
   * baseline cohort are failing on their previous release at once. Isolated background failures (a
   * host rebooting, a disk dying) do not hold promotion.
   */
  private boolean shockUnderway(RolloutState rollout) {
    FleetIndex.Members members = fleet.members(rollout.tenant(), rollout.rollout());
    long failing = members.baselineFailing();
    return failing >= SHOCK_MIN_HOSTS && failing >= SHOCK_SHARE * members.baselineHosts();
  }

  private OwnerPolicy policy(String tenant) {
    // asked at every promotion check (every heartbeat), so a tenant without a policy shares one
    // "none", found without a lambda or a second lookup
    OwnerPolicy set = store.policy(tenant).orElse(null);
    if (set != null) {
      return set;
    }
    OwnerPolicy none = noPolicies.get(tenant);
    if (none == null) {
      none = OwnerPolicy.none(tenant);
      noPolicies.put(tenant, none);
    }
    return none;
  }

  /** Hosts bound to this rollout, sorted by host id. */
  private List<HostRecord> assignedTo(RolloutState rollout) {
    return records(rollout, fleet.members(rollout.tenant(), rollout.rollout()).ids());
  }

  /** The stored records of hosts bound to this rollout, in the order of {@code ids}. */
  private List<HostRecord> records(RolloutState rollout, Iterable<String> ids) {
    List<HostRecord> out = new ArrayList<>();
    for (String id : ids) {
      out.add(fleet.assigned(rollout.tenant(), id));
    }
    return out;
  }

  /** A host's record: the index holds those bound to a rollout, the store the others. */
  private Optional<HostRecord> host(String tenant, String hostId) {
    HostRecord assigned = fleet.assigned(tenant, hostId);
    return assigned != null ? Optional.of(assigned) : store.host(tenant, hostId);
  }

  /** Unassigned, or assigned to a rollout that is over. */
  private boolean isFree(HostRecord host) {
    return host.rollout() == null
        || store.rollout(host.tenant(), host.rollout()).map(r -> r.status().isFinal()).orElse(true);
  }

  private static Decision reject(LedgerInput input, String subject, String reason) {
    return Decision.rejected(new Rejection(input.tenant(), input.at(), subject, reason));
  }

  // The store promises sorted lists; sorting again (linear on sorted input) keeps decisions
  // independent of how a store implementation orders its keys.
  private static List<HostRecord> sortedHosts(List<HostRecord> hosts) {
    List<HostRecord> copy = new ArrayList<>(hosts);
    copy.sort(BY_HOST);
    return copy;
  }

  private static List<RolloutState> sortedRollouts(List<RolloutState> rollouts) {
    List<RolloutState> copy = new ArrayList<>(rollouts);
    copy.sort(Comparator.comparing(RolloutState::rollout));
    return copy;
  }

  // Evidence is hashed, so numbers are rendered exactly and JDK-independently (Double.toString
  // changed in JDK 19): plain decimal, at most 6 places, trailing zeros dropped.
  static String decimal(double value) {
    return plain(new BigDecimal(value).setScale(6, RoundingMode.HALF_EVEN));
  }

  static String fraction(int numerator, int denominator) {
    return plain(
        BigDecimal.valueOf(numerator)
            .divide(BigDecimal.valueOf(denominator), 6, RoundingMode.HALF_EVEN));
  }

  private static String plain(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
  }

  @FunctionalInterface
  private interface EntryFactory {
    LedgerEntry create(String tenant, Instant at, String rollout, long seq, String prevHash);
  }

  @FunctionalInterface
  private interface CommandFactory {
    HostCommand create(
        String tenant,
        String rollout,
        String host,
        String release,
        String sha256,
        long seq,
        Instant issuedAt,
        Instant expiresAt);
  }

  /** Collects what one input produces and keeps ledger chains and host command seqs moving. */
  private final class Step {
    final String tenant;
    final Instant at;
    private final List<LedgerEntry> entries = new ArrayList<>();
    private final List<HostCommand> commands = new ArrayList<>();

    Step(String tenant, Instant at) {
      this.tenant = tenant;
      this.at = at;
    }

    /** Appends an entry to the rollout's chain; returns the rollout with the new chain head. */
    RolloutState append(RolloutState state, EntryFactory factory) {
      LedgerEntry entry =
          factory.create(tenant, at, state.rollout(), state.seq() + 1, state.lastHash());
      entries.add(entry);
      return state.withChainHead(entry.seq(), LedgerHash.of(entry));
    }

    void send(CommandFactory kind, HostRecord host, RolloutState state) {
      // Read the stored record: the caller's copy may predate an earlier command of this step.
      HostRecord current = host(tenant, host.host()).orElse(host);
      long seq = current.lastCommandSeq() + 1;
      String sha256 = sha256(state.release());
      commands.add(
          kind.create(
              tenant,
              state.rollout(),
              host.host(),
              state.release(),
              sha256,
              seq,
              at,
              at.plus(config.commandTtl())));
      fleet.put(current.withLastCommandSeq(seq));
    }

    // A release id names one artifact forever (a republish with other content is rejected), so
    // its digest, once found, holds for the whole step: a halt of a million hosts reads it once.
    private String shaRelease;
    private String sha;

    private String sha256(String release) {
      if (!release.equals(shaRelease)) {
        String found = store.release(tenant, release).map(ReleaseInfo::sha256).orElse(null);
        if (found == null) {
          return null; // not published yet: asked again next time
        }
        shaRelease = release;
        sha = found;
      }
      return sha;
    }

    Decision decision() {
      // most inputs (heartbeats, ticks) decide nothing: no copies for them
      return entries.isEmpty() && commands.isEmpty()
          ? Decision.none()
          : new Decision(entries, commands, List.of());
    }
  }
}
