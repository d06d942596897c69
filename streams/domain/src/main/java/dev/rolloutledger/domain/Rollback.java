package dev.rolloutledger.domain;

import java.time.Instant;

/** Go back from {@code release}. Not emitted by the first slice. */
public record Rollback(
    String tenant,
    String rollout,
    String host,
    String release,
    String sha256,
    long seq,
    Instant issuedAt,
    Instant expiresAt)
    implements HostCommand {

  public Rollback {
    Checks.command(tenant, rollout, host, release, sha256, seq, issuedAt, expiresAt);
  }
}
