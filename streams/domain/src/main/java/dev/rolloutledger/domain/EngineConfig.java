package dev.rolloutledger.domain;

import java.time.Duration;

/**
 * Tunables of the {@link RolloutEngine}. A rollout log's version names one of them ({@link
 * #journalV2()}, {@link #journalV3()}, {@link #journalV4()}), and a replay decides with it.
 *
 * @param commandTtl how long a host command is valid
 * @param heartbeatsAbsorbed heartbeats are absorbed by the host stage (ADR 0007): the journal holds
 *     only news, so every host is alive until a detector reports it silent. The host stage is the
 *     detector of plans whose liveness is {@link Liveness#HEARTBEATS}, the fleet's own detector
 *     that of {@link Liveness#REPORTED} plans. False for journals that hold every heartbeat
 *     (rollout logs of version 1).
 * @param fanOutChunk the most commands a halt sends in one decision; the rest follow chunk by chunk
 *     through {@link FanOutContinued} inputs. 0: all in one decision (version 1 logs)
 * @param assignChunk the most hosts planning binds to waves in one decision; the rest follow chunk
 *     by chunk through {@link AssignmentContinued} inputs while the rollout stays PENDING. 0: all
 *     in one decision (logs of versions 1 and 2)
 * @param silenceCountsWhileItLasts the failure fraction cap counts an updated host failing by
 *     silence only while it is still silent: once a sign of life came after its silence (it is
 *     back), it no longer counts toward the cap, as a baseline host that is back no longer counts
 *     in the cap's shock guard. Its silence stays in the evidence and in the wave's counts. False
 *     for rollout logs of versions 1 and 2, whose replays must decide as they were decided.
 * @param outageGrace a gap in the recorded clock longer than a third of a plan's heartbeat timeout
 *     and than 3 s is the system's own outage, not the fleet's silence: it is recorded ({@link
 *     OutageRecorded}) and starts a grace in which no silence is judged and no wave promotes
 *     ({@link RolloutClock}, ADR 0008). False for rollout logs of versions 1 to 3.
 */
public record EngineConfig(
    Duration commandTtl,
    boolean heartbeatsAbsorbed,
    int fanOutChunk,
    int assignChunk,
    boolean silenceCountsWhileItLasts,
    boolean outageGrace) {

  /**
   * The fan-out chunk of version 2 and 3 journals (ADR 0007): one transaction signs and writes at
   * most this many commands (about 0.3 s on our 2 cores). Part of what a log version means: a
   * replay decides with it, so changing it is a new log version.
   */
  public static final int JOURNAL_FAN_OUT_CHUNK = 5_000;

  /**
   * The assignment chunk of a version 3 journal (ADR 0007): one transaction binds at most this many
   * hosts to waves (a host record each in the hosts store and its changelog). Part of what a
   * version 3 log means, like {@link #JOURNAL_FAN_OUT_CHUNK}.
   */
  public static final int JOURNAL_ASSIGN_CHUNK = 5_000;

  public EngineConfig {
    Checks.present("commandTtl", commandTtl);
    if (commandTtl.isNegative() || commandTtl.isZero()) {
      throw new InvalidFieldException("commandTtl", "must be positive");
    }
    Checks.atLeast("fanOutChunk", fanOutChunk, 0);
    Checks.atLeast("assignChunk", assignChunk, 0);
  }

  /** The recorded clock not followed (logs of versions 1 to 3). */
  public EngineConfig(
      Duration commandTtl,
      boolean heartbeatsAbsorbed,
      int fanOutChunk,
      int assignChunk,
      boolean silenceCountsWhileItLasts) {
    this(
        commandTtl, heartbeatsAbsorbed, fanOutChunk, assignChunk, silenceCountsWhileItLasts, false);
  }

  /** Planning in one decision, a silence counted after it ends (logs of versions 1 and 2). */
  public EngineConfig(Duration commandTtl, boolean heartbeatsAbsorbed, int fanOutChunk) {
    this(commandTtl, heartbeatsAbsorbed, fanOutChunk, 0, false);
  }

  /** Every heartbeat in the journal, every fan-out in one decision (version 1 logs). */
  public EngineConfig(Duration commandTtl) {
    this(commandTtl, false, 0);
  }

  /** Commands valid for one hour, every heartbeat in the journal. */
  public static EngineConfig defaults() {
    return new EngineConfig(Duration.ofHours(1));
  }

  /**
   * The configuration of a version 2 journal: heartbeats absorbed, fan-out in chunks, planning in
   * one decision.
   */
  public EngineConfig journalV2() {
    return new EngineConfig(commandTtl, true, JOURNAL_FAN_OUT_CHUNK, 0, false);
  }

  /**
   * The configuration of a version 3 journal, the server's: as version 2, planning binds hosts in
   * chunks ({@link #JOURNAL_ASSIGN_CHUNK}), and the failure fraction cap counts a silence only
   * while it lasts ({@link #silenceCountsWhileItLasts}).
   */
  public EngineConfig journalV3() {
    return new EngineConfig(commandTtl, true, JOURNAL_FAN_OUT_CHUNK, JOURNAL_ASSIGN_CHUNK, true);
  }

  /**
   * The configuration of a version 4 journal, the server's: as version 3, and the system's own
   * outage is recorded and never judged as the fleet's silence ({@link #outageGrace}).
   */
  public EngineConfig journalV4() {
    return journalV3().withOutageGrace(true);
  }

  /** The same, with heartbeats absorbed by the host stage or not. */
  public EngineConfig withHeartbeatsAbsorbed(boolean absorbed) {
    return new EngineConfig(
        commandTtl, absorbed, fanOutChunk, assignChunk, silenceCountsWhileItLasts, outageGrace);
  }

  /** The same, with at most {@code chunk} commands of a fan-out in one decision (0: all). */
  public EngineConfig withFanOutChunk(int chunk) {
    return new EngineConfig(
        commandTtl, heartbeatsAbsorbed, chunk, assignChunk, silenceCountsWhileItLasts, outageGrace);
  }

  /** The same, with at most {@code chunk} hosts bound to waves in one decision (0: all). */
  public EngineConfig withAssignChunk(int chunk) {
    return new EngineConfig(
        commandTtl, heartbeatsAbsorbed, fanOutChunk, chunk, silenceCountsWhileItLasts, outageGrace);
  }

  /** The same, with the cap counting a silence only while it lasts, or also after it. */
  public EngineConfig withSilenceCountsWhileItLasts(boolean whileItLasts) {
    return new EngineConfig(
        commandTtl, heartbeatsAbsorbed, fanOutChunk, assignChunk, whileItLasts, outageGrace);
  }

  /** The same, with the system's own outages followed on the recorded clock, or not. */
  public EngineConfig withOutageGrace(boolean grace) {
    return new EngineConfig(
        commandTtl, heartbeatsAbsorbed, fanOutChunk, assignChunk, silenceCountsWhileItLasts, grace);
  }

  /** How the engine judges the liveness of a host assigned under {@code plan}. */
  Liveness livenessOf(Plan plan) {
    return heartbeatsAbsorbed ? Liveness.REPORTED : plan.liveness();
  }
}
