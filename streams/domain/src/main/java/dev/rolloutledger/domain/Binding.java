package dev.rolloutledger.domain;

/**
 * A host's latest assignment: the rollout and wave it belongs to, and how that rollout's plan
 * judges its silence ({@link Liveness}). An assignment to a HALTED or COMPLETED rollout no longer
 * binds the host, but the record keeps it.
 */
public record Binding(String rollout, String wave, Liveness liveness) {

  public Binding {
    Checks.id("rollout", rollout);
    Checks.id("wave", wave);
    Checks.present("liveness", liveness);
  }

  /** Liveness from a failure detector ({@link Liveness#REPORTED}), not from heartbeats. */
  public boolean livenessReported() {
    return liveness == Liveness.REPORTED;
  }
}
