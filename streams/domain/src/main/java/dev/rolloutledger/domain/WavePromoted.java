package dev.rolloutledger.domain;

import java.time.Instant;
import java.util.Map;

/** Every host of the wave applied the release without tripping the gate. */
public record WavePromoted(
    String tenant,
    Instant at,
    String rollout,
    long seq,
    String prevHash,
    String wave,
    int waveIndex,
    Map<String, String> evidence)
    implements LedgerEntry {

  /** Without recorded evidence. */
  public WavePromoted(
      String tenant,
      Instant at,
      String rollout,
      long seq,
      String prevHash,
      String wave,
      int waveIndex) {
    this(tenant, at, rollout, seq, prevHash, wave, waveIndex, Map.of());
  }

  public WavePromoted {
    Checks.tenant(tenant);
    at = Checks.millis("at", at);
    Checks.id("rollout", rollout);
    Checks.atLeast("seq", seq, 1);
    Checks.hash("prevHash", prevHash);
    Checks.id("wave", wave);
    Checks.atLeast("waveIndex", waveIndex, 0);
    evidence = Checks.sortedMap("evidence", evidence);
  }
}
