package dev.rolloutledger.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Collects what one input produces and keeps ledger chains and host command seqs moving. */
final class Step {

  @FunctionalInterface
  interface EntryFactory {
    LedgerEntry create(String tenant, Instant at, String rollout, long seq, String prevHash);
  }

  @FunctionalInterface
  interface CommandFactory {
    HostCommand create(
        String tenant,
        String rollout,
        String host,
        String release,
        String sha256,
        long seq,
        Instant issuedAt,
        Instant expiresAt);
  }

  final String tenant;
  final Instant at;
  private final EngineContext context;
  private final List<LedgerEntry> entries = new ArrayList<>();
  private final List<HostCommand> commands = new ArrayList<>();
  private final List<LedgerInput> continuations = new ArrayList<>();

  Step(EngineContext context, String tenant, Instant at) {
    this.context = context;
    this.tenant = tenant;
    this.at = at;
  }

  /** Appends an entry to the rollout's chain; returns the rollout with the new chain head. */
  RolloutState append(RolloutState state, EntryFactory factory) {
    LedgerEntry entry =
        factory.create(tenant, at, state.rollout(), state.seq() + 1, state.lastHash());
    entries.add(entry);
    return state.withChainHead(entry.seq(), LedgerHash.of(entry));
  }

  void send(CommandFactory kind, HostRecord host, RolloutState state) {
    // Read the stored record: the caller's copy may predate an earlier command of this step.
    HostRecord current = context.host(tenant, host.host()).orElse(host);
    long seq = current.lastCommandSeq() + 1;
    String sha256 = sha256(state.release());
    commands.add(
        kind.create(
            tenant,
            state.rollout(),
            host.host(),
            state.release(),
            sha256,
            seq,
            at,
            at.plus(context.config.commandTtl())));
    context.fleet.put(current.withLastCommandSeq(seq));
  }

  // A release id names one artifact forever (a republish with other content is rejected), so
  // its digest, once found, holds for the whole step: a halt of a million hosts reads it once.
  private String shaRelease;
  private String sha;

  private String sha256(String release) {
    if (!release.equals(shaRelease)) {
      String found = context.store.release(tenant, release).map(ReleaseInfo::sha256).orElse(null);
      if (found == null) {
        return null; // not published yet: asked again next time
      }
      shaRelease = release;
      sha = found;
    }
    return sha;
  }

  /**
   * Goes on with bounded work in the next transaction ({@link FanOutContinued}, {@link
   * AssignmentContinued}).
   */
  void continueWith(LedgerInput next) {
    continuations.add(next);
  }

  Decision decision() {
    // most inputs (heartbeats, ticks) decide nothing: no copies for them
    return entries.isEmpty() && commands.isEmpty() && continuations.isEmpty()
        ? Decision.none()
        : new Decision(entries, commands, List.of(), continuations);
  }
}
