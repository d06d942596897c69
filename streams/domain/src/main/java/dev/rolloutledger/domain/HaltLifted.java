package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * A person resumed a halted rollout. The halt and its evidence stay in the ledger; this entry
 * records who overrode it and why, before anything is dispatched again.
 */
public record HaltLifted(
    String tenant, Instant at, String rollout, long seq, String prevHash, String by, String reason)
    implements LedgerEntry {

  public HaltLifted {
    Checks.tenant(tenant);
    at = Checks.millis("at", at);
    Checks.id("rollout", rollout);
    Checks.atLeast("seq", seq, 1);
    Checks.hash("prevHash", prevHash);
    Checks.id("by", by);
    Checks.present("reason", reason); // a person may give none: the door takes an empty reason
  }
}
