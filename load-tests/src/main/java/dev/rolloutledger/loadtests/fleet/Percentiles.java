package dev.rolloutledger.loadtests.fleet;

import java.util.Arrays;

/** Order statistics of a sample by the nearest-rank method (no interpolation). */
public final class Percentiles {
  private final double[] sorted;

  public Percentiles(double[] values) {
    this.sorted = values.clone();
    Arrays.sort(sorted);
  }

  public int count() {
    return sorted.length;
  }

  /** The smallest value with at least {@code p} percent of the sample at or below it. */
  public double at(double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    if (p <= 0) {
      return sorted[0];
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1];
  }

  public double min() {
    return at(0);
  }

  public double max() {
    return at(100);
  }
}
