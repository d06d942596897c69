package dev.rolloutledger.domain.gate;

import dev.rolloutledger.domain.InvalidFieldException;

/**
 * An anytime-valid upper confidence bound on a cohort's failure probability {@code p}, for a wave's
 * maximum failure rate: PROMOTE only once the bound is below it.
 *
 * <p>Hosts are Bernoulli(p) trials, counted in the order their outcome becomes known: a host counts
 * once it failed, or once its observation (heartbeat timeout, bake) passed without a failure.
 * Failures being known sooner than successes only makes the bound higher (more cautious) while
 * hosts are pending.
 *
 * <h2>Construction</h2>
 *
 * Robbins' method of mixtures with the Krichevsky-Trofimov prior Beta(1/2, 1/2). For a candidate
 * {@code q}, the e-value {@code M_n(q) = m_n / L_n(q)} compares the mixture's likelihood of the
 * outcomes, {@code m_n = B(k + 1/2, n - k + 1/2) / B(1/2, 1/2)}, with their likelihood under {@code
 * q}, {@code L_n(q) = q^k (1-q)^(n-k)}. Under {@code p = q}, {@code M_n(q)} is a nonnegative
 * martingale starting at 1, so by Ville's inequality {@code P(exists n: M_n(p) >= 1/alpha) <=
 * alpha}: the set {@code {q : M_n(q) < 1/alpha}} contains {@code p} at every n at once with
 * probability at least {@code 1 - alpha}. {@code -ln L_n(q)} is convex in q with its minimum at
 * {@code k/n}, so the set is an interval; this returns its upper end, found by Newton's method on
 * the log-odds (from above, so every iterate is a valid, slightly higher bound). Width is about
 * {@code sqrt(2 p (ln(1/alpha) + ln(n)/2) / n)}: the {@code ln(n)/2} is the price of looking at
 * every n. With no failure the bound is exactly {@code 1 - exp(-c/n)}, {@code c = ln(1/alpha) - ln
 * m_n}: 0.0086 at n = 1000, alpha = 0.01 (a test for that one n would give 0.0046).
 *
 * <p>Reference: Howard, Ramdas, McAuliffe, Sekhon, "Time-uniform, nonparametric, nonasymptotic
 * confidence sequences", Ann. Stat. 2021 (the beta-binomial mixture boundary).
 */
public final class FailureRateUpperBound {
  private static final double LOG_PI = StrictMath.log(Math.PI);
  private static final int MAX_NEWTON_STEPS = 100;

  private FailureRateUpperBound() {}

  /**
   * The upper end of the confidence sequence after {@code hosts} outcomes, {@code failures} of them
   * failures. 1 when nothing is known ({@code hosts == 0}) or every host failed.
   *
   * @param hosts hosts whose outcome is known, {@code >= 0}
   * @param failures how many of them failed, in {@code [0, hosts]}
   * @param alpha chance that the bound is ever below the true failure probability, in (0,1)
   */
  public static double upperBound(long hosts, long failures, double alpha) {
    if (hosts < 0) {
      throw new InvalidFieldException("hosts", "must be >= 0");
    }
    if (failures < 0 || failures > hosts) {
      throw new InvalidFieldException("failures", "must be in [0, hosts]");
    }
    CohortEvidence.probability("alpha", alpha);
    if (hosts == 0 || failures == hosts) {
      return 1;
    }
    double n = hosts;
    double k = failures;
    double logMixture =
        LogGamma.of(k + 0.5) + LogGamma.of(n - k + 0.5) - LogGamma.of(n + 1) - LOG_PI;
    // q is outside the sequence when -ln L_n(q) >= c.
    double c = -StrictMath.log(alpha) - logMixture;
    if (failures == 0) {
      return -StrictMath.expm1(-c / n);
    }
    double pHat = k / n;
    double zHat = StrictMath.log(pHat) - StrictMath.log1p(-pHat);
    // g(z) = -ln L_n(sigmoid(z)) is convex in the log-odds z and increasing right of zHat, so
    // Newton's method started right of the root stays right of it and converges to it.
    double gap = c - negLogLikelihood(zHat, n, k);
    // Pinsker: KL(pHat, q) >= 2 (q - pHat)^2, so this start is right of the root.
    double start = pHat + StrictMath.sqrt(gap / (2 * n));
    double z;
    if (start < 1) {
      z = StrictMath.log(start) - StrictMath.log1p(-start);
    } else {
      double step = 1;
      while (negLogLikelihood(zHat + step, n, k) < c) {
        step *= 2;
      }
      z = zHat + step;
    }
    double excess = negLogLikelihood(z, n, k) - c;
    for (int i = 0; i < MAX_NEWTON_STEPS && excess > 1e-12 * c; i++) {
      double next = z - excess / slope(z, n, k);
      if (!(next < z)) {
        break;
      }
      double nextExcess = negLogLikelihood(next, n, k) - c;
      if (nextExcess < 0) {
        break; // rounding stepped past the root: keep the last iterate, which is still above it
      }
      z = next;
      excess = nextExcess;
    }
    return sigmoid(z);
  }

  /** {@code -ln L_n(sigmoid(z)) = k softplus(-z) + (n - k) softplus(z)}. */
  private static double negLogLikelihood(double z, double n, double k) {
    return k * softplus(-z) + (n - k) * softplus(z);
  }

  private static double slope(double z, double n, double k) {
    return -k * sigmoid(-z) + (n - k) * sigmoid(z);
  }

  private static double softplus(double z) {
    return Math.max(z, 0) + StrictMath.log1p(StrictMath.exp(-Math.abs(z)));
  }

  private static double sigmoid(double z) {
    if (z >= 0) {
      return 1 / (1 + StrictMath.exp(-z));
    }
    double e = StrictMath.exp(z);
    return e / (1 + e);
  }
}
