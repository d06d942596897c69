package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * Go back from {@code release} to the release installed before it: sent when an operator rolls the
 * rollout back.
 */
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
