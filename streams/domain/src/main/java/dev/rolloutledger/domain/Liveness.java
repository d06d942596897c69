package dev.rolloutledger.domain;

import java.util.Locale;

/**
 * How a plan judges that a host fell silent (ADR 0006).
 *
 * <ul>
 *   <li>{@link #HEARTBEATS}: from its heartbeats; a host that applied and then sends nothing for
 *       the plan's heartbeat timeout is silent. Every host must reach the engine once per timeout.
 *   <li>{@link #REPORTED}: from a failure detector the fleet already has (an EDR console's "sensor
 *       offline", Prometheus {@code up == 0}, a load balancer's health checks), which writes {@link
 *       HostSilent} and {@link HostBack}. A host is alive until a HostSilent says otherwise, and
 *       then silent at its last sign of life plus the heartbeat timeout, the same moment as with
 *       heartbeats. Heartbeats still carry metrics and still count as signs of life.
 * </ul>
 */
public enum Liveness {
  HEARTBEATS,
  REPORTED;

  /** The name in plans and on the wire: {@code heartbeats} or {@code reported}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a wire name; an unknown one is an {@link InvalidFieldException} naming {@code field}.
   */
  public static Liveness parse(String field, String value) {
    Checks.present(field, value);
    for (Liveness l : values()) {
      if (l.wireName().equals(value)) {
        return l;
      }
    }
    throw new InvalidFieldException(
        field, "must be 'heartbeats' or 'reported', got '" + value + "'");
  }
}
