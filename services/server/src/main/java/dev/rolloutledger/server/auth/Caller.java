package dev.rolloutledger.server.auth;

import io.micronaut.core.annotation.Nullable;

/**
 * Who is calling, as established from the bearer token: the tenant comes from here, never from a
 * request body. {@code host} is set for agent tokens only.
 */
public record Caller(String tenant, String name, Role role, @Nullable String host) {
  /** The request attribute under which {@link ApiAuthFilter} leaves the caller for the routes. */
  public static final String ATTRIBUTE = "ledger.caller";

  /**
   * Does this token speak for {@code reportedHost} (its telemetry, its commands)? An agent token
   * only for its own host.
   */
  public boolean covers(String reportedHost) {
    return host == null || host.equals(reportedHost);
  }
}
