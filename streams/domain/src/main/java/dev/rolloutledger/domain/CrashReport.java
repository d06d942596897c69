package dev.rolloutledger.domain;

import java.time.Instant;

/** A host running {@code release} crashed. */
public record CrashReport(
    String tenant, Instant at, String host, String release, String signature, String kind)
    implements LedgerInput {

  public CrashReport {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("host", host);
    Checks.id("release", release);
    Checks.id("signature", signature);
    Checks.id("kind", kind);
  }
}
