package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * A failure detector (not the host) reports that it has not seen {@code host} since {@code
 * lastSeenAt}: an EDR console's "sensor offline", Prometheus {@code up == 0}, a load balancer's
 * failed health checks. Under a plan whose liveness is {@link Liveness#REPORTED} the engine judges
 * the host silent at its last sign of life plus the plan's heartbeat timeout; under {@link
 * Liveness#HEARTBEATS} the engine judges silence from heartbeats and ignores this input.
 *
 * <p>With heartbeats absorbed by the host stage (ADR 0007) the host stage is the detector of a plan
 * whose liveness is {@link Liveness#HEARTBEATS}: it writes this input with {@link
 * Detector#HOST_STAGE} when a host's heartbeats stop, and the engine believes each detector only
 * for the plans it serves ({@link Detector}).
 *
 * @param at when the detector reported it
 * @param lastSeenAt the detector's last sight of the host, not after {@code at}
 * @param detector who reported it
 */
public record HostSilent(
    String tenant, Instant at, String host, Instant lastSeenAt, Detector detector)
    implements LedgerInput {

  public HostSilent {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("host", host);
    Checks.present("lastSeenAt", lastSeenAt);
    Checks.present("detector", detector);
    if (lastSeenAt.isAfter(at)) {
      throw new InvalidFieldException("lastSeenAt", "must not be after at (" + at + ")");
    }
  }

  /** A report of a detector the fleet already has ({@link Detector#EXTERNAL}). */
  public HostSilent(String tenant, Instant at, String host, Instant lastSeenAt) {
    this(tenant, at, host, lastSeenAt, Detector.EXTERNAL);
  }
}
