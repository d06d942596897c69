package dev.rolloutledger.domain;

/** Lifecycle of a rollout. HALTED and COMPLETED are final. */
public enum RolloutStatus {
  /** Dispatching and promoting. */
  ACTIVE,
  /** No promotion or dispatch until resumed; the crash gate still halts it. */
  PAUSED,
  HALTED,
  COMPLETED;

  /** Whether the rollout is over, which also frees its hosts for a later rollout. */
  public boolean isFinal() {
    return this == HALTED || this == COMPLETED;
  }
}
