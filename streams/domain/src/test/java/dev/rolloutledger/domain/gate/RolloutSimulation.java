package dev.rolloutledger.domain.gate;

import java.util.Random;

/**
 * Seeded simulations of rollouts for the gate's statistical tests. {@link Random}'s algorithm is
 * specified by the JDK and every function used is {@link StrictMath}, so a seed gives the same run
 * on every JDK. Runs take their randomness from {@link #seeded(long)}.
 */
final class RolloutSimulation {

  private RolloutSimulation() {}

  /**
   * A rollout in waves over a fleet with a fixed size: the updated cohort grows wave by wave, the
   * rest of the fleet is the baseline. Time runs in steps; every host at risk fails in a step as a
   * Poisson process with rate {@code hazard} (baseline) or {@code ratio * hazard} (updated), both
   * multiplied by {@code shockFactor} during steps {@code [shockFrom, shockTo)}.
   *
   * @param waveEnds updated hosts at the end of each wave (increasing, at most {@code fleet})
   * @param dispatchSteps steps over which a wave's hosts apply, evenly
   * @param bakeSteps steps a wave bakes after its last host applied
   */
  record Waves(
      long fleet,
      long[] waveEnds,
      int dispatchSteps,
      int bakeSteps,
      double hazard,
      double ratio,
      int shockFrom,
      int shockTo,
      double shockFactor) {

    Waves withRatio(double newRatio) {
      return new Waves(
          fleet,
          waveEnds,
          dispatchSteps,
          bakeSteps,
          hazard,
          newRatio,
          shockFrom,
          shockTo,
          shockFactor);
    }

    Waves withShock(int from, int to, double factor) {
      return new Waves(fleet, waveEnds, dispatchSteps, bakeSteps, hazard, ratio, from, to, factor);
    }

    /** Updated hosts at risk in each step. */
    long[] updatedPerStep() {
      int steps = waveEnds.length * (dispatchSteps + bakeSteps);
      long[] updated = new long[steps];
      long previous = 0;
      int step = 0;
      for (long end : waveEnds) {
        for (int d = 1; d <= dispatchSteps; d++) {
          updated[step++] = previous + (end - previous) * d / dispatchSteps;
        }
        for (int b = 0; b < bakeSteps; b++) {
          updated[step++] = end;
        }
        previous = end;
      }
      return updated;
    }

    double hazardAt(int step) {
      return step >= shockFrom && step < shockTo ? hazard * shockFactor : hazard;
    }
  }

  /** Looks at the evidence after each run of failures of one cohort; true stops the rollout. */
  @FunctionalInterface
  interface Watcher {
    boolean stopAfter(Cohort cohortOfRun, CohortEvidence evidence);
  }

  /**
   * Runs a rollout through its waves. Failures within a step come in a uniformly random order. A
   * run of consecutive failures of one cohort is observed in one call and watched once, at its end,
   * which sees every extreme that one call per failure would: along a run of updated failures the
   * e-value and the ratio upper bound only rise, along a run of baseline failures they only fall
   * ({@link CohortEvidencePropertiesTest}).
   *
   * @return the evidence when the rollout ended or the watcher stopped it
   */
  static CohortEvidence run(Waves plan, Random random, Watcher watcher) {
    long[] updated = plan.updatedPerStep();
    CohortEvidence evidence = CohortEvidence.NONE;
    for (int step = 0; step < updated.length; step++) {
      double share = (double) updated[step] / plan.fleet();
      double hazard = plan.hazardAt(step);
      long updatedLeft = poisson(random, plan.ratio() * hazard * updated[step]);
      long baselineLeft = poisson(random, hazard * (plan.fleet() - updated[step]));
      while (updatedLeft + baselineLeft > 0) {
        boolean updatedRun = random.nextDouble() * (updatedLeft + baselineLeft) < updatedLeft;
        long run = 0;
        do {
          run++;
          if (updatedRun) {
            updatedLeft--;
          } else {
            baselineLeft--;
          }
        } while (updatedLeft + baselineLeft > 0
            && (random.nextDouble() * (updatedLeft + baselineLeft) < updatedLeft) == updatedRun);
        // The draw that ended the run is discarded and the next run starts with a fresh one: each
        // failure's cohort is still drawn with the right odds, so the order stays uniform.
        Cohort cohort = updatedRun ? Cohort.UPDATED : Cohort.BASELINE;
        evidence = evidence.observeFailures(cohort, share, run);
        if (watcher.stopAfter(cohort, evidence)) {
          return evidence;
        }
      }
    }
    return evidence;
  }

  /** The highest ln e-value a rollout's evidence reaches, and its final state. */
  record Outcome(double peakLogEValue, CohortEvidence last) {}

  /** Runs a rollout through all its waves, never halting, and records its peak evidence. */
  static Outcome peak(Waves plan, Random random) {
    double[] peak = {0};
    CohortEvidence last =
        run(
            plan,
            random,
            (cohort, evidence) -> {
              peak[0] = Math.max(peak[0], evidence.logEValue());
              return false;
            });
    return new Outcome(peak[0], last);
  }

  /** Whether the ratio upper bound ever fell to or below the rollout's true ratio. */
  static boolean ratioBoundEverMissed(Waves plan, double alpha, Random random) {
    boolean[] missed = {false};
    run(
        plan,
        random,
        (cohort, evidence) -> {
          missed[0] = cohort == Cohort.BASELINE && evidence.ratioUpperBound(alpha) <= plan.ratio();
          return missed[0];
        });
    return missed[0];
  }

  /**
   * The setting of the SPRT yardstick: updated hosts apply one at a time and each is watched for
   * one window, in which it fails with probability {@code p1}; meanwhile {@code baselineHosts}
   * baseline hosts each fail at the rate that gives probability {@code p0} per window. Under no
   * regression a failure is then from the updated cohort with probability {@code 1 / (1 +
   * baselineHosts)}.
   *
   * @return how many updated hosts had applied when the evidence crossed {@code 1/alpha}, or -1 if
   *     it did not within {@code maxHosts}
   */
  static long hostsToHalt(
      double p1, double p0, long baselineHosts, double alpha, long maxHosts, Random random) {
    double baselineRate = baselineHosts * -StrictMath.log1p(-p0);
    double share = 1.0 / (1 + baselineHosts);
    CohortEvidence evidence = CohortEvidence.NONE;
    double time = 0;
    long host = 0;
    while (true) {
      host += geometric(random, p1);
      if (host > maxHosts) {
        return -1;
      }
      double failureTime = host - 1 + random.nextDouble();
      long baselineFailures = poisson(random, baselineRate * (failureTime - time));
      evidence = evidence.observeFailures(Cohort.BASELINE, share, baselineFailures);
      evidence = evidence.observeFailure(Cohort.UPDATED, share);
      time = failureTime;
      if (evidence.crossed(alpha)) {
        return host;
      }
    }
  }

  /**
   * The random source of simulated run {@code run}. {@code new Random(run)} would not do: the first
   * draws of {@link Random}s with consecutive seeds are strongly correlated (at 10x, seeds 1000 to
   * 1299 gave a mean of 472 hosts to halt where 2,000 well-mixed runs give 591). The seed goes
   * through SplitMix64's finalizer first.
   */
  static Random seeded(long run) {
    long z = run * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return new Random(z ^ (z >>> 31));
  }

  /** An exact Poisson draw: Knuth's product of uniforms, in chunks of mean at most 16. */
  static long poisson(Random random, double mean) {
    long total = 0;
    double left = mean;
    while (left > 16) {
      total += knuth(random, 16);
      left -= 16;
    }
    return total + knuth(random, left);
  }

  private static long knuth(Random random, double mean) {
    double limit = StrictMath.exp(-mean);
    double product = random.nextDouble();
    long k = 0;
    while (product > limit) {
      k++;
      product *= random.nextDouble();
    }
    return k;
  }

  /** Trials up to and including the first success, each a success with probability {@code p}. */
  static long geometric(Random random, double p) {
    if (p >= 1) {
      return 1;
    }
    double draw = StrictMath.log1p(-random.nextDouble()) / StrictMath.log1p(-p);
    return 1 + (long) StrictMath.floor(draw);
  }

  /**
   * Two-sided 95% Clopper-Pearson interval for a binomial proportion, by bisection on the beta
   * tails (summed binomial terms); for reporting measured rates.
   */
  static double[] clopperPearson(long successes, long trials) {
    double lower = successes == 0 ? 0 : bisect(successes, trials, true);
    double upper = successes == trials ? 1 : bisect(successes, trials, false);
    return new double[] {lower, upper};
  }

  private static double bisect(long x, long n, boolean lower) {
    double lo = 0;
    double hi = 1;
    for (int i = 0; i < 100; i++) {
      double p = (lo + hi) / 2;
      // lower end: P(X >= x | p) = 0.025; upper end: P(X <= x | p) = 0.025
      double tail = lower ? 1 - cdf(x - 1, n, p) : cdf(x, n, p);
      boolean tooLow = lower ? tail < 0.025 : tail > 0.025;
      if (tooLow) {
        lo = p;
      } else {
        hi = p;
      }
    }
    return (lo + hi) / 2;
  }

  private static double cdf(long x, long n, double p) {
    double sum = 0;
    for (long j = 0; j <= x; j++) {
      double logTerm =
          LogGamma.choose(n, j) + j * StrictMath.log(p) + (n - j) * StrictMath.log1p(-p);
      sum += StrictMath.exp(logTerm);
    }
    return sum;
  }
}
