package dev.rolloutledger.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * What a gated rollout knows of the recorded clock (ADR 0008, "No outage becomes a verdict"), kept
 * only when {@link EngineConfig#outageGrace} is on (rollout logs of version 4).
 *
 * <p>Time reaches the engine only through recorded clock ticks. A gap between two ticks longer than
 * {@link #OUTAGE_SHARE a third} of the plan's heartbeat timeout (and than {@link #OUTAGE_AT_LEAST})
 * means the system itself was not running (its server or its broker was down): no heartbeat could
 * be recorded then, so the hosts' silence over the gap says nothing about them. A third, not the
 * whole timeout: a live host that beats every interval {@code I} looks silent after a gap {@code G}
 * once {@code G + I} exceeds the timeout, so a gap of more than a third of it already fools the
 * verdict for hosts that beat every two thirds of it. The engine records the gap ({@link
 * OutageRecorded}) and judges no silence and promotes no wave until {@code graceUntil}, one
 * heartbeat timeout after the gap: a live host has been heard from by then, and a host that died
 * during the outage is judged silent at that moment, as if it had been last seen when the system
 * came back. The current wave's bake counts observed time only, so it is extended by the gap
 * ({@code unobserved}).
 *
 * @param lastTick the last recorded tick the rollout saw, or when it became ACTIVE
 * @param graceUntil no silence verdict and no promotion before this instant; null when no outage
 *     was recorded
 * @param unobserved how long the current wave ran while the system was down: its bake is that much
 *     longer. Zero when a wave starts.
 */
public record RolloutClock(Instant lastTick, Instant graceUntil, Duration unobserved) {

  public RolloutClock {
    lastTick = Checks.millis("lastTick", lastTick);
    if (graceUntil != null) {
      graceUntil = Checks.millis("graceUntil", graceUntil);
    }
    Checks.present("unobserved", unobserved);
    if (unobserved.isNegative()) {
      throw new InvalidFieldException("unobserved", "must not be negative");
    }
  }

  /** A gap in the recorded clock longer than this share of the heartbeat timeout is an outage. */
  public static final int OUTAGE_SHARE = 3;

  /**
   * And longer than this: three ticks of the recorded clock (the server records one a second and
   * drops one the broker does not take within 2 s), so that the ordinary spacing of ticks is never
   * taken for an outage, whatever the timeout. Plans whose timeout is under 9 s (tests) are thus
   * protected from gaps over 3 s only.
   */
  public static final Duration OUTAGE_AT_LEAST = Duration.ofSeconds(3);

  /** Whether a gap from {@link #lastTick} to {@code at} is the system's own outage. */
  boolean outageAt(Instant at, Duration heartbeatTimeout) {
    Duration share = heartbeatTimeout.dividedBy(OUTAGE_SHARE);
    Duration gap = share.compareTo(OUTAGE_AT_LEAST) > 0 ? share : OUTAGE_AT_LEAST;
    return at.isAfter(lastTick.plus(gap));
  }

  /** A rollout that became ACTIVE at {@code at}: nothing unobserved, no grace. */
  public static RolloutClock startedAt(Instant at) {
    return new RolloutClock(at, null, Duration.ZERO);
  }

  /** True while silence is not judged and no wave promotes. */
  public boolean inGraceAt(Instant at) {
    return graceUntil != null && at.isBefore(graceUntil);
  }

  /** After a tick at {@code at} that ended no outage. */
  RolloutClock tickedAt(Instant at) {
    return at.isAfter(lastTick) ? new RolloutClock(at, graceUntil, unobserved) : this;
  }

  /**
   * After an outage from {@code lastTick} to {@code at}: a grace of {@code timeout} from {@code
   * at}, and the part of the gap after {@code waveStartedAt} added to the current wave's bake.
   */
  RolloutClock afterOutage(Instant at, Duration timeout, Instant waveStartedAt) {
    Instant from = lastTick.isAfter(waveStartedAt) ? lastTick : waveStartedAt;
    Duration missed = at.isAfter(from) ? Duration.between(from, at) : Duration.ZERO;
    return new RolloutClock(at, at.plus(timeout), unobserved.plus(missed));
  }

  /** The current wave just started: none of its time was unobserved. */
  RolloutClock newWave() {
    return unobserved.isZero() ? this : new RolloutClock(lastTick, graceUntil, Duration.ZERO);
  }
}
