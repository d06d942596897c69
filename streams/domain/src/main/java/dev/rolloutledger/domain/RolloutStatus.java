package dev.rolloutledger.domain;

/** Lifecycle of a rollout. HALTED and COMPLETED are final. */
public enum RolloutStatus {
  /**
   * Planned before its release was published (the two arrive on different topics, in either order):
   * nothing assigned or sent until the release is known.
   */
  PENDING,
  /** Dispatching and promoting. */
  ACTIVE,
  /** No promotion or dispatch until resumed; the gate still halts it. */
  PAUSED,
  HALTED,
  COMPLETED;

  /** Whether the rollout is over, which also frees its hosts for a later rollout. */
  public boolean isFinal() {
    return this == HALTED || this == COMPLETED;
  }
}
