package dev.rolloutledger.domain;

import java.time.Instant;
import java.util.List;

/** A wave began; {@code hosts} (sorted by host id) were sent Apply. */
public record WaveStarted(
    String tenant,
    Instant at,
    String rollout,
    long seq,
    String prevHash,
    String wave,
    int waveIndex,
    List<String> hosts)
    implements LedgerEntry {

  public WaveStarted {
    Checks.tenant(tenant);
    at = Checks.millis("at", at);
    Checks.id("rollout", rollout);
    Checks.atLeast("seq", seq, 1);
    Checks.hash("prevHash", prevHash);
    Checks.id("wave", wave);
    Checks.atLeast("waveIndex", waveIndex, 0);
    hosts = Checks.ids("hosts", hosts);
  }
}
