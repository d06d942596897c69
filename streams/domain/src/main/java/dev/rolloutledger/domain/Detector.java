package dev.rolloutledger.domain;

import java.util.Locale;

/**
 * Who reported a host silent ({@link HostSilent#detector()}). Under a plan whose liveness is {@link
 * Liveness#REPORTED} the engine believes only a detector the fleet already has ({@link #EXTERNAL},
 * ADR 0006); under {@link Liveness#HEARTBEATS} with heartbeats absorbed by the host stage ({@link
 * EngineConfig#heartbeatsAbsorbed()}, ADR 0007) only the host stage ({@link #HOST_STAGE}), which
 * saw the heartbeats stop.
 */
public enum Detector {
  EXTERNAL,
  HOST_STAGE;

  /** The name on the wire: {@code external} or {@code host-stage}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Parses a wire name; an unknown one is an {@link InvalidFieldException} naming {@code field}.
   */
  public static Detector parse(String field, String value) {
    Checks.present(field, value);
    for (Detector d : values()) {
      if (d.wireName().equals(value)) {
        return d;
      }
    }
    throw new InvalidFieldException(
        field, "must be 'external' or 'host-stage', got '" + value + "'");
  }
}
