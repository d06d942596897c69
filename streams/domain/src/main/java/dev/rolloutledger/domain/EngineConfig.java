package dev.rolloutledger.domain;

import java.time.Duration;

/**
 * Tunables of the {@link RolloutEngine}. A rollout log's version names one of them ({@link
 * #journalV2()} to {@link #journalV6()}), and a replay decides with it.
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
 * @param reachability the engine follows whether each host can be reached ({@link Contact}): a host
 *     with no sign of life at dispatch is not sent the Apply but recorded unreachable in its wave,
 *     which promotes without it, and is sent the Apply when it comes back; an Apply that expired
 *     unanswered is sent once more, then the host is unreachable; a host alive when its Apply was
 *     sent that goes silent before reporting the apply fails by silence, as if it applied and died;
 *     a wave whose unreachable share passes its plan's {@code maxUnreachableFraction} pauses the
 *     rollout for a person ({@link PauseRecorded}). False for rollout logs of versions 1 to 4.
 * @param personsRecorded every person's decision is a ledger entry: a pause ({@link PauseRecorded},
 *     reason {@link RolloutEngine#MANUAL_PAUSE}), resuming a pause ({@link PauseLifted}) and the
 *     first approval of a wave ({@link WaveApproved}). False for rollout logs of versions 1 to 5,
 *     which must replay as they were decided (their ledgers hold no such entries).
 */
public record EngineConfig(
    Duration commandTtl,
    boolean heartbeatsAbsorbed,
    int fanOutChunk,
    int assignChunk,
    boolean silenceCountsWhileItLasts,
    boolean outageGrace,
    boolean reachability,
    boolean personsRecorded) {

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

  /** Persons' pauses, resumes of a pause and approvals not recorded (logs of versions 1 to 5). */
  public EngineConfig(
      Duration commandTtl,
      boolean heartbeatsAbsorbed,
      int fanOutChunk,
      int assignChunk,
      boolean silenceCountsWhileItLasts,
      boolean outageGrace,
      boolean reachability) {
    this(
        commandTtl,
        heartbeatsAbsorbed,
        fanOutChunk,
        assignChunk,
        silenceCountsWhileItLasts,
        outageGrace,
        reachability,
        false);
  }

  /** Hosts' reachability not followed (logs of versions 1 to 4). */
  public EngineConfig(
      Duration commandTtl,
      boolean heartbeatsAbsorbed,
      int fanOutChunk,
      int assignChunk,
      boolean silenceCountsWhileItLasts,
      boolean outageGrace) {
    this(
        commandTtl,
        heartbeatsAbsorbed,
        fanOutChunk,
        assignChunk,
        silenceCountsWhileItLasts,
        outageGrace,
        false);
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

  /**
   * The configuration of a version 5 journal, the server's: as version 4, and each host's
   * reachability is followed ({@link #reachability}): offline hosts are recorded unreachable
   * instead of stalling their wave, and a host that dies before it reports its apply fails.
   */
  public EngineConfig journalV5() {
    return journalV4().withReachability(true);
  }

  /**
   * The configuration of a version 6 journal, the server's: as version 5, and every person's
   * decision is a ledger entry naming who ({@link #personsRecorded}).
   */
  public EngineConfig journalV6() {
    return journalV5().withPersonsRecorded(true);
  }

  /** The same, with persons' pauses, resumes of a pause and approvals recorded or not. */
  public EngineConfig withPersonsRecorded(boolean recorded) {
    return new EngineConfig(
        commandTtl,
        heartbeatsAbsorbed,
        fanOutChunk,
        assignChunk,
        silenceCountsWhileItLasts,
        outageGrace,
        reachability,
        recorded);
  }

  /** The same, with hosts' reachability followed or not. */
  public EngineConfig withReachability(boolean followed) {
    return new EngineConfig(
        commandTtl,
        heartbeatsAbsorbed,
        fanOutChunk,
        assignChunk,
        silenceCountsWhileItLasts,
        outageGrace,
        followed,
        personsRecorded);
  }

  /** The same, with heartbeats absorbed by the host stage or not. */
  public EngineConfig withHeartbeatsAbsorbed(boolean absorbed) {
    return new EngineConfig(
        commandTtl,
        absorbed,
        fanOutChunk,
        assignChunk,
        silenceCountsWhileItLasts,
        outageGrace,
        reachability,
        personsRecorded);
  }

  /** The same, with at most {@code chunk} commands of a fan-out in one decision (0: all). */
  public EngineConfig withFanOutChunk(int chunk) {
    return new EngineConfig(
        commandTtl,
        heartbeatsAbsorbed,
        chunk,
        assignChunk,
        silenceCountsWhileItLasts,
        outageGrace,
        reachability,
        personsRecorded);
  }

  /** The same, with at most {@code chunk} hosts bound to waves in one decision (0: all). */
  public EngineConfig withAssignChunk(int chunk) {
    return new EngineConfig(
        commandTtl,
        heartbeatsAbsorbed,
        fanOutChunk,
        chunk,
        silenceCountsWhileItLasts,
        outageGrace,
        reachability,
        personsRecorded);
  }

  /** The same, with the cap counting a silence only while it lasts, or also after it. */
  public EngineConfig withSilenceCountsWhileItLasts(boolean whileItLasts) {
    return new EngineConfig(
        commandTtl,
        heartbeatsAbsorbed,
        fanOutChunk,
        assignChunk,
        whileItLasts,
        outageGrace,
        reachability,
        personsRecorded);
  }

  /** The same, with the system's own outages followed on the recorded clock, or not. */
  public EngineConfig withOutageGrace(boolean grace) {
    return new EngineConfig(
        commandTtl,
        heartbeatsAbsorbed,
        fanOutChunk,
        assignChunk,
        silenceCountsWhileItLasts,
        grace,
        reachability,
        personsRecorded);
  }

  /** How the engine judges the liveness of a host assigned under {@code plan}. */
  Liveness livenessOf(Plan plan) {
    return heartbeatsAbsorbed ? Liveness.REPORTED : plan.liveness();
  }
}
