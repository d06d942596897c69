package dev.rolloutledger.domain;

import java.time.Duration;

/** Tunables of the {@link RolloutEngine}. {@code commandTtl}: how long a host command is valid. */
public record EngineConfig(Duration commandTtl) {

  public EngineConfig {
    Checks.present("commandTtl", commandTtl);
    if (commandTtl.isNegative() || commandTtl.isZero()) {
      throw new InvalidFieldException("commandTtl", "must be positive");
    }
  }

  /** Commands valid for one hour. */
  public static EngineConfig defaults() {
    return new EngineConfig(Duration.ofHours(1));
  }
}
