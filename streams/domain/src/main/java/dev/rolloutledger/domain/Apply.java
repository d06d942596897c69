package dev.rolloutledger.domain;

import java.time.Instant;

/** Install {@code release} (verify it against {@code sha256}). */
public record Apply(
    String tenant,
    String rollout,
    String host,
    String release,
    String sha256,
    long seq,
    Instant issuedAt,
    Instant expiresAt)
    implements HostCommand {

  public Apply {
    Checks.command(tenant, rollout, host, release, sha256, seq, issuedAt, expiresAt);
  }
}
