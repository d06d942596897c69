package dev.rolloutledger.domain.gate;

import java.util.List;

/**
 * The kinds of failure a host can show. Each is counted at most once per host and has its own
 * {@link CohortEvidence} and its own share of alpha ({@link AlphaSplit}).
 *
 * <p>A host's record and its wave's counts are keyed by these constants (a host fails by one signal
 * at most, the first seen). Ledger evidence, the Avro state and the JSON views keep their older
 * names, which are contracts: {@link #countKey()} gives the name of a wave's count of hosts failing
 * by a signal ({@code crashed}, {@code silent}, {@code hot}); regression evidence names the signal
 * itself ({@code "signal": "METRICS"}, and {@code metrics.eValue} in promotion evidence).
 *
 * <p>One idea, several names: {@link #METRICS} is "over limits" in code and comments, {@code hot}
 * in cap evidence, the Avro state ({@code HostState.hot}, {@code WaveCountsRecord.hot}) and the
 * JSON views, and {@code "metrics over limits"} as a halt reason. Likewise {@link #CRASH} is {@code
 * crashed} and {@link #SILENCE} is {@code silent} (halt reason {@code "silent hosts"}).
 *
 * <p>A new signal is a constant here (with its count key) and its detector in the engine.
 */
public enum Signal {
  /**
   * Applying the release failed. The baseline cohort applies nothing, so this signal has no
   * baseline counterpart: the engine counts a failed apply as a {@link #CRASH} of the host, judged
   * by the failure fraction cap and the wave's maximum failure rate ({@link
   * FailureRateUpperBound}). No host record carries it.
   */
  APPLY(null),
  /** The host reported a crash (or its apply failed). Counted as {@code crashed}. */
  CRASH("crashed"),
  /**
   * The host sent no heartbeat for longer than the heartbeat timeout, or a failure detector said
   * so. Counted as {@code silent}.
   */
  SILENCE("silent"),
  /**
   * A heartbeat carried a health metric (CPU, error rate) over the plan's limit: the host is over
   * limits. Counted as {@code hot}.
   */
  METRICS("hot");

  private static final List<Signal> OF_HOSTS =
      java.util.Arrays.stream(values()).filter(s -> s.countKey != null).toList();

  private final String countKey;

  Signal(String countKey) {
    this.countKey = countKey;
  }

  /**
   * The name of a wave's count of hosts failing by this signal, in ledger evidence and the Avro
   * state; null for a signal no host record carries ({@link #APPLY}).
   */
  public String countKey() {
    return countKey;
  }

  /** The signals a host can fail by, in declaration order: those with a {@link #countKey()}. */
  public static List<Signal> ofHosts() {
    return OF_HOSTS;
  }
}
