package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * A person approved {@code wave} (a wave whose plan asks for approval promotes only once approved).
 * Recorded when the approval is first granted, which may be before the wave starts; a second
 * approval of the same wave records nothing.
 */
public record WaveApproved(
    String tenant, Instant at, String rollout, long seq, String prevHash, String wave, String by)
    implements LedgerEntry {

  public WaveApproved {
    Checks.tenant(tenant);
    at = Checks.millis("at", at);
    Checks.id("rollout", rollout);
    Checks.atLeast("seq", seq, 1);
    Checks.hash("prevHash", prevHash);
    Checks.id("wave", wave);
    Checks.id("by", by);
  }
}
