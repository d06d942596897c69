package dev.rolloutledger.domain;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

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
 *   <li>Each host counts once as applied and at most once as failing, by the first {@link
 *       dev.rolloutledger.domain.gate.Signal} seen: crashed (a failed apply or a crash counts as
 *       both applied and crashed), silent, or over limits. The failure fraction cap of the host's
 *       wave (see {@link WavePlan}) and the regression evidence halt an ACTIVE or PAUSED rollout:
 *       RolloutHalted, then Hold to every host of the rollout.
 *   <li>An ACTIVE rollout promotes once every host of its current, non-empty wave applied and the
 *       wave's bake time has passed in event time (checked on every input from one of its hosts,
 *       heartbeats included); a wave no host matched passes at once (its approval, if asked for,
 *       still holds it); after the last wave it completes.
 *   <li>A HALTED rollout never promotes or dispatches again unless a person resumes it (the ledger
 *       records a HaltLifted entry first); a PAUSED one neither until a person resumes it (a
 *       PauseLifted entry). A person's pause is a PauseRecorded entry and an approval a
 *       WaveApproved entry, each naming who, so every person's decision is in the ledger.
 *   <li>Heartbeats move event time (bake), are signs of life and carry metrics (hosts over limits).
 *   <li>Silence is judged from heartbeats, or, under a plan whose {@link Liveness} is reported,
 *       from a failure detector's {@link HostSilent} and {@link HostBack} (ADR 0006): the same
 *       verdict at the same moment, without a heartbeat per host per timeout.
 *   <li>A wave whose plan asks for approval promotes only once an ApprovalGranted names it (an
 *       approval may come before the wave starts).
 * </ul>
 *
 * <p>The engine routes each input to one part: {@link Planner} (hosts into waves, late hosts),
 * {@link Detectors} (crashes and failed applies, heartbeats over limits, silence, event time),
 * {@link Gate} (cohort evidence, the failure fraction cap, the shock rule, promotion checks),
 * {@link Controls} (pause, resume, approvals, manual halt, rollback, policy) and {@link Dispatcher}
 * (Apply and Hold commands, pacing, halts); {@link EvidenceFormat} renders the evidence of ledger
 * entries.
 *
 * <p>Not thread-safe; one engine per store, inputs of a tenant one at a time in log order.
 */
public final class RolloutEngine {

  /**
   * The halt reason of the failure fraction cap. It counts crashed, silent and over-limits hosts
   * alike; the reason keeps its first name, "crash fraction cap", as the plan keeps {@code
   * maxCrashFraction} and {@code minCrashes}: recorded ledgers and clients read them.
   */
  public static final String FAILURE_FRACTION_CAP = "crash fraction cap";

  public static final String MANUAL_HALT = "manual halt";

  /** The halt reason of a rollback an operator asked for. */
  public static final String ROLLBACK = "rollback";

  /** The halt reason of the cap when hosts fell silent ({@code Signal#SILENCE}). */
  public static final String SILENCE = "silent hosts";

  /** The halt reason of the cap when a heartbeat was over limits ({@code Signal#METRICS}). */
  public static final String METRICS = "metrics over limits";

  public static final String REGRESSION = "regression evidence";

  /**
   * The reason of a pause ({@link PauseRecorded}) when more of a wave's hosts could not be reached
   * than its plan allows: a partition is not a green light.
   */
  public static final String UNREACHABLE = "unreachable hosts";

  public static final String REFUSED = "refused by the owner's policy";

  /**
   * The reason of a pause ({@link PauseRecorded}) a person asked for; its evidence holds {@code by}
   * and {@code reason}.
   */
  public static final String MANUAL_PAUSE = "paused by a person";

  private final EngineContext context;
  private final Map<Class<?>, Function<LedgerInput, Decision>> routes = new HashMap<>();

  public RolloutEngine(LedgerStore store, EngineConfig config) {
    this.context = new EngineContext(store, config);
    Dispatcher dispatcher = new Dispatcher(context);
    Gate gate = new Gate(context, dispatcher);
    Planner planner = new Planner(context, dispatcher, gate);
    Detectors detectors = new Detectors(context, dispatcher, gate);
    Controls controls = new Controls(context, dispatcher, gate, detectors);
    // Java 17 has no pattern switch over a sealed interface (a preview feature): every permitted
    // input is routed here, in one place, and a missing route fails when the engine is built.
    route(HostRegistered.class, planner::onHostRegistered);
    route(ReleasePublished.class, planner::onReleasePublished);
    route(RolloutPlanned.class, planner::onRolloutPlanned);
    // A failed apply is a failure of the release, so it counts against the gate like a crash.
    route(
        UpdateApplied.class,
        e -> detectors.onOutcome(e.tenant(), e.at(), e.host(), e.release(), !e.ok()));
    route(
        CrashReport.class,
        e -> detectors.onOutcome(e.tenant(), e.at(), e.host(), e.release(), true));
    // A sign of life (silence is judged from it), health metrics (over limits), and event time
    // moving on (a wave whose bake has passed may promote).
    route(Heartbeat.class, detectors::onHeartbeat);
    route(HostSilent.class, detectors::onHostSilent);
    route(HostBack.class, detectors::onHostBack);
    route(ClockTick.class, detectors::onClock);
    route(RolloutPaused.class, controls::onPaused);
    route(RolloutResumed.class, controls::onResumed);
    route(ManualHalt.class, controls::onManualHalt);
    route(RollbackRequested.class, controls::onRollback);
    route(ApprovalGranted.class, controls::onApproval);
    route(PolicySet.class, controls::onPolicySet);
    // a halt's commands beyond the first chunk, one chunk a transaction (ADR 0007)
    route(FanOutContinued.class, dispatcher::onFanOutContinued);
    // a large plan's hosts bound to waves, one chunk a transaction (ADR 0007)
    route(AssignmentContinued.class, planner::onAssignmentContinued);
    // an operator cordons, retires or restores a host
    route(HostLifecycleChanged.class, new Lifecycle(context, gate)::onChanged);
    for (Class<?> input : LedgerInput.class.getPermittedSubclasses()) {
      if (!routes.containsKey(input)) {
        throw new IllegalStateException("no route for input type " + input.getName());
      }
    }
  }

  private <T extends LedgerInput> void route(Class<T> type, Function<T, Decision> handler) {
    routes.put(type, input -> handler.apply(type.cast(input)));
  }

  /** True when the engine's derived index agrees with the store (for tests and replay checks). */
  public boolean indexMatchesStore(String tenant) {
    return context.fleet.matches(tenant);
  }

  /**
   * The rollout's evidence and counts as they stand after the inputs applied so far (read from the
   * store and the engine's index; changes nothing), or empty if there is no such rollout.
   */
  public java.util.Optional<EvidencePoint> evidencePoint(String tenant, String rollout) {
    return context
        .store
        .rollout(tenant, rollout)
        .map(r -> EvidencePoint.of(r, context.fleet.members(tenant, rollout)));
  }

  public Decision apply(LedgerInput input) {
    Checks.present("input", input);
    Function<LedgerInput, Decision> route = routes.get(input.getClass());
    if (route == null) {
      throw new IllegalArgumentException("unknown input type " + input.getClass().getName());
    }
    return route.apply(input);
  }
}
