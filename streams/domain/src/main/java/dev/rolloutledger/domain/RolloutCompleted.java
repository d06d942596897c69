package dev.rolloutledger.domain;

import java.time.Instant;

/** The last wave was promoted. */
public record RolloutCompleted(String tenant, Instant at, String rollout, long seq, String prevHash)
    implements LedgerEntry {

  public RolloutCompleted {
    Checks.tenant(tenant);
    at = Checks.millis("at", at);
    Checks.id("rollout", rollout);
    Checks.atLeast("seq", seq, 1);
    Checks.hash("prevHash", prevHash);
  }
}
