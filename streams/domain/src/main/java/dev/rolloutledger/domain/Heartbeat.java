package dev.rolloutledger.domain;

import java.time.Instant;
import java.util.Map;

/** A host is alive, running {@code release} (null if unknown). Ignored by the first slice. */
public record Heartbeat(
    String tenant, Instant at, String host, String release, Map<String, Double> metrics)
    implements LedgerInput {

  public Heartbeat {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("host", host);
    Checks.optionalId("release", release);
    metrics = Checks.sortedMap("metrics", metrics);
  }
}
