package dev.rolloutledger.domain;

import java.time.Instant;

/** An operator halted a rollout for good. */
public record ManualHalt(String tenant, Instant at, String rollout, String by, String reason)
    implements LedgerInput {

  public ManualHalt {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("rollout", rollout);
    Checks.id("by", by);
    Checks.present("reason", reason);
  }
}
