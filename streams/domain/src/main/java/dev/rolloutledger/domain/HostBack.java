package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * A failure detector sees {@code host} again at {@code at}, after it reported it silent: a sign of
 * life, as a heartbeat without metrics is (a host of the baseline cohort recovers; a host already
 * counted silent stays counted).
 */
public record HostBack(String tenant, Instant at, String host) implements LedgerInput {

  public HostBack {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("host", host);
  }
}
