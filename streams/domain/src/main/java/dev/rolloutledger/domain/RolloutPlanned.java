package dev.rolloutledger.domain;

import java.time.Instant;

/** An operator asked to roll {@code release} out by {@code plan}. */
public record RolloutPlanned(String tenant, Instant at, String rollout, String release, Plan plan)
    implements LedgerInput {

  public RolloutPlanned {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("rollout", rollout);
    Checks.id("release", release);
    Checks.present("plan", plan);
  }
}
