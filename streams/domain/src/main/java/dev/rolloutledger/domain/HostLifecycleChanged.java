package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * An operator set a host's {@link HostLifecycle}: cordoned (kept, never dispatched to), retired
 * (left the fleet, history kept), or active again. {@code by} names who did it (the token's
 * subject), for the record.
 */
public record HostLifecycleChanged(
    String tenant, Instant at, String host, HostLifecycle lifecycle, String by)
    implements LedgerInput {

  public HostLifecycleChanged {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("host", host);
    Checks.present("lifecycle", lifecycle);
    if (lifecycle == HostLifecycle.UNREGISTERED) {
      throw new InvalidFieldException(
          "lifecycle", "is active, cordoned or retired: a registration is what makes a host known");
    }
    Checks.id("by", by);
  }
}
