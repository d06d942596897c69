package dev.rolloutledger.domain;

import java.time.Instant;
import java.util.Map;

/**
 * The rollout stopped for good in {@code wave}. {@code evidence} holds what the decision was based
 * on, as strings (numbers in plain decimal), sorted by key.
 */
public record RolloutHalted(
    String tenant,
    Instant at,
    String rollout,
    long seq,
    String prevHash,
    String wave,
    String reason,
    Map<String, String> evidence)
    implements LedgerEntry {

  public RolloutHalted {
    Checks.tenant(tenant);
    at = Checks.millis("at", at);
    Checks.id("rollout", rollout);
    Checks.atLeast("seq", seq, 1);
    Checks.hash("prevHash", prevHash);
    Checks.id("wave", wave);
    Checks.id("reason", reason);
    evidence = Checks.sortedMap("evidence", evidence);
  }
}
