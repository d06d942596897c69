package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * An entry of a rollout's hash-chained audit ledger. Entries of one rollout are numbered from 1
 * ({@link #seq()}) and each carries the {@link LedgerHash} of its predecessor ({@link
 * LedgerHash#GENESIS} for the first), so a gap, reordering or edit is detectable.
 *
 * <p>{@link #at()} is kept at millisecond precision, the precision the hash covers.
 */
public sealed interface LedgerEntry
    permits WaveStarted,
        WavePromoted,
        RolloutHalted,
        RolloutCompleted,
        HaltLifted,
        OutageRecorded,
        PauseRecorded,
        PauseLifted,
        WaveApproved {

  String tenant();

  Instant at();

  String rollout();

  long seq();

  String prevHash();
}
