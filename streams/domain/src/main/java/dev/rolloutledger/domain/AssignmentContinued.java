package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * The engine's own note, in its journal, that a planned rollout's hosts are not all bound to its
 * waves yet (ADR 0007): planning a large fleet binds at most {@link EngineConfig#assignChunk()}
 * hosts in one decision and goes on when this input comes back through the journal. The rollout
 * stays PENDING until its last host is bound; then its first wave starts, as if it had been planned
 * in one decision. A replay sees the same chunk boundaries because they are inputs.
 *
 * @param at event time of the decision that wrote it
 * @param rollout whose hosts
 * @param wave the wave being filled
 * @param after the last host id looked at for that wave (null: none yet): the next chunk starts
 *     after it, in host-id order
 */
public record AssignmentContinued(String tenant, Instant at, String rollout, int wave, String after)
    implements LedgerInput {

  public AssignmentContinued {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("rollout", rollout);
    Checks.atLeast("wave", wave, 0);
    Checks.optionalId("after", after);
  }

  /** Where the assignment goes on. */
  public AssignmentCursor cursor() {
    return new AssignmentCursor(wave, after);
  }
}
