package dev.rolloutledger.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the parts of the {@link RolloutEngine} share: the store, the derived {@link FleetIndex}, the
 * engine's config, and the lookups every part makes (a host's record, a tenant's policy, the hosts
 * bound to a rollout). Not thread-safe, like the engine.
 */
final class EngineContext {

  final LedgerStore store;
  final EngineConfig config;
  final FleetIndex fleet;
  private final Map<String, OwnerPolicy> noPolicies = new HashMap<>();

  EngineContext(LedgerStore store, EngineConfig config) {
    Checks.present("store", store);
    this.config = Checks.present("config", config);
    // with heartbeats absorbed, hosts bound before the upgrade are judged by reports too (ADR 0007)
    this.store = config.heartbeatsAbsorbed() ? new AbsorbedLivenessStore(store) : store;
    this.fleet = new FleetIndex(this.store);
  }

  /** Collects what one input of {@code tenant} at event time {@code at} produces. */
  Step step(String tenant, Instant at) {
    return new Step(this, tenant, at);
  }

  OwnerPolicy policy(String tenant) {
    // asked at every promotion check (every heartbeat), so a tenant without a policy shares one
    // "none", found without a lambda or a second lookup
    OwnerPolicy set = store.policy(tenant).orElse(null);
    if (set != null) {
      return set;
    }
    OwnerPolicy none = noPolicies.get(tenant);
    if (none == null) {
      none = OwnerPolicy.none(tenant);
      noPolicies.put(tenant, none);
    }
    return none;
  }

  /** Hosts bound to this rollout, sorted by host id. */
  List<HostRecord> assignedTo(RolloutState rollout) {
    return records(rollout, fleet.members(rollout.tenant(), rollout.rollout()).ids());
  }

  /** The stored records of hosts bound to this rollout, in the order of {@code ids}. */
  List<HostRecord> records(RolloutState rollout, Iterable<String> ids) {
    List<HostRecord> out = new ArrayList<>();
    for (String id : ids) {
      out.add(fleet.assigned(rollout.tenant(), id));
    }
    return out;
  }

  /**
   * A rollout that became ACTIVE at {@code at} (started, or resumed after a halt, when it had no
   * ticks): its recorded clock is followed from {@code at} if {@link EngineConfig#outageGrace} is
   * on. A grace already running and the current wave's unobserved time are kept.
   */
  RolloutState followingClock(RolloutState rollout, Instant at) {
    if (!config.outageGrace()) {
      return rollout;
    }
    RolloutClock clock = rollout.clock();
    return rollout.withClock(
        clock == null
            ? RolloutClock.startedAt(at)
            : new RolloutClock(at, clock.graceUntil(), clock.unobserved()));
  }

  /** A host's record: the index holds those bound to a rollout, the store the others. */
  Optional<HostRecord> host(String tenant, String hostId) {
    HostRecord assigned = fleet.assigned(tenant, hostId);
    return assigned != null ? Optional.of(assigned) : store.host(tenant, hostId);
  }

  /** The host's record if it is known and was ever assigned to a rollout, else null. */
  HostRecord boundHost(String tenant, String hostId) {
    HostRecord host = fleet.assigned(tenant, hostId);
    if (host == null) {
      host = store.host(tenant, hostId).orElse(null);
    }
    return host == null || host.rollout() == null ? null : host;
  }

  /** Unassigned, or assigned to a rollout that is over. */
  boolean isFree(HostRecord host) {
    // a halt's commands still going out keep its hosts until the last chunk (ADR 0007)
    if (!host.dispatchable()) {
      return false; // cordoned or retired: no rollout takes it
    }
    return host.rollout() == null
        || store
            .rollout(host.tenant(), host.rollout())
            .map(r -> r.status().isFinal() && r.fanOutAfter() == null)
            .orElse(true);
  }

  /**
   * A rollout whose gate still watches: ACTIVE, or PAUSED (a pause must not mask a bad release).
   */
  static boolean gated(RolloutState rollout) {
    return rollout.status() == RolloutStatus.ACTIVE || rollout.status() == RolloutStatus.PAUSED;
  }

  static Decision reject(LedgerInput input, String subject, String reason) {
    return Decision.rejected(new Rejection(input.tenant(), input.at(), subject, reason));
  }

  // The store promises sorted lists; sorting again (linear on sorted input) keeps decisions
  // independent of how a store implementation orders its keys.
  static List<RolloutState> sortedRollouts(List<RolloutState> rollouts) {
    List<RolloutState> copy = new ArrayList<>(rollouts);
    copy.sort(Comparator.comparing(RolloutState::rollout));
    return copy;
  }
}
