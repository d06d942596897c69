package dev.rolloutledger.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What the engine knows about a host. {@code rollout}/{@code wave} are its latest assignment (both
 * null if never assigned); {@code applied}/{@code crashed} refer to that rollout's release. An
 * assignment to a HALTED or COMPLETED rollout no longer binds the host. {@code lastSeenAt} is the
 * event time of its last apply or heartbeat for that rollout; {@code silent}: it applied, then sent
 * nothing for longer than the plan's heartbeat timeout (the CrowdStrike signal); {@code hot}: it
 * applied and is alive, but a heartbeat carried a metric over the plan's limits (the Cloudflare
 * 2019 signal). A host counts as failing by at most one signal, the first seen. {@code dispatched}:
 * the Apply of its rollout was sent (dispatch is paced, so an assigned host may still wait). {@code
 * baselineFailing}: not yet updated (baseline cohort) and failing now (crashed, silent or hot on
 * its previous release); cleared when it heartbeats within limits again. {@code livenessReported}:
 * its rollout's plan takes liveness from a failure detector ({@link Liveness#REPORTED}), so the
 * host is alive until {@code silenceReported}: the detector said it is silent and no sign of life
 * came since. Silence is judged from {@code lastSeenAt} only while {@link #silenceClockRuns}.
 */
public record HostRecord(
    String tenant,
    String host,
    Map<String, String> labels,
    long lastCommandSeq,
    String rollout,
    String wave,
    boolean applied,
    boolean crashed,
    Instant lastSeenAt,
    boolean silent,
    boolean hot,
    boolean dispatched,
    boolean baselineFailing,
    boolean livenessReported,
    boolean silenceReported) {

  /** A host with no telemetry time yet (not applied, not silent). */
  public HostRecord(
      String tenant,
      String host,
      Map<String, String> labels,
      long lastCommandSeq,
      String rollout,
      String wave,
      boolean applied,
      boolean crashed) {
    this(
        tenant,
        host,
        labels,
        lastCommandSeq,
        rollout,
        wave,
        applied,
        crashed,
        null,
        false,
        false,
        false,
        false,
        false,
        false);
  }

  public HostRecord {
    Checks.tenant(tenant);
    Checks.id("host", host);
    labels = Checks.sortedMap("labels", labels);
    Checks.atLeast("lastCommandSeq", lastCommandSeq, 0);
    Checks.optionalId("rollout", rollout);
    Checks.optionalId("wave", wave);
    if ((rollout == null) != (wave == null)) {
      throw new InvalidFieldException("wave", "must be set exactly when rollout is set");
    }
    if (crashed && !applied) {
      throw new InvalidFieldException("applied", "must be true when crashed");
    }
    if ((silent || hot) && !applied) {
      throw new InvalidFieldException("applied", "must be true when silent or hot");
    }
    if (silenceReported && (!livenessReported || lastSeenAt == null)) {
      throw new InvalidFieldException(
          "silenceReported", "needs livenessReported and lastSeenAt (a detector's report)");
    }
  }

  /** A newly seen host: no commands, no assignment. */
  public static HostRecord registered(String tenant, String host, Map<String, String> labels) {
    return new HostRecord(tenant, host, labels, 0, null, null, false, false);
  }

  public HostRecord withLabels(Map<String, String> newLabels) {
    return new HostRecord(
        tenant,
        host,
        newLabels,
        lastCommandSeq,
        rollout,
        wave,
        applied,
        crashed,
        lastSeenAt,
        silent,
        hot,
        dispatched,
        baselineFailing,
        livenessReported,
        silenceReported);
  }

  public HostRecord withLastCommandSeq(long seq) {
    return new HostRecord(
        tenant,
        host,
        labels,
        seq,
        rollout,
        wave,
        applied,
        crashed,
        lastSeenAt,
        silent,
        hot,
        dispatched,
        baselineFailing,
        livenessReported,
        silenceReported);
  }

  /**
   * Assigned to a wave of a rollout, with nothing applied or crashed yet, liveness by heartbeats.
   */
  public HostRecord assignedTo(String newRollout, String newWave) {
    return assignedTo(newRollout, newWave, Liveness.HEARTBEATS);
  }

  /**
   * Assigned to a wave of a rollout, with nothing applied or crashed yet; its silence judged as
   * that rollout's plan says ({@code liveness}).
   */
  public HostRecord assignedTo(String newRollout, String newWave, Liveness liveness) {
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        newRollout,
        newWave,
        false,
        false,
        null,
        false,
        false,
        false,
        false,
        liveness == Liveness.REPORTED,
        false);
  }

  public HostRecord withOutcome(boolean newApplied, boolean newCrashed) {
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        rollout,
        wave,
        newApplied,
        newCrashed,
        lastSeenAt,
        silent,
        hot,
        dispatched,
        baselineFailing,
        livenessReported,
        silenceReported);
  }

  /**
   * Seen at {@code at} (never moves back in time). A sign of life after a detector's silence report
   * answers it: the host is taken as alive again.
   */
  public HostRecord seenAt(Instant at) {
    if (lastSeenAt != null && !at.isAfter(lastSeenAt)) {
      return this; // nothing new: no copy
    }
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        rollout,
        wave,
        applied,
        crashed,
        at,
        silent,
        hot,
        dispatched,
        baselineFailing,
        livenessReported,
        false);
  }

  /**
   * A failure detector reports that it has not seen the host since {@code detectorLastSeenAt}: the
   * silence clock runs from the later of that and the last sign of life the engine has. Only for a
   * host whose liveness is reported ({@link Liveness#REPORTED}); any other host is returned as is.
   */
  public HostRecord silenceReported(Instant detectorLastSeenAt) {
    if (!livenessReported || silenceReported && !detectorLastSeenAt.isAfter(lastSeenAt)) {
      return this;
    }
    Instant from =
        lastSeenAt == null || detectorLastSeenAt.isAfter(lastSeenAt)
            ? detectorLastSeenAt
            : lastSeenAt;
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        rollout,
        wave,
        applied,
        crashed,
        from,
        silent,
        hot,
        dispatched,
        baselineFailing,
        true,
        true);
  }

  /**
   * Whether the silence clock runs from {@code lastSeenAt}: seen, and either judged from heartbeats
   * or reported silent by a detector (a host whose liveness is reported is alive until then).
   */
  public boolean silenceClockRuns() {
    return lastSeenAt != null && (!livenessReported || silenceReported);
  }

  public HostRecord markedSilent() {
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        rollout,
        wave,
        applied,
        crashed,
        lastSeenAt,
        true,
        hot,
        dispatched,
        baselineFailing,
        livenessReported,
        silenceReported);
  }

  public HostRecord markedHot() {
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        rollout,
        wave,
        applied,
        crashed,
        lastSeenAt,
        silent,
        true,
        dispatched,
        baselineFailing,
        livenessReported,
        silenceReported);
  }

  /** Held before it applied: its Apply must be sent again (a person resumed the rollout). */
  public HostRecord awaitingDispatch() {
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        rollout,
        wave,
        applied,
        crashed,
        lastSeenAt,
        silent,
        hot,
        false,
        baselineFailing,
        livenessReported,
        silenceReported);
  }

  /** Sent the Apply of its rollout. */
  public HostRecord markedDispatched() {
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        rollout,
        wave,
        applied,
        crashed,
        lastSeenAt,
        silent,
        hot,
        true,
        baselineFailing,
        livenessReported,
        silenceReported);
  }

  /** A host of the baseline cohort (not yet updated) failing, or recovered. */
  public HostRecord withBaselineFailing(boolean failing) {
    if (failing == baselineFailing) {
      return this; // the common case, at every heartbeat of a healthy baseline host
    }
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        rollout,
        wave,
        applied,
        crashed,
        lastSeenAt,
        silent,
        hot,
        dispatched,
        failing,
        livenessReported,
        silenceReported);
  }

  /**
   * Not yet updated, not failing, seen before, and nothing seen for longer than {@code timeout}.
   */
  public boolean baselineSilentAt(Instant now, Duration timeout) {
    return !applied
        && !baselineFailing
        && silenceClockRuns()
        && now.isAfter(lastSeenAt.plus(timeout));
  }

  /** Counted as failing by one signal already: crashed (or failed apply), silent or hot. */
  public boolean failing() {
    return crashed || silent || hot;
  }

  /** Applied, not yet failing, and nothing seen for longer than {@code timeout}. */
  public boolean silentAt(Instant now, Duration timeout) {
    return applied && !failing() && silenceClockRuns() && now.isAfter(lastSeenAt.plus(timeout));
  }
}
