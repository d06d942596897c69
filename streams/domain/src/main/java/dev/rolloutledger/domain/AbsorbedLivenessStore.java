package dev.rolloutledger.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The engine's store seen with heartbeats absorbed (ADR 0007): a host bound before the upgrade,
 * under a plan that judged liveness from heartbeats, is read as bound with reported liveness, so
 * that the heartbeats the host stage now absorbs are not taken for silence. The host stage reports
 * it if it really stops. Writes pass through unchanged.
 */
final class AbsorbedLivenessStore implements LedgerStore {
  private final LedgerStore store;

  AbsorbedLivenessStore(LedgerStore store) {
    this.store = store;
  }

  static HostRecord reported(HostRecord h) {
    return h.withLiveness(Liveness.REPORTED);
  }

  @Override
  public Optional<HostRecord> host(String tenant, String host) {
    return store.host(tenant, host).map(AbsorbedLivenessStore::reported);
  }

  @Override
  public void putHost(HostRecord host) {
    store.putHost(host);
  }

  @Override
  public List<HostRecord> hosts(String tenant) {
    List<HostRecord> out = new ArrayList<>();
    for (HostRecord h : store.hosts(tenant)) {
      out.add(reported(h));
    }
    return out;
  }

  @Override
  public Optional<ReleaseInfo> release(String tenant, String release) {
    return store.release(tenant, release);
  }

  @Override
  public void putRelease(ReleaseInfo release) {
    store.putRelease(release);
  }

  @Override
  public Optional<RolloutState> rollout(String tenant, String rollout) {
    return store.rollout(tenant, rollout);
  }

  @Override
  public void putRollout(RolloutState rollout) {
    store.putRollout(rollout);
  }

  @Override
  public List<RolloutState> rollouts(String tenant) {
    return store.rollouts(tenant);
  }

  @Override
  public Optional<OwnerPolicy> policy(String tenant) {
    return store.policy(tenant);
  }

  @Override
  public void putPolicy(OwnerPolicy policy) {
    store.putPolicy(policy);
  }
}
