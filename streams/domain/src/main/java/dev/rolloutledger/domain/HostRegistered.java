package dev.rolloutledger.domain;

import java.time.Instant;
import java.util.Map;

/** A host joined (or re-announced itself with new labels). */
public record HostRegistered(String tenant, Instant at, String host, Map<String, String> labels)
    implements LedgerInput {

  public HostRegistered {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("host", host);
    labels = Checks.sortedMap("labels", labels);
  }
}
