package dev.rolloutledger.domain;

import java.time.Instant;

/** Someone approved a wave. Accepted and ignored by the first slice (no approval gates yet). */
public record ApprovalGranted(String tenant, Instant at, String rollout, String wave, String by)
    implements LedgerInput {

  public ApprovalGranted {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("rollout", rollout);
    Checks.id("wave", wave);
    Checks.id("by", by);
  }
}
