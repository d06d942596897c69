package dev.rolloutledger.server.auth;

import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.util.Objects;

/**
 * A stored API token: everything but the secret, of which only the SHA-256 is kept. {@code id} is
 * the public part of the secret ({@code rl_<id>_...}) under which the token is looked up.
 */
public record Token(
    String tenant,
    String name,
    Role role,
    @Nullable String host,
    String id,
    String sha256,
    Instant createdAt) {

  public Token {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(createdAt, "createdAt");
    // an agent token is worth nothing without its host, and any other role must not carry one
    if ((role == Role.AGENT) != (host != null)) {
      throw new IllegalArgumentException("a host is required for agent tokens and only for them");
    }
  }

  public Caller caller() {
    return new Caller(tenant, name, role, host);
  }
}
