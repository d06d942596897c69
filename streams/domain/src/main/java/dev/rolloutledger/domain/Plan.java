package dev.rolloutledger.domain;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The owner's plan of a rollout: ordered waves (unique names; the first starts at planning) and the
 * settings that govern every wave.
 *
 * @param waves the waves, in order; a host matched by no wave never receives the release
 * @param heartbeatTimeout a host that applied and then stays silent this long is failing
 * @param alpha chance of ever halting a good release (false halt), at most
 * @param beta chance of promoting a bad one that the evidence should have caught
 * @param toleratedRatio failure-rate ratio (updated / baseline) the owner tolerates; the ledger
 *     records how far each wave proved the release is not worse than this
 * @param maxDispatchPerMinute Apply commands per minute, at most (blast radius = rate x timeout)
 * @param limits heartbeat metrics ceilings, e.g. cpu 0.95, errorRate 0.05 (sorted by name)
 * @param emergencyCompression an EMERGENCY release divides every bake and batch bake by this (waves
 *     are never skipped)
 * @param liveness how silence is judged: from heartbeats, or from a failure detector's reports (ADR
 *     0006); fixed for the rollout's life
 * @param maxUnreachableFraction the share of a wave's hosts that may be unreachable (no sign of
 *     life at dispatch, or an Apply unanswered twice) before the rollout pauses for a person, with
 *     more than one such host: a partition is not a green light (journals of version 5 on)
 */
public record Plan(
    List<WavePlan> waves,
    Duration heartbeatTimeout,
    double alpha,
    double beta,
    double toleratedRatio,
    int maxDispatchPerMinute,
    Map<String, Double> limits,
    int emergencyCompression,
    Liveness liveness,
    double maxUnreachableFraction) {

  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(30);
  public static final double DEFAULT_ALPHA = 0.01;
  public static final double DEFAULT_BETA = 0.01;
  public static final double DEFAULT_TOLERATED_RATIO = 2.0;
  public static final int DEFAULT_MAX_DISPATCH_PER_MINUTE = 600;
  public static final int DEFAULT_EMERGENCY_COMPRESSION = 10;
  public static final double DEFAULT_MAX_UNREACHABLE_FRACTION = 0.1;

  /** The default plan's heartbeat limits; a plan the owner writes has only the limits it names. */
  public static final Map<String, Double> DEFAULT_LIMITS = Map.of("cpu", 0.95, "errorRate", 0.05);

  /** At most {@link #DEFAULT_MAX_UNREACHABLE_FRACTION} of a wave unreachable. */
  public Plan(
      List<WavePlan> waves,
      Duration heartbeatTimeout,
      double alpha,
      double beta,
      double toleratedRatio,
      int maxDispatchPerMinute,
      Map<String, Double> limits,
      int emergencyCompression,
      Liveness liveness) {
    this(
        waves,
        heartbeatTimeout,
        alpha,
        beta,
        toleratedRatio,
        maxDispatchPerMinute,
        limits,
        emergencyCompression,
        liveness,
        DEFAULT_MAX_UNREACHABLE_FRACTION);
  }

  /** Liveness judged from heartbeats. */
  public Plan(
      List<WavePlan> waves,
      Duration heartbeatTimeout,
      double alpha,
      double beta,
      double toleratedRatio,
      int maxDispatchPerMinute,
      Map<String, Double> limits,
      int emergencyCompression) {
    this(
        waves,
        heartbeatTimeout,
        alpha,
        beta,
        toleratedRatio,
        maxDispatchPerMinute,
        limits,
        emergencyCompression,
        Liveness.HEARTBEATS);
  }

  /** Waves with every other setting at its default. */
  public Plan(List<WavePlan> waves) {
    this(
        waves,
        DEFAULT_HEARTBEAT_TIMEOUT,
        DEFAULT_ALPHA,
        DEFAULT_BETA,
        DEFAULT_TOLERATED_RATIO,
        DEFAULT_MAX_DISPATCH_PER_MINUTE,
        Map.of(),
        DEFAULT_EMERGENCY_COMPRESSION);
  }

  public Plan {
    Checks.present("waves", waves);
    if (waves.isEmpty()) {
      throw new InvalidFieldException("waves", "must not be empty");
    }
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < waves.size(); i++) {
      WavePlan wave = Checks.present("waves[" + i + "]", waves.get(i));
      Integer earlier = firstIndex.putIfAbsent(wave.name(), i);
      if (earlier != null) {
        throw new InvalidFieldException(
            "waves[" + i + "].name",
            "must be unique ('" + wave.name() + "' is waves[" + earlier + "])");
      }
    }
    for (int i = 0; i < waves.size(); i++) {
      for (int j = 0; j < waves.size(); j++) {
        if (waves.get(j).isBatchName(waves.get(i).name())) {
          throw new InvalidFieldException(
              "waves[" + i + "].name",
              "must not be a batch name of waves["
                  + j
                  + "] ('"
                  + waves.get(j).name()
                  + ".N', which it is split into)");
        }
      }
    }
    waves = List.copyOf(waves);
    Checks.present("heartbeatTimeout", heartbeatTimeout);
    if (heartbeatTimeout.isNegative() || heartbeatTimeout.isZero()) {
      throw new InvalidFieldException("heartbeatTimeout", "must be positive");
    }
    probability("alpha", alpha);
    probability("beta", beta);
    if (!(toleratedRatio > 1) || Double.isInfinite(toleratedRatio)) {
      throw new InvalidFieldException("toleratedRatio", "must be a finite number > 1");
    }
    if (maxDispatchPerMinute < 1) {
      throw new InvalidFieldException("maxDispatchPerMinute", "must be >= 1");
    }
    limits = Checks.sortedMap("limits", limits);
    for (Map.Entry<String, Double> limit : limits.entrySet()) {
      if (!Double.isFinite(limit.getValue())) {
        throw new InvalidFieldException(
            "limits[" + limit.getKey() + "]", "must be a finite number");
      }
    }
    if (emergencyCompression < 1) {
      throw new InvalidFieldException("emergencyCompression", "must be >= 1");
    }
    Checks.present("liveness", liveness);
    // written so that NaN fails too
    if (!(maxUnreachableFraction >= 0 && maxUnreachableFraction <= 1)) {
      throw new InvalidFieldException("maxUnreachableFraction", "must be in [0,1]");
    }
  }

  /** The same plan with another {@code maxUnreachableFraction}. */
  public Plan withMaxUnreachableFraction(double fraction) {
    return new Plan(
        waves,
        heartbeatTimeout,
        alpha,
        beta,
        toleratedRatio,
        maxDispatchPerMinute,
        limits,
        emergencyCompression,
        liveness,
        fraction);
  }

  /**
   * Whether {@code unreachable} hosts of a wave of {@code assigned} are more than this plan lets go
   * by: more than {@code maxUnreachableFraction} of the wave, and more than one host (one laptop
   * closed is not a partition).
   */
  public boolean tooManyUnreachable(int unreachable, int assigned) {
    return unreachable > 1 && unreachable > maxUnreachableFraction * assigned;
  }

  /** The same plan with these waves (e.g. a batched wave replaced by its batches). */
  public Plan withWaves(List<WavePlan> newWaves) {
    return new Plan(
        newWaves,
        heartbeatTimeout,
        alpha,
        beta,
        toleratedRatio,
        maxDispatchPerMinute,
        limits,
        emergencyCompression,
        liveness,
        maxUnreachableFraction);
  }

  /** The same plan with liveness judged as {@code newLiveness} says. */
  public Plan withLiveness(Liveness newLiveness) {
    if (newLiveness == liveness) {
      return this;
    }
    return new Plan(
        waves,
        heartbeatTimeout,
        alpha,
        beta,
        toleratedRatio,
        maxDispatchPerMinute,
        limits,
        emergencyCompression,
        newLiveness,
        maxUnreachableFraction);
  }

  private static void probability(String field, double value) {
    // written so that NaN fails too
    if (!(value > 0 && value < 0.5)) {
      throw new InvalidFieldException(field, "must be in (0, 0.5)");
    }
  }

  /**
   * The plan a release of this severity follows: the same waves in the same order; for EMERGENCY,
   * every bake and every batch bake divided by {@code emergencyCompression}. No wave is ever
   * skipped.
   */
  public Plan forSeverity(Severity severity) {
    if (severity != Severity.EMERGENCY || emergencyCompression == 1) {
      return this;
    }
    List<WavePlan> compressed =
        waves.stream()
            .map(
                w ->
                    w.withBakes(
                        w.bake().dividedBy(emergencyCompression),
                        w.batchBake().dividedBy(emergencyCompression)))
            .toList();
    return new Plan(
        compressed,
        heartbeatTimeout,
        alpha,
        beta,
        toleratedRatio,
        maxDispatchPerMinute,
        limits,
        emergencyCompression,
        liveness,
        maxUnreachableFraction);
  }

  /**
   * The plan a rollout follows when its owner names none: the {@code dba} template ({@link
   * PlanTemplates#dba()}), devbox, staging, UAT, edge systems, then production from the least to
   * the most critical tier, replicas before primaries, in batches.
   */
  public static Plan defaultPlan() {
    return PlanTemplates.dba();
  }

  /**
   * The summed bakes of the waves, each batched wave counted with its full batches: a {@code
   * batches: N} wave bakes {@code (N - 1) x batchBake + bake} when it has at least N hosts, a
   * {@code batchSize} wave its {@code bake} plus one {@code batchBake} per further batch (unknown
   * before the fleet is: counted here as none). This is how long the plan runs at least with every
   * wave populated, without the time hosts take to apply and the heartbeat timeout each wave also
   * waits after its last apply; waves no host matches pass at once.
   */
  public Duration totalBake() {
    Duration total = Duration.ZERO;
    for (WavePlan w : waves) {
      total = total.plus(w.bake());
      if (w.batches() != null) {
        total = total.plus(w.batchBake().multipliedBy(w.batches() - 1L));
      }
    }
    return total;
  }

  /** The index of the wave with this name, or -1. */
  public int indexOf(String wave) {
    for (int i = 0; i < waves.size(); i++) {
      if (waves.get(i).name().equals(wave)) {
        return i;
      }
    }
    return -1;
  }
}
