package dev.rolloutledger.domain;

/**
 * Hosts of one wave: assigned to it, applied the release (a failed apply or a crash counts as
 * applied), crashed (a failed apply counts as crashed). Each host is counted at most once.
 */
public record WaveCounts(String wave, int assigned, int applied, int crashed) {

  public WaveCounts {
    Checks.id("wave", wave);
    if (crashed < 0 || crashed > applied || applied > assigned) {
      throw new InvalidFieldException(
          "crashed", "must satisfy 0 <= crashed <= applied <= assigned");
    }
  }

  public static WaveCounts empty(String wave) {
    return new WaveCounts(wave, 0, 0, 0);
  }

  public WaveCounts plus(int moreAssigned, int moreApplied, int moreCrashed) {
    return new WaveCounts(
        wave, assigned + moreAssigned, applied + moreApplied, crashed + moreCrashed);
  }
}
