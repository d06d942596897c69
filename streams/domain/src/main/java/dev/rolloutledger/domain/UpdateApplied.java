package dev.rolloutledger.domain;

import java.time.Instant;

/** A host reports installing {@code release}; {@code error} (nullable) says why it failed. */
public record UpdateApplied(
    String tenant, Instant at, String host, String release, boolean ok, String error)
    implements LedgerInput {

  public UpdateApplied {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("host", host);
    Checks.id("release", release);
  }
}
