package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * Time passes, as recorded in the log: the engine judges silence and bake on these ticks, never on
 * a clock of its own, so a replay of the same log reaches the same decisions. The topology turns
 * each tick of the clock topic into one tick per tenant that has rollouts in progress.
 */
public record ClockTick(String tenant, Instant at) implements LedgerInput {
  public ClockTick {
    Checks.tenant(tenant);
    Checks.present("at", at);
  }
}
