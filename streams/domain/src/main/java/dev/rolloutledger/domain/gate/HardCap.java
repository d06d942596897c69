package dev.rolloutledger.domain.gate;

import dev.rolloutledger.domain.InvalidFieldException;

/**
 * The failure fraction cap, the engine's hard cap: HALT regardless of statistics when too large a
 * share of a wave's updated hosts fail, unless the baseline is failing comparably (a shared shock).
 * The engine applies it to the current wave of a gated rollout whenever it counts a failure there.
 *
 * <p>Why: {@link CohortEvidence} learns from where failures fall relative to exposure. With no
 * baseline exposure (a wave that takes the whole selector, a tiny fleet) every failure is
 * "expected" in the updated cohort and the evidence cannot grow; with very little, it grows slowly.
 * The cap catches a gross failure there.
 *
 * <p>Definition. {@code updated} counts the wave's hosts that applied and how many of them fail by
 * any signal (crashed, silent, over limits); {@code baseline} counts the rollout's hosts not yet
 * updated and how many of them are failing now (the engine also counts those quiet for half a
 * heartbeat timeout: a shock silences both cohorts, but a silence is only certain a timeout after
 * the last heartbeat). On a version 3 journal ({@code EngineConfig.silenceCountsWhileItLasts}) the
 * engine counts the updated cohort's silent hosts only while they are silent, as the baseline's: a
 * host that is back is not failing now, and counting it after a shared shock would charge the shock
 * to the release once the baseline has recovered. The cap fires when all three hold:
 *
 * <ul>
 *   <li>{@code updated.failures >= minFailures};
 *   <li>{@code updated.failures / max(updated.hosts, 1) > maxFraction};
 *   <li>no shared shock: the baseline has no hosts or no failures, or its failing fraction is below
 *       {@code shockRatio} times the updated cohort's.
 * </ul>
 *
 * A shock that hits both cohorts (a region's network) raises both fractions alike and keeps the cap
 * quiet; the evidence, which compares cohorts, is unaffected by it too. The guard compares point
 * fractions, so a baseline of a handful of hosts is a weak guard; a baseline failing well above its
 * usual rate for other reasons also silences the cap (then the evidence still applies).
 *
 * <p>A plan names the first two {@code minCrashes} and {@code maxCrashFraction}, and a halt by the
 * cap has the reason "crash fraction cap": names from when it counted crashes only, kept because
 * plans and recorded ledgers carry them.
 *
 * @param minFailures the cap fires from this many failing hosts on, at least 1
 * @param maxFraction in [0,1]: the failing share of the applied hosts the wave may reach
 * @param shockRatio in (0,1]: how close to the updated cohort's failing fraction the baseline's
 *     must be to count as a shared shock ({@link #SHOCK_RATIO}: at least half of it)
 */
public record HardCap(int minFailures, double maxFraction, double shockRatio) {

  /** The engine's shock ratio: a baseline failing at half the wave's rate or more is a shock. */
  public static final double SHOCK_RATIO = 0.5;

  public HardCap {
    if (minFailures < 1) {
      throw new InvalidFieldException("minFailures", "must be >= 1");
    }
    // Written so that NaN fails too.
    if (!(maxFraction >= 0 && maxFraction <= 1)) {
      throw new InvalidFieldException("maxFraction", "must be in [0,1]");
    }
    if (!(shockRatio > 0 && shockRatio <= 1)) {
      throw new InvalidFieldException("shockRatio", "must be in (0,1]");
    }
  }

  /** Whether the cap halts the rollout: exceeded, and no shared shock explains it. */
  public boolean fires(CohortCounts updated, CohortCounts baseline) {
    return exceeded(updated) && !sharedShock(updated, baseline);
  }

  /**
   * The updated cohort alone is over the cap. The engine asks this first and counts the baseline
   * only when it is.
   */
  public boolean exceeded(CohortCounts updated) {
    present("updated", updated);
    return updated.failures() >= minFailures && fraction(updated) > maxFraction;
  }

  /** The baseline fails at least {@code shockRatio} times as often as the updated cohort. */
  public boolean sharedShock(CohortCounts updated, CohortCounts baseline) {
    present("updated", updated);
    present("baseline", baseline);
    if (baseline.hosts() == 0 || baseline.failures() == 0) {
      return false;
    }
    return (double) baseline.failures() / baseline.hosts() >= shockRatio * fraction(updated);
  }

  private static double fraction(CohortCounts updated) {
    return (double) updated.failures() / Math.max(updated.hosts(), 1);
  }

  private static void present(String field, CohortCounts counts) {
    if (counts == null) {
      throw new InvalidFieldException(field, "must not be null");
    }
  }
}
