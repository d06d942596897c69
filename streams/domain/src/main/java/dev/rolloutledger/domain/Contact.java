package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * What the engine heard from a host across rollouts (kept when the host is assigned again): its
 * latest sign of life, whether a failure detector reported it silent since, the release it last
 * reported, and its {@link HostLifecycle}.
 *
 * <p>Under heartbeats absorbed by the host stage (ADR 0007) the engine hears a host's first
 * heartbeat, its applies and crash reports, and the detectors' reports: {@code signOfLifeAt} is
 * then the latest of those, and {@code offline} says whether the host is silent now. Under
 * heartbeats read by the engine itself, every heartbeat moves {@code signOfLifeAt}.
 *
 * @param signOfLifeAt event time of its latest sign of life, null if never seen
 * @param offline a failure detector reported it silent and no sign of life came since
 * @param reportedRelease the release it last reported (apply or heartbeat), null if none
 * @param lifecycle as its operator set it
 */
public record Contact(
    Instant signOfLifeAt, boolean offline, String reportedRelease, HostLifecycle lifecycle) {

  /** A host never heard from. */
  public static final Contact NONE = new Contact(null, false, null, HostLifecycle.ACTIVE);

  public Contact {
    Checks.present("lifecycle", lifecycle);
    if (offline && signOfLifeAt == null) {
      throw new InvalidFieldException("offline", "needs a sign of life before the silence");
    }
  }

  /** Heard at {@code at} (never moves back in time); a sign of life answers a silence report. */
  public Contact heardAt(Instant at) {
    if (signOfLifeAt != null && !at.isAfter(signOfLifeAt)) {
      return offline ? new Contact(signOfLifeAt, false, reportedRelease, lifecycle) : this;
    }
    return new Contact(at, false, reportedRelease, lifecycle);
  }

  /**
   * A detector reports it silent since {@code lastSeenAt}: offline, unless a sign of life came
   * after that (the report is older than what the engine heard).
   */
  public Contact silentSince(Instant lastSeenAt) {
    if (signOfLifeAt != null && signOfLifeAt.isAfter(lastSeenAt)) {
      return this;
    }
    return offline && lastSeenAt.equals(signOfLifeAt)
        ? this
        : new Contact(lastSeenAt, true, reportedRelease, lifecycle);
  }

  /** It reported running {@code release} (null: unchanged). */
  public Contact reporting(String release) {
    if (release == null || release.equals(reportedRelease)) {
      return this;
    }
    return new Contact(signOfLifeAt, offline, release, lifecycle);
  }

  public Contact withLifecycle(HostLifecycle newLifecycle) {
    return newLifecycle == lifecycle
        ? this
        : new Contact(signOfLifeAt, offline, reportedRelease, newLifecycle);
  }
}
