package dev.rolloutledger.domain.gate;

/**
 * ln Gamma(x) for x > 0, from {@link StrictMath} only, so the result is the same double on every
 * JDK. Stirling's series after shifting x to at least 8; absolute error below 1e-12.
 */
final class LogGamma {
  private static final double HALF_LOG_TWO_PI = 0.5 * StrictMath.log(2 * Math.PI);

  private LogGamma() {}

  static double of(double x) {
    if (!(x > 0) || Double.isInfinite(x)) {
      throw new IllegalArgumentException("x must be a finite number > 0: " + x);
    }
    // Gamma(x) = Gamma(x + m) / (x (x+1) ... (x+m-1)): move x into the series' accurate range.
    double product = 1;
    while (x < 8) {
      product *= x;
      x += 1;
    }
    double inv = 1 / x;
    double inv2 = inv * inv;
    double series =
        inv
            * (1.0 / 12
                - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 / 1188))));
    return (x - 0.5) * StrictMath.log(x) - x + HALF_LOG_TWO_PI + series - StrictMath.log(product);
  }

  /** ln of the binomial coefficient C(n, k), 0 <= k <= n. */
  static double choose(long n, long k) {
    return of(n + 1.0) - of(k + 1.0) - of(n - k + 1.0);
  }
}
