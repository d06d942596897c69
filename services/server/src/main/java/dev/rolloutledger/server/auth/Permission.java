package dev.rolloutledger.server.auth;

/** What an API route does, as far as authorization is concerned; roles grant sets of these. */
public enum Permission {
  /** Read rollouts, their ledgers and the policy. */
  READ,
  /** Register hosts, publish releases, create rollouts, halt, pause and resume them. */
  OPERATE,
  /** Approve a wave. */
  APPROVE,
  /** Post telemetry (an agent only about its own host). */
  TELEMETRY,
  /** Read a host's signed commands (an agent only its own host's). */
  COMMANDS,
  /** Set the owner's policy, create and revoke tokens. */
  ADMINISTER,
  /** Read the public keys that verify commands: every token, agents first of all. */
  KEYS,
  /**
   * Register and delete schemas in {@code /registry} (reading it needs only a valid token): the
   * registry is shared by every tenant, so only admins change it.
   */
  REGISTER_SCHEMAS
}
