package dev.rolloutledger.domain;

import java.time.Instant;

/** An operator resumed a paused rollout. */
public record RolloutResumed(String tenant, Instant at, String rollout, String by, String reason)
    implements LedgerInput {

  public RolloutResumed {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("rollout", rollout);
    Checks.id("by", by);
    Checks.present("reason", reason);
  }
}
