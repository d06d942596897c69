package dev.rolloutledger.domain.gate;

import dev.rolloutledger.domain.InvalidFieldException;
import java.util.Arrays;

/**
 * The evidence, for one signal of one rollout, on whether updated hosts fail more often than
 * baseline hosts: an anytime-valid two-sample test on counts. Immutable; {@link #observeFailure}
 * returns the next state. Evidence carries across the waves of a rollout.
 *
 * <h2>Model</h2>
 *
 * Failures in each cohort are Poisson counts over exposure, with rates {@code lambda} (baseline)
 * and {@code r * lambda} (updated); {@code lambda} may vary in time (a shock), {@code r} is the
 * failure-rate ratio under test. Given that a failure happens, it comes from the updated cohort
 * with probability {@code theta_r = r*theta0 / (r*theta0 + 1 - theta0)}, where {@code theta0} is
 * the updated cohort's share of exposure at that moment. "At that moment" means the share of the
 * rate at which exposure accrues: hosts of the updated cohort at risk / hosts of both cohorts at
 * risk. It is not the share of host-seconds accumulated since the rollout began; that lags behind a
 * growing updated cohort, makes updated failures look surprising and halts good releases.
 *
 * <h2>State</h2>
 *
 * The log-likelihood ratio of {@code r} against {@code r = 1}, {@code l(r) = sum over failures of
 * [updated] ln r - ln(1 + theta0 (r - 1))}, kept on the grid {@code r = 2^(i/8)}, {@code i = -72 ..
 * 72} ({@link #ratio(int)}). That is 145 doubles (about 1.2 KB) whatever the number of failures;
 * the index of {@code r = 1} is {@link #ONE}. The grid is part of the persisted form.
 *
 * <h2>Why a halt is a false halt with probability at most alpha</h2>
 *
 * Under "no regression" ({@code r = 1}) each failure is from the updated cohort with probability
 * {@code theta0}, whatever happened before (theta0 is fixed by who was at risk before the failure).
 * Each factor {@code theta_r/theta0} or {@code (1-theta_r)/(1-theta0)} then has conditional
 * expectation 1, so for every fixed {@code r} the likelihood ratio is a nonnegative martingale with
 * initial value 1, and so is their average, the {@link #eValue()}. Ville's inequality for
 * nonnegative supermartingales: {@code P(sup_t E_t >= 1/alpha) <= alpha * E_0 = alpha}. The bound
 * is on the supremum over all times, so the engine may look after every event, and across any
 * number of waves, without the optional-stopping inflation of a fixed-sample test.
 */
public record CohortEvidence(long updatedFailures, long baselineFailures, double[] logRatios) {

  /** Grid steps per doubling of {@code r}. */
  static final int STEPS_PER_DOUBLING = 8;

  /** The grid spans {@code 2^-9 .. 2^9}: the mixture's largest ratio and its inverse. */
  static final int DOUBLINGS = 9;

  /** Index of {@code r = 1} in {@link #logRatios()}. */
  public static final int ONE = STEPS_PER_DOUBLING * DOUBLINGS;

  /** Length of {@link #logRatios()}. */
  public static final int GRID_SIZE = 2 * ONE + 1;

  private static final double[] LOG_RATIO = new double[GRID_SIZE];
  private static final double[] RATIO_MINUS_ONE = new double[GRID_SIZE];
  private static final double LOG_COMPONENTS = StrictMath.log(DOUBLINGS);
  private static final double LOG_ALTERNATIVES = StrictMath.log(ONE);

  static {
    double logTwo = StrictMath.log(2);
    for (int i = 0; i < GRID_SIZE; i++) {
      LOG_RATIO[i] = (i - ONE) * logTwo / STEPS_PER_DOUBLING;
      RATIO_MINUS_ONE[i] = StrictMath.expm1(LOG_RATIO[i]);
    }
  }

  /** No failure seen yet: every likelihood ratio is 1. */
  public static final CohortEvidence NONE = new CohortEvidence(0, 0, new double[GRID_SIZE]);

  /**
   * @param updatedFailures failures observed in the updated cohort
   * @param baselineFailures failures observed in the baseline cohort
   * @param logRatios {@code l(ratio(i))}, the natural log of the likelihood ratio of {@code r =
   *     ratio(i)} against {@code r = 1}; {@code logRatios[ONE]} is 0
   */
  public CohortEvidence {
    if (updatedFailures < 0) {
      throw new InvalidFieldException("updatedFailures", "must be >= 0");
    }
    if (baselineFailures < 0) {
      throw new InvalidFieldException("baselineFailures", "must be >= 0");
    }
    if (logRatios == null) {
      throw new InvalidFieldException("logRatios", "must not be null");
    }
    if (logRatios.length != GRID_SIZE) {
      throw new InvalidFieldException("logRatios", "must have " + GRID_SIZE + " entries");
    }
    logRatios = logRatios.clone();
    for (int i = 0; i < GRID_SIZE; i++) {
      if (!Double.isFinite(logRatios[i])) {
        throw new InvalidFieldException("logRatios[" + i + "]", "must be finite");
      }
    }
    if (logRatios[ONE] != 0) {
      throw new InvalidFieldException("logRatios[" + ONE + "]", "must be 0 (r = 1 against itself)");
    }
  }

  /** The ratio {@code r} at grid index {@code i}: {@code 2^((i - ONE) / 8)}. */
  public static double ratio(int i) {
    if (i < 0 || i >= GRID_SIZE) {
      throw new InvalidFieldException("i", "must be in [0," + (GRID_SIZE - 1) + "]");
    }
    return StrictMath.pow(2, (double) (i - ONE) / STEPS_PER_DOUBLING);
  }

  /** A copy of the grid of log-likelihood ratios (the array is never shared). */
  @Override
  public double[] logRatios() {
    return logRatios.clone();
  }

  /**
   * The state after one failure.
   *
   * @param cohort the cohort of the failing host
   * @param updatedShare theta0: the updated cohort's share of hosts at risk when the failure
   *     happened, in [0,1]
   */
  public CohortEvidence observeFailure(Cohort cohort, double updatedShare) {
    return observeFailures(cohort, updatedShare, 1);
  }

  /**
   * The state after {@code count} failures of one cohort at the same share (reported at one
   * moment). Equivalent to {@code count} calls of {@link #observeFailure} up to rounding; a replay
   * must make the same calls to get the same bits.
   */
  public CohortEvidence observeFailures(Cohort cohort, double updatedShare, long count) {
    if (cohort == null) {
      throw new InvalidFieldException("cohort", "must not be null");
    }
    // Written so that NaN fails too.
    if (!(updatedShare >= 0 && updatedShare <= 1)) {
      throw new InvalidFieldException("updatedShare", "must be in [0,1]");
    }
    if (count < 0) {
      throw new InvalidFieldException("count", "must be >= 0");
    }
    if (count == 0) {
      return this;
    }
    boolean updated = cohort == Cohort.UPDATED;
    double[] next = logRatios.clone();
    for (int i = 0; i < GRID_SIZE; i++) {
      // ln(theta_r/theta0) = ln r - ln(1 + theta0 (r-1)); ln((1-theta_r)/(1-theta0)) = -ln(1 +
      // theta0 (r-1)). Finite for every theta0 in [0,1], also at the edges, where they are the
      // limits (an updated failure with no updated exposure is worth exactly r).
      double perFailure =
          (updated ? LOG_RATIO[i] : 0) - StrictMath.log1p(updatedShare * RATIO_MINUS_ONE[i]);
      next[i] += count * perFailure;
    }
    return new CohortEvidence(
        updated ? Math.addExact(updatedFailures, count) : updatedFailures,
        updated ? baselineFailures : Math.addExact(baselineFailures, count),
        next);
  }

  /** ln of the {@link #eValue()}: log-sum-exp over the mixture's components, safe from overflow. */
  public double logEValue() {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 1; j <= DOUBLINGS; j++) {
      max = Math.max(max, logRatios[ONE + j * STEPS_PER_DOUBLING]);
    }
    double sum = 0;
    for (int j = 1; j <= DOUBLINGS; j++) {
      sum += StrictMath.exp(logRatios[ONE + j * STEPS_PER_DOUBLING] - max);
    }
    return max + StrictMath.log(sum) - LOG_COMPONENTS;
  }

  /**
   * The evidence of a regression: the likelihood ratio of {@code r} against {@code r = 1}, averaged
   * with equal weights over {@code r in {2, 4, 8, ..., 512}}. 1 before any failure, never negative;
   * a baseline failure never raises it. May be {@code +Infinity} after very many updated failures
   * (use {@link #logEValue()} to compare).
   */
  public double eValue() {
    return StrictMath.exp(logEValue());
  }

  /**
   * Whether the evidence of a regression reached {@code 1/alpha}: HALT. Under no regression this
   * ever happens with probability at most {@code alpha}.
   */
  public boolean crossed(double alpha) {
    return logEValue() >= -StrictMath.log(probability("alpha", alpha));
  }

  /**
   * The evidence of safety: the likelihood ratio of {@code r = 1} against {@code r =
   * toleratedRatio}, given the failures so far. It is an e-value for "the release is at least
   * toleratedRatio times worse" (for every true {@code r >= toleratedRatio} its expectation is at
   * most 1), so reaching {@code 1/beta} proves the release is not that much worse. The ledger
   * records it; it is never a requirement to promote.
   *
   * <p>On the grid it is exact. Between grid points, {@code l} is concave in {@code ln r} (a sum of
   * log-sigmoids), so the extensions of the neighbouring chords bound it from above and the value
   * returned is a lower bound on the exact one (within a few percent); beyond {@code r = 512} the
   * last chord is extended.
   *
   * @param toleratedRatio a finite ratio > 1
   */
  public double safetyEvidence(double toleratedRatio) {
    if (!(toleratedRatio > 1) || Double.isInfinite(toleratedRatio)) {
      throw new InvalidFieldException("toleratedRatio", "must be a finite number > 1");
    }
    double x = ONE + STEPS_PER_DOUBLING * StrictMath.log(toleratedRatio) / StrictMath.log(2);
    int a = (int) Math.min(StrictMath.floor(x), GRID_SIZE - 1);
    // The chord through a-1 and a, extended to x >= a, lies above a concave function.
    double upper = logRatios[a] + (x - a) * (logRatios[a] - logRatios[a - 1]);
    int b = a + 1;
    if (b + 1 < GRID_SIZE) {
      // So does the chord through b and b+1, extended back to x <= b.
      upper = Math.min(upper, logRatios[b] - (b - x) * (logRatios[b + 1] - logRatios[b]));
    }
    return StrictMath.exp(-upper);
  }

  /**
   * An anytime-valid upper bound on the failure-rate ratio {@code r}: with probability at least
   * {@code 1 - alpha}, {@code r < ratioUpperBound(alpha)} at every moment of the rollout at once.
   * {@code +Infinity} until the failures rule out some ratio; at least 1 (a release better than its
   * baseline is reported as "at most 1").
   *
   * <p>Construction: for each grid ratio {@code c >= 1}, the e-value {@code E_c} = average, with
   * equal weights, over the 72 grid ratios {@code c'} from {@code c/512} up to just below {@code c}
   * of the likelihood ratio of {@code c'} against {@code c}. Each factor of a ratio of a smaller
   * against a larger {@code theta} has expectation at most 1 whenever the true {@code r >= c}, so
   * {@code E_c} tests "r >= c" at level alpha by Ville's inequality. {@code l} is concave in {@code
   * ln r}, so {@code l(c/m) - l(c)} grows with {@code c} for each {@code m}: once some {@code c} is
   * rejected, every larger one is, and bisection finds the smallest. That is the bound; it fails
   * (true {@code r >= bound}) only if the largest grid ratio at most the true {@code r} is
   * rejected, which has probability at most alpha. Alternatives on the whole grid let it close in
   * on the true ratio to within a grid step or two (9% each) as failures accumulate; the regression
   * mixture's powers of two alone could not get below about 1.4 times it. This is a valid
   * inversion; the intuitive "LR of r against the best-fitting r" is not (it is not a
   * supermartingale).
   */
  public double ratioUpperBound(double alpha) {
    double threshold = -StrictMath.log(probability("alpha", alpha));
    if (logEValueAgainst(GRID_SIZE - 1) < threshold) {
      return Double.POSITIVE_INFINITY;
    }
    // Rejection is monotone in c, so bisect for the smallest rejected c: invariant lo not
    // rejected (or lo = ONE - 1), hi rejected.
    int lo = ONE - 1;
    int hi = GRID_SIZE - 1;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (logEValueAgainst(mid) >= threshold) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return ratio(hi);
  }

  /** ln E_c: the equal mixture of the 72 grid ratios below grid ratio c, against c. */
  private double logEValueAgainst(int c) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 1; j <= ONE; j++) {
      max = Math.max(max, logRatios[c - j]);
    }
    double sum = 0;
    for (int j = 1; j <= ONE; j++) {
      sum += StrictMath.exp(logRatios[c - j] - max);
    }
    return max - logRatios[c] + StrictMath.log(sum) - LOG_ALTERNATIVES;
  }

  /** What the ledger records for this evidence, in canonical text ({@link LedgerDecimal}). */
  public EvidenceSummary summary(double alpha, double toleratedRatio) {
    return new EvidenceSummary(
        updatedFailures,
        baselineFailures,
        LedgerDecimal.of(eValue()),
        LedgerDecimal.of(toleratedRatio),
        LedgerDecimal.of(safetyEvidence(toleratedRatio)),
        LedgerDecimal.of(alpha),
        LedgerDecimal.of(ratioUpperBound(alpha)));
  }

  static double probability(String field, double value) {
    if (!(value > 0 && value < 1)) {
      throw new InvalidFieldException(field, "must be in (0,1)");
    }
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CohortEvidence other
        && updatedFailures == other.updatedFailures
        && baselineFailures == other.baselineFailures
        && Arrays.equals(logRatios, other.logRatios);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(updatedFailures) + Long.hashCode(baselineFailures))
        + Arrays.hashCode(logRatios);
  }

  @Override
  public String toString() {
    return "CohortEvidence[updatedFailures="
        + updatedFailures
        + ", baselineFailures="
        + baselineFailures
        + ", eValue="
        + LedgerDecimal.of(eValue())
        + "]";
  }
}
