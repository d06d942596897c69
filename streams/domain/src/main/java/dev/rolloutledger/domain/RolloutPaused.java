package dev.rolloutledger.domain;

import java.time.Instant;

/** An operator paused a rollout: no promotion or dispatch until resumed. */
public record RolloutPaused(String tenant, Instant at, String rollout, String by, String reason)
    implements LedgerInput {

  public RolloutPaused {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("rollout", rollout);
    Checks.id("by", by);
    Checks.present("reason", reason);
  }
}
