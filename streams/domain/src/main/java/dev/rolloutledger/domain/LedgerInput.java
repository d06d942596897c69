package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * Everything the {@link RolloutEngine} consumes, in log order. Constructors reject malformed values
 * with an {@link InvalidFieldException}; the engine answers well-formed but inapplicable inputs
 * with a {@link Rejection}, never an exception.
 */
public sealed interface LedgerInput
    permits HostRegistered,
        ReleasePublished,
        RolloutPlanned,
        UpdateApplied,
        Heartbeat,
        HostSilent,
        HostBack,
        CrashReport,
        ApprovalGranted,
        RolloutPaused,
        RolloutResumed,
        ManualHalt,
        RollbackRequested,
        ClockTick,
        PolicySet,
        FanOutContinued,
        AssignmentContinued,
        HostLifecycleChanged {

  /** Non-blank, without '/'. */
  String tenant();

  /** Event time; the engine never reads a clock. */
  Instant at();
}
