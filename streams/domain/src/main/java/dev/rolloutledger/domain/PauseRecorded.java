package dev.rolloutledger.domain;

import java.time.Instant;
import java.util.Map;

/**
 * The engine paused the rollout for a person in {@code wave}: what it saw is not a green light and
 * not a verdict on the release either (for example {@value RolloutEngine#UNREACHABLE}: more of the
 * wave's hosts could not be reached than its plan's {@code maxUnreachableFraction} allows, as a
 * network partition looks). The rollout is PAUSED: nothing is dispatched and no wave promotes until
 * a person resumes it; the gate still watches. {@code evidence} holds what the decision was based
 * on, as strings, sorted by key.
 */
public record PauseRecorded(
    String tenant,
    Instant at,
    String rollout,
    long seq,
    String prevHash,
    String wave,
    String reason,
    Map<String, String> evidence)
    implements LedgerEntry {

  public PauseRecorded {
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
