package dev.rolloutledger.domain;

import java.time.Instant;

/** The owner set the tenant's policy (it replaces the previous one). */
public record PolicySet(String tenant, Instant at, OwnerPolicy policy) implements LedgerInput {
  public PolicySet {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.present("policy", policy);
    if (!policy.tenant().equals(tenant)) {
      throw new InvalidFieldException("policy.tenant", "must be the tenant of the event");
    }
  }
}
