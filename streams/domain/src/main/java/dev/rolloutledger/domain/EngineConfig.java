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
 */
public record EngineConfig(Duration commandTtl, boolean heartbeatsAbsorbed) {

  public EngineConfig {
    Checks.present("commandTtl", commandTtl);
    if (commandTtl.isNegative() || commandTtl.isZero()) {
      throw new InvalidFieldException("commandTtl", "must be positive");
    }
  }

  /** Every heartbeat in the journal (version 1 logs, the simulator's heartbeats fleets). */
  public EngineConfig(Duration commandTtl) {
    this(commandTtl, false);
  }

  /** Commands valid for one hour, every heartbeat in the journal. */
  public static EngineConfig defaults() {
    return new EngineConfig(Duration.ofHours(1));
  }

  /** The same, with heartbeats absorbed by the host stage or not. */
  public EngineConfig withHeartbeatsAbsorbed(boolean absorbed) {
    return new EngineConfig(commandTtl, absorbed);
  }

  /** How the engine judges the liveness of a host assigned under {@code plan}. */
  Liveness livenessOf(Plan plan) {
    return heartbeatsAbsorbed ? Liveness.REPORTED : plan.liveness();
  }
}
