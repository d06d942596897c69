package dev.rolloutledger.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * The recorded clock jumped from {@code from} to {@code at}, longer than a third of the plan's
 * heartbeat timeout and than 3 s: the system itself was down (its server or its broker), so no
 * heartbeat could be recorded. No silence is judged and no wave promotes before {@code graceUntil},
 * and the current wave's bake is extended by {@code bakeExtendedBy}, the part of the outage it was
 * running ({@link RolloutClock}, ADR 0008). A host that died during the outage is judged silent at
 * {@code graceUntil}.
 */
public record OutageRecorded(
    String tenant,
    Instant at,
    String rollout,
    long seq,
    String prevHash,
    Instant from,
    Instant graceUntil,
    Duration bakeExtendedBy)
    implements LedgerEntry {

  public OutageRecorded {
    Checks.tenant(tenant);
    at = Checks.millis("at", at);
    Checks.id("rollout", rollout);
    Checks.atLeast("seq", seq, 1);
    Checks.hash("prevHash", prevHash);
    from = Checks.millis("from", from);
    graceUntil = Checks.millis("graceUntil", graceUntil);
    Checks.present("bakeExtendedBy", bakeExtendedBy);
    if (!from.isBefore(at)) {
      throw new InvalidFieldException("from", "must be before at");
    }
    if (graceUntil.isBefore(at)) {
      throw new InvalidFieldException("graceUntil", "must not be before at");
    }
    if (bakeExtendedBy.isNegative()) {
      throw new InvalidFieldException("bakeExtendedBy", "must not be negative");
    }
  }
}
