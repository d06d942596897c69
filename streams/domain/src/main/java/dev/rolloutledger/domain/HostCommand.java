package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * An instruction to one host's agent. {@link #seq()} counts every command ever sent to that host
 * (from 1, strictly increasing, across rollouts), so an agent can drop stale or replayed commands;
 * {@link #expiresAt()} bounds how long a delayed command may still be acted on.
 */
public sealed interface HostCommand permits Apply, Hold, Rollback {

  String tenant();

  String rollout();

  String host();

  String release();

  /** Lower-case hex SHA-256 of the release artifact; null if the release is unknown. */
  String sha256();

  long seq();

  Instant issuedAt();

  Instant expiresAt();

  /**
   * {@code tenant + "/" + host + "/" + seq}: unique and stable across replays. Unambiguous because
   * tenants contain no '/' and seq is all digits.
   */
  default String commandId() {
    return tenant() + "/" + host() + "/" + seq();
  }
}
