package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * An operator asked to roll a rollout back: it halts, and every host of it that was sent the
 * release gets Rollback (the others Hold).
 */
public record RollbackRequested(String tenant, Instant at, String rollout, String by, String reason)
    implements LedgerInput {

  public RollbackRequested {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("rollout", rollout);
    Checks.id("by", by);
    Checks.present("reason", reason);
  }
}
