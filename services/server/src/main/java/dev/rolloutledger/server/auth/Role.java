package dev.rolloutledger.server.auth;

import static dev.rolloutledger.server.auth.Permission.APPROVE;
import static dev.rolloutledger.server.auth.Permission.COMMANDS;
import static dev.rolloutledger.server.auth.Permission.KEYS;
import static dev.rolloutledger.server.auth.Permission.OPERATE;
import static dev.rolloutledger.server.auth.Permission.READ;
import static dev.rolloutledger.server.auth.Permission.TELEMETRY;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The role of a token within its tenant. Operators and approvers read too (nobody approves a wave
 * or halts a rollout blind); an agent reads nothing but the public keys and the commands of the
 * host its token is bound to, and posts telemetry only about that host.
 */
public enum Role {
  VIEWER(EnumSet.of(READ, KEYS)),
  OPERATOR(EnumSet.of(READ, OPERATE, TELEMETRY, COMMANDS, KEYS)),
  APPROVER(EnumSet.of(READ, APPROVE, KEYS)),
  ADMIN(EnumSet.allOf(Permission.class)),
  AGENT(EnumSet.of(TELEMETRY, COMMANDS, KEYS));

  private final Set<Permission> permissions;

  Role(Set<Permission> permissions) {
    this.permissions = permissions;
  }

  public boolean allows(Permission permission) {
    return permissions.contains(permission);
  }

  /** The lower-case name used in JSON ({@code viewer}, ..., {@code agent}). */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String id) {
    for (Role r : values()) {
      if (r.id().equals(id)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
