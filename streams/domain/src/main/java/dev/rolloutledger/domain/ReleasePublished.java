package dev.rolloutledger.domain;

import java.time.Instant;

/** A release became available; {@code sha256} is stored in lower case. */
public record ReleasePublished(
    String tenant,
    Instant at,
    String release,
    String artifact,
    String version,
    String sha256,
    String publisher,
    Severity severity)
    implements LedgerInput {

  public ReleasePublished {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("release", release);
    Checks.id("artifact", artifact);
    Checks.id("version", version);
    sha256 = Checks.sha256("sha256", sha256);
    Checks.id("publisher", publisher);
    Checks.present("severity", severity);
  }
}
