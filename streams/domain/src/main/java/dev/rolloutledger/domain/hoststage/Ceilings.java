package dev.rolloutledger.domain.hoststage;

import java.util.Map;

/** How a heartbeat's metrics stand against the tenant's watched ceilings, packed in a long. */
final class Ceilings {
  private static final int MAX_PACKED_METRICS = 8;

  private Ceilings() {}

  /**
   * Which ceilings the metrics exceed: per watched metric, how many of its ascending ceilings the
   * value is over (the engine's test: value > limit), 8 bits each; -1 when that does not pack.
   */
  static long over(String[] watched, double[][] ceilings, Map<String, Double> metrics) {
    if (metrics.isEmpty() || watched.length == 0) {
      return 0;
    }
    long packed = 0;
    boolean overflow = false;
    for (int i = 0; i < watched.length; i++) {
      Double value = metrics.get(watched[i]);
      if (value == null) {
        continue;
      }
      double[] c = ceilings[i];
      int n = 0;
      while (n < c.length && value > c[n]) {
        n++;
      }
      if (n == 0) {
        continue;
      }
      if (i >= MAX_PACKED_METRICS || n > 255) {
        overflow = true;
      } else {
        packed |= ((long) n) << (8 * i);
      }
    }
    return overflow ? -1 : packed;
  }
}
