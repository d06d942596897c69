package dev.rolloutledger.domain.hoststage;

import dev.rolloutledger.domain.InvalidFieldException;
import java.time.Instant;

/**
 * A host's slot in the host stage as it is kept on its changelog: written at transitions only (the
 * host first seen, a report forwarded, a sign of life after one, metrics crossing a ceiling), never
 * for a heartbeat that says "still alive".
 *
 * @param lastSeenAt the last sign of life the stage saw when the slot was written (null: unknown)
 * @param silenceOwn the stage reported the host silent and saw no sign of life since
 * @param silenceExternal a detector reported it silent and the stage saw no sign of life since
 * @param answerPending it crashed or failed an apply since its last forwarded heartbeat: the next
 *     heartbeat is news (a baseline host failing on its previous release recovers by it)
 * @param over the ceilings its last forwarded heartbeat exceeded, packed per watched metric (0:
 *     within every ceiling, -1: over, not packable)
 * @param overRelease the release that heartbeat named while over a ceiling, else null
 * @param watchVersion the {@link HostWatch} version {@code over} was computed against
 */
public record HostSlot(
    String tenant,
    String host,
    Instant lastSeenAt,
    boolean silenceOwn,
    boolean silenceExternal,
    boolean answerPending,
    long over,
    String overRelease,
    int watchVersion) {

  public HostSlot {
    if (tenant == null || tenant.isBlank()) {
      throw new InvalidFieldException("tenant", "must not be blank");
    }
    if (host == null || host.isBlank()) {
      throw new InvalidFieldException("host", "must not be blank");
    }
  }
}
