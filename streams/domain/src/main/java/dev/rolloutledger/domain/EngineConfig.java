package dev.rolloutledger.domain;

import java.time.Duration;

/**
 * Tunables of the {@link RolloutEngine}.
 *
 * @param commandTtl how long a host command is valid
 * @param heartbeatsAbsorbed heartbeats are absorbed by the host stage (ADR 0007): the journal holds
 *     only news, so every host is alive until a detector reports it silent. The host stage is the
 *     detector of plans whose liveness is {@link Liveness#HEARTBEATS}, the fleet's own detector
 *     that of {@link Liveness#REPORTED} plans. False for journals that hold every heartbeat
 *     (rollout logs of version 1).
 * @param fanOutChunk the most commands a halt sends in one decision; the rest follow chunk by chunk
 *     through {@link FanOutContinued} inputs. 0: all in one decision (version 1 logs, the
 *     simulator)
 * @param silenceCountsWhileItLasts the failure fraction cap counts an updated host failing by
 *     silence only while it is still silent: once a sign of life came after its silence (it is
 *     back), it no longer counts toward the cap, as a baseline host that is back no longer counts
 *     in the cap's shock guard. Its silence stays in the evidence and in the wave's counts. False
 *     for rollout logs of versions 1 and 2, whose replays must decide as they were decided.
 */
public record EngineConfig(
    Duration commandTtl,
    boolean heartbeatsAbsorbed,
    int fanOutChunk,
    boolean silenceCountsWhileItLasts) {

  /**
   * The fan-out chunk of a version 2 journal (ADR 0007): one transaction signs and writes at most
   * this many commands (about 0.3 s on our 2 cores). Part of what a version 2 log means: a replay
   * decides with it, so changing it is a new log version.
   */
  public static final int JOURNAL_FAN_OUT_CHUNK = 5_000;

  public EngineConfig {
    Checks.present("commandTtl", commandTtl);
    if (commandTtl.isNegative() || commandTtl.isZero()) {
      throw new InvalidFieldException("commandTtl", "must be positive");
    }
    Checks.atLeast("fanOutChunk", fanOutChunk, 0);
  }

  /** A silence counts toward the cap after the host is back (logs of versions 1 and 2). */
  public EngineConfig(Duration commandTtl, boolean heartbeatsAbsorbed, int fanOutChunk) {
    this(commandTtl, heartbeatsAbsorbed, fanOutChunk, false);
  }

  /** Every heartbeat in the journal, every fan-out in one decision (version 1 logs). */
  public EngineConfig(Duration commandTtl) {
    this(commandTtl, false, 0);
  }

  /** Commands valid for one hour, every heartbeat in the journal. */
  public static EngineConfig defaults() {
    return new EngineConfig(Duration.ofHours(1));
  }

  /** The configuration of a version 2 journal: heartbeats absorbed, fan-out in chunks. */
  public EngineConfig journalV2() {
    return new EngineConfig(commandTtl, true, JOURNAL_FAN_OUT_CHUNK, false);
  }

  /**
   * The configuration of a version 3 journal: a version 2 journal whose failure fraction cap counts
   * a silence only while it lasts ({@link #silenceCountsWhileItLasts}).
   */
  public EngineConfig journalV3() {
    return journalV2().withSilenceCountsWhileItLasts(true);
  }

  /** The same, with heartbeats absorbed by the host stage or not. */
  public EngineConfig withHeartbeatsAbsorbed(boolean absorbed) {
    return new EngineConfig(commandTtl, absorbed, fanOutChunk, silenceCountsWhileItLasts);
  }

  /** The same, with at most {@code chunk} commands of a fan-out in one decision (0: all). */
  public EngineConfig withFanOutChunk(int chunk) {
    return new EngineConfig(commandTtl, heartbeatsAbsorbed, chunk, silenceCountsWhileItLasts);
  }

  /** The same, with the cap counting a silence only while it lasts, or also after it. */
  public EngineConfig withSilenceCountsWhileItLasts(boolean whileItLasts) {
    return new EngineConfig(commandTtl, heartbeatsAbsorbed, fanOutChunk, whileItLasts);
  }

  /** How the engine judges the liveness of a host assigned under {@code plan}. */
  Liveness livenessOf(Plan plan) {
    return heartbeatsAbsorbed ? Liveness.REPORTED : plan.liveness();
  }
}
