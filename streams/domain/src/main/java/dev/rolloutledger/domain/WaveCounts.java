package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * Hosts of one wave: assigned to it, applied the release (a failed apply or a crash counts as
 * applied), crashed (a failed apply counts as crashed), silent (applied, then sent nothing past the
 * heartbeat timeout), hot (alive with a metric over the plan's limits). A failing host is counted
 * under one signal only. {@code lastAppliedAt}: event time of the wave's latest apply; the wave
 * promotes only once that is a heartbeat timeout old, so no silence verdict is still pending.
 */
public record WaveCounts(
    String wave,
    int assigned,
    int applied,
    int crashed,
    int silent,
    int hot,
    int dispatched,
    Instant lastAppliedAt) {

  public WaveCounts(
      String wave, int assigned, int applied, int crashed, int silent, int hot, int dispatched) {
    this(wave, assigned, applied, crashed, silent, hot, dispatched, null);
  }

  public WaveCounts(String wave, int assigned, int applied, int crashed) {
    this(wave, assigned, applied, crashed, 0, 0, 0);
  }

  public WaveCounts(String wave, int assigned, int applied, int crashed, int silent, int hot) {
    this(wave, assigned, applied, crashed, silent, hot, 0);
  }

  public WaveCounts {
    Checks.id("wave", wave);
    if (crashed < 0
        || silent < 0
        || hot < 0
        || crashed + silent + hot > applied
        || applied > assigned) {
      throw new InvalidFieldException(
          "crashed", "must satisfy 0 <= crashed + silent + hot <= applied <= assigned");
    }
    if (dispatched < 0 || dispatched > assigned) {
      throw new InvalidFieldException("dispatched", "must satisfy 0 <= dispatched <= assigned");
    }
  }

  public static WaveCounts empty(String wave) {
    return new WaveCounts(wave, 0, 0, 0, 0, 0, 0, null);
  }

  public WaveCounts plus(int moreAssigned, int moreApplied, int moreCrashed) {
    return new WaveCounts(
        wave,
        assigned + moreAssigned,
        applied + moreApplied,
        crashed + moreCrashed,
        silent,
        hot,
        dispatched,
        lastAppliedAt);
  }

  public WaveCounts plusSilent(int moreSilent) {
    return new WaveCounts(
        wave, assigned, applied, crashed, silent + moreSilent, hot, dispatched, lastAppliedAt);
  }

  public WaveCounts plusHot(int moreHot) {
    return new WaveCounts(
        wave, assigned, applied, crashed, silent, hot + moreHot, dispatched, lastAppliedAt);
  }

  public WaveCounts plusDispatched(int moreDispatched) {
    return new WaveCounts(
        wave, assigned, applied, crashed, silent, hot, dispatched + moreDispatched, lastAppliedAt);
  }

  /** A host of the wave applied at {@code at}; the latest apply is kept. */
  public WaveCounts appliedAt(Instant at) {
    Instant latest = lastAppliedAt == null || at.isAfter(lastAppliedAt) ? at : lastAppliedAt;
    return new WaveCounts(wave, assigned, applied, crashed, silent, hot, dispatched, latest);
  }

  /** Hosts failing by any signal: crashed (or failed apply), silent or hot. */
  public int failed() {
    return crashed + silent + hot;
  }
}
