package dev.rolloutledger.domain.gate;

/**
 * The kinds of failure a host can show. Each is counted at most once per host and has its own
 * {@link CohortEvidence} and its own share of alpha ({@link AlphaSplit}).
 */
public enum Signal {
  /**
   * Applying the release failed. The baseline cohort applies nothing, so this signal has no
   * baseline counterpart: it is guarded by {@link HardCap} and the wave's maximum failure rate
   * ({@link FailureRateUpperBound}), unless the engine compares against the previous release's
   * applies.
   */
  APPLY,
  /** The host reported a crash. */
  CRASH,
  /** The host sent no heartbeat for longer than the heartbeat timeout. */
  SILENCE,
  /** A heartbeat carried a health metric (CPU, error rate) over the plan's limit. */
  METRICS
}
