package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * The engine's own note, in its journal, that a halt's commands are not all out yet (ADR 0007): a
 * halt of a large rollout sends its ledger entry and the first {@link EngineConfig#fanOutChunk()}
 * commands in one decision, and each further chunk when this input comes back through the journal.
 * Other inputs of the tenant are decided between chunks, and a replay sees the same chunk
 * boundaries because they are inputs.
 *
 * @param at event time of the decision that wrote it
 * @param rollout whose hosts
 * @param entrySeq the ledger seq of the {@code RolloutHalted} entry the commands follow: once the
 *     rollout's chain moved on (a person lifted the halt), the rest is not sent
 * @param rollback the halt was a rollback: a host that got the release is sent Rollback, not Hold
 * @param after the last host id sent: the next chunk starts after it, in host-id order
 */
public record FanOutContinued(
    String tenant, Instant at, String rollout, long entrySeq, boolean rollback, String after)
    implements LedgerInput {

  public FanOutContinued {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("rollout", rollout);
    Checks.atLeast("entrySeq", entrySeq, 1);
    Checks.id("after", after);
  }
}
