package dev.rolloutledger.domain;

/**
 * Hosts of one wave: assigned to it, applied the release (a failed apply or a crash counts as
 * applied), crashed (a failed apply counts as crashed), silent (applied, did not crash, then sent
 * nothing past the heartbeat timeout). Each host is counted at most once in each.
 */
public record WaveCounts(String wave, int assigned, int applied, int crashed, int silent) {

  public WaveCounts(String wave, int assigned, int applied, int crashed) {
    this(wave, assigned, applied, crashed, 0);
  }

  public WaveCounts {
    Checks.id("wave", wave);
    if (crashed < 0 || silent < 0 || crashed + silent > applied || applied > assigned) {
      throw new InvalidFieldException(
          "crashed", "must satisfy 0 <= crashed + silent <= applied <= assigned");
    }
  }

  public static WaveCounts empty(String wave) {
    return new WaveCounts(wave, 0, 0, 0, 0);
  }

  public WaveCounts plus(int moreAssigned, int moreApplied, int moreCrashed) {
    return new WaveCounts(
        wave, assigned + moreAssigned, applied + moreApplied, crashed + moreCrashed, silent);
  }

  public WaveCounts plusSilent(int moreSilent) {
    return new WaveCounts(wave, assigned, applied, crashed, silent + moreSilent);
  }

  /** Hosts failing by any signal of this slice: crashed (or failed apply) or silent. */
  public int failed() {
    return crashed + silent;
  }
}
