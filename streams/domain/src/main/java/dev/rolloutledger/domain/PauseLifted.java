package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * A person resumed a paused rollout, whether a person or the engine ({@link PauseRecorded}) paused
 * it: who and why, recorded before anything is dispatched or promoted again.
 */
public record PauseLifted(
    String tenant, Instant at, String rollout, long seq, String prevHash, String by, String reason)
    implements LedgerEntry {

  public PauseLifted {
    Checks.tenant(tenant);
    at = Checks.millis("at", at);
    Checks.id("rollout", rollout);
    Checks.atLeast("seq", seq, 1);
    Checks.hash("prevHash", prevHash);
    Checks.id("by", by);
    Checks.present("reason", reason); // a person may give none: the door takes an empty reason
  }
}
