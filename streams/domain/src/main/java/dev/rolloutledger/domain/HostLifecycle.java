package dev.rolloutledger.domain;

/**
 * Where a host stands in its owner's fleet, as an operator set it. {@link #ACTIVE}: takes part in
 * rollouts. {@link #CORDONED}: kept in the fleet (its telemetry is still read, and its outcome of
 * an Apply already sent is still judged), but no rollout takes it and no Apply is sent to it.
 * {@link #RETIRED}: left the fleet (decommissioned); nothing is sent to it, no rollout takes it,
 * and its record and history are kept. A registration does not change it: only an operator does.
 * {@link #UNREGISTERED}: heard from (its agent beats) but never registered by its owner, so not in
 * the fleet: no rollout takes it until it is registered, which makes it ACTIVE and keeps what was
 * heard (an agent may start before the inventory names its host).
 */
public enum HostLifecycle {
  ACTIVE,
  CORDONED,
  RETIRED,
  UNREGISTERED;

  /** Takes part in rollouts: may be assigned to waves and sent an Apply. */
  public boolean dispatchable() {
    return this == ACTIVE;
  }
}
