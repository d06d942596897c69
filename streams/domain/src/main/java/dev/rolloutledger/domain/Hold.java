package dev.rolloutledger.domain;

import java.time.Instant;

/** Stop installing {@code release}; keep whatever is running. */
public record Hold(
    String tenant,
    String rollout,
    String host,
    String release,
    String sha256,
    long seq,
    Instant issuedAt,
    Instant expiresAt)
    implements HostCommand {

  public Hold {
    Checks.command(tenant, rollout, host, release, sha256, seq, issuedAt, expiresAt);
  }
}
