package dev.rolloutledger.domain;

import java.util.Map;

/**
 * What the engine knows about a host. {@code rollout}/{@code wave} are its latest assignment (both
 * null if never assigned); {@code applied}/{@code crashed} refer to that rollout's release. An
 * assignment to a HALTED or COMPLETED rollout no longer binds the host.
 */
public record HostRecord(
    String tenant,
    String host,
    Map<String, String> labels,
    long lastCommandSeq,
    String rollout,
    String wave,
    boolean applied,
    boolean crashed) {

  public HostRecord {
    Checks.tenant(tenant);
    Checks.id("host", host);
    labels = Checks.sortedMap("labels", labels);
    Checks.atLeast("lastCommandSeq", lastCommandSeq, 0);
    Checks.optionalId("rollout", rollout);
    Checks.optionalId("wave", wave);
    if ((rollout == null) != (wave == null)) {
      throw new InvalidFieldException("wave", "must be set exactly when rollout is set");
    }
    if (crashed && !applied) {
      throw new InvalidFieldException("applied", "must be true when crashed");
    }
  }

  /** A newly seen host: no commands, no assignment. */
  public static HostRecord registered(String tenant, String host, Map<String, String> labels) {
    return new HostRecord(tenant, host, labels, 0, null, null, false, false);
  }

  public HostRecord withLabels(Map<String, String> newLabels) {
    return new HostRecord(tenant, host, newLabels, lastCommandSeq, rollout, wave, applied, crashed);
  }

  public HostRecord withLastCommandSeq(long seq) {
    return new HostRecord(tenant, host, labels, seq, rollout, wave, applied, crashed);
  }

  /** Assigned to a wave of a rollout, with nothing applied or crashed yet. */
  public HostRecord assignedTo(String newRollout, String newWave) {
    return new HostRecord(tenant, host, labels, lastCommandSeq, newRollout, newWave, false, false);
  }

  public HostRecord withOutcome(boolean newApplied, boolean newCrashed) {
    return new HostRecord(
        tenant, host, labels, lastCommandSeq, rollout, wave, newApplied, newCrashed);
  }
}
