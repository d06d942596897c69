package dev.rolloutledger.domain.gate;

import dev.rolloutledger.domain.InvalidFieldException;

/**
 * HALT regardless of statistics when more than {@code maxFailures} of the first {@code firstHosts}
 * updated hosts failed, unless the baseline is failing at a comparable rate.
 *
 * <p>Why: {@link CohortEvidence} learns from where failures fall relative to exposure. With no
 * baseline exposure (a wave that takes the whole selector, a tiny fleet) every failure is
 * "expected" in the updated cohort and the evidence cannot grow; with very little, it grows slowly.
 * The cap catches a gross failure there.
 *
 * <p>Definition, for one signal. The window runs from the first updated host's apply to now. {@code
 * updated} counts the first {@code firstHosts} hosts of the updated cohort (in apply order) and how
 * many of them failed; {@code baseline} counts the baseline hosts observed during the window and
 * how many of them failed in it. The cap fires when both hold:
 *
 * <ul>
 *   <li>{@code updated.failures > maxFailures};
 *   <li>the baseline is not failing comparably: it had no hosts, or its failure fraction is below
 *       {@code shockRatio} times the updated cohort's: {@code baseline.failures / baseline.hosts <
 *       shockRatio * updated.failures / updated.hosts}.
 * </ul>
 *
 * A shock that hits both cohorts (a region's network) raises both fractions alike and keeps the cap
 * quiet; the evidence, which compares cohorts, is unaffected by it too. The guard compares point
 * fractions, so a baseline of a handful of hosts is a weak guard; a baseline failing well above its
 * usual rate for other reasons also silences the cap (then the evidence still applies).
 *
 * @param maxFailures N: the cap fires at N + 1 failures; {@code 0 <= N < firstHosts}
 * @param firstHosts M: how many of the first updated hosts the cap watches, at least 1
 * @param shockRatio in (0,1]: how close to the updated cohort's failure fraction the baseline's
 *     must be to count as a shared shock (0.5: at least half of it)
 */
public record HardCap(int maxFailures, int firstHosts, double shockRatio) {

  public HardCap {
    if (firstHosts < 1) {
      throw new InvalidFieldException("firstHosts", "must be >= 1");
    }
    if (maxFailures < 0 || maxFailures >= firstHosts) {
      throw new InvalidFieldException("maxFailures", "must be in [0, firstHosts)");
    }
    if (!(shockRatio > 0 && shockRatio <= 1)) {
      throw new InvalidFieldException("shockRatio", "must be in (0,1]");
    }
  }

  /**
   * Whether the cap halts the rollout.
   *
   * @param updated the first {@code firstHosts} updated hosts (or fewer, so far) and their failures
   * @param baseline baseline hosts observed over the same window and their failures in it
   */
  public boolean fires(CohortCounts updated, CohortCounts baseline) {
    if (updated == null) {
      throw new InvalidFieldException("updated", "must not be null");
    }
    if (baseline == null) {
      throw new InvalidFieldException("baseline", "must not be null");
    }
    if (updated.hosts() > firstHosts) {
      throw new InvalidFieldException(
          "updated.hosts", "must be <= firstHosts (" + firstHosts + ")");
    }
    if (updated.failures() <= maxFailures) {
      return false;
    }
    if (baseline.hosts() == 0) {
      return true;
    }
    // Fractions compared by cross-multiplying: exact for any realistic count.
    double baselineSide = (double) baseline.failures() * updated.hosts();
    double updatedSide = shockRatio * updated.failures() * baseline.hosts();
    return baselineSide < updatedSide;
  }

  /**
   * The chance that the cap fires on a good release whose hosts each fail with probability {@code
   * p0} independently: {@code P(Binomial(firstHosts, p0) > maxFailures)}, ignoring the shock guard
   * (which can only lower it). Add it to the rollout's alpha for each place the cap is applied; for
   * {@code new HardCap(3, 20, 0.5)} at {@code p0 = 0.001} it is about 4.8e-9.
   */
  public double falseHaltProbability(double p0) {
    if (!(p0 >= 0 && p0 <= 1)) {
      throw new InvalidFieldException("p0", "must be in [0,1]");
    }
    if (p0 == 0) {
      return 0;
    }
    if (p0 == 1) {
      return 1;
    }
    double logP = StrictMath.log(p0);
    double logQ = StrictMath.log1p(-p0);
    double sum = 0;
    for (int j = maxFailures + 1; j <= firstHosts; j++) {
      sum += StrictMath.exp(LogGamma.choose(firstHosts, j) + j * logP + (firstHosts - j) * logQ);
    }
    return Math.min(1, sum);
  }
}
