package dev.rolloutledger.domain.sim;

import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Every random draw of a simulation, from one {@link SplittableRandom} seeded by the scenario. The
 * callers draw in a fixed order, so a scenario and seed give the same run; a feature a scenario
 * does not use draws nothing, so adding one leaves the runs of older scenarios as they were.
 */
final class Draws {
  private final SplittableRandom random;

  Draws(long seed) {
    this.random = new SplittableRandom(seed);
  }

  double uniform() {
    return random.nextDouble();
  }

  int below(int bound) {
    return random.nextInt(bound);
  }

  /** A stream of its own, so that what it draws does not shift the others. */
  SplittableRandom split() {
    return random.split();
  }

  /** A value of a label, each with its share (the shares add up to 1). */
  String share(Map<String, Double> shares) {
    double u = random.nextDouble();
    String last = null;
    for (Map.Entry<String, Double> share : shares.entrySet()) {
      last = share.getKey();
      u -= share.getValue();
      if (u < 0) {
        return last;
      }
    }
    return last;
  }

  /**
   * Whole seconds, lognormal by median and p95: ln X ~ N(ln median, (ln p95 - ln median) / 1.645).
   * A median under a second counts as one.
   */
  long lognormalSeconds(Duration medianDelay, Duration p95Delay) {
    double median = Math.max(1, medianDelay.toMillis()) / 1000.0;
    double p95 = Math.max(median, p95Delay.toMillis() / 1000.0);
    double sigma = Math.log(p95 / median) / 1.6448536269514722;
    return Math.round(median * Math.exp(sigma * gaussian()));
  }

  private double gaussian() {
    // Box-Muller from two uniforms: no hidden state, so the draw order stays explicit
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Seconds to the next event of a Poisson process at {@code perHour}; "never" at rate 0. */
  long exponentialSeconds(double perHour) {
    if (perHour <= 0) {
      return Long.MAX_VALUE / 4;
    }
    double hours = -Math.log(1.0 - random.nextDouble()) / perHour;
    return (long) Math.min(Long.MAX_VALUE / 4.0, Math.ceil(hours * 3600));
  }
}
