package dev.rolloutledger.domain;

import java.util.List;
import java.util.Optional;

/**
 * The state the {@link RolloutEngine} reads and writes while applying one input. Backed by Kafka
 * Streams state stores in production and by {@link InMemoryLedgerStore} in tests and replay.
 *
 * <p>The engine reads tenant-wide views ({@link #hosts}, {@link #rollouts}), so all inputs of a
 * tenant must go through one store, one at a time, in log order.
 */
public interface LedgerStore {

  Optional<HostRecord> host(String tenant, String host);

  void putHost(HostRecord host);

  /** All hosts of the tenant, sorted by host id. */
  List<HostRecord> hosts(String tenant);

  Optional<ReleaseInfo> release(String tenant, String release);

  void putRelease(ReleaseInfo release);

  Optional<RolloutState> rollout(String tenant, String rollout);

  void putRollout(RolloutState rollout);

  /** All rollouts of the tenant, sorted by rollout id. */
  List<RolloutState> rollouts(String tenant);

  /** The tenant's policy, if the owner set one. */
  Optional<OwnerPolicy> policy(String tenant);

  void putPolicy(OwnerPolicy policy);
}
