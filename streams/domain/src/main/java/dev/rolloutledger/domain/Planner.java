package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.EngineContext.reject;
import static dev.rolloutledger.domain.EngineContext.sortedHosts;
import static dev.rolloutledger.domain.EngineContext.sortedRollouts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Planning: a planned rollout takes the tenant's free hosts into its waves once its release is
 * known, and a host that registers later joins the first ACTIVE rollout with a matching wave that
 * has room.
 */
final class Planner {

  private final EngineContext context;
  private final Dispatcher dispatcher;
  private final Gate gate;

  Planner(EngineContext context, Dispatcher dispatcher, Gate gate) {
    this.context = context;
    this.dispatcher = dispatcher;
    this.gate = gate;
  }

  Decision onHostRegistered(HostRegistered e) {
    HostRecord host =
        context
            .store
            .host(e.tenant(), e.host())
            .map(h -> h.withLabels(e.labels()))
            .orElseGet(() -> HostRecord.registered(e.tenant(), e.host(), e.labels()));
    if (context.isFree(host)) {
      for (RolloutState rollout : sortedRollouts(context.store.rollouts(e.tenant()))) {
        if (rollout.status() != RolloutStatus.ACTIVE) {
          continue;
        }
        int wave = waveWithRoom(rollout, host);
        if (wave >= 0) {
          return joinLate(e, host, rollout, wave);
        }
      }
    }
    context.fleet.put(host);
    return Decision.none();
  }

  private Decision joinLate(HostRegistered e, HostRecord host, RolloutState rollout, int wave) {
    host =
        host.assignedTo(
            rollout.rollout(),
            rollout.plan().waves().get(wave).name(),
            context.config.livenessOf(rollout.plan()));
    context.fleet.put(host);
    rollout = rollout.withCounts(wave, rollout.counts(wave).plus(1, 0));
    Step step = context.step(e.tenant(), e.at());
    if (wave <= rollout.currentWave()) {
      rollout = dispatcher.dispatch(step, rollout);
    }
    context.store.putRollout(rollout);
    return step.decision();
  }

  /** The first wave whose selector matches the host and that has room for one more, or -1. */
  private int waveWithRoom(RolloutState rollout, HostRecord host) {
    List<WavePlan> waves = rollout.plan().waves();
    for (int i = 0; i < waves.size(); i++) {
      WavePlan wave = waves.get(i);
      if (!wave.matches(host.labels())) {
        continue;
      }
      long assigned = rollout.counts(i).assigned();
      long eligible = assigned + 1;
      if (wave.percent() != null) {
        // The share is of the hosts the wave could have taken: the newcomer plus this rollout's
        // matching hosts in this or later waves, as if all of them had been there at planning.
        final int index = i;
        eligible =
            1
                + context.assignedTo(rollout).stream()
                    .filter(h -> rollout.plan().indexOf(h.wave()) >= index)
                    .filter(h -> wave.matches(h.labels()))
                    .count();
      }
      if (assigned < wave.capacity(eligible)) {
        return i;
      }
    }
    return -1;
  }

  Decision onReleasePublished(ReleasePublished e) {
    var existing = context.store.release(e.tenant(), e.release());
    if (existing.isPresent()) {
      // A release id names one artifact forever; the ledger and agents rely on its digest.
      return existing.get().sameContentAs(e)
          ? Decision.none()
          : reject(e, "release:" + e.release(), "release already published with other content");
    }
    ReleaseInfo release = ReleaseInfo.of(e);
    context.store.putRelease(release);
    // rollouts planned before their release arrived start now, in rollout-id order
    Step step = context.step(e.tenant(), e.at());
    for (RolloutState r : sortedRollouts(context.store.rollouts(e.tenant()))) {
      if (r.status() != RolloutStatus.PENDING || !r.release().equals(e.release())) {
        continue;
      }
      String refusal = context.policy(e.tenant()).refusal(release);
      if (refusal != null) {
        String wave = r.plan().waves().get(0).name();
        context.store.putRollout(
            dispatcher.halt(step, r, wave, RolloutEngine.REFUSED, Map.of("refusal", refusal)));
      } else {
        context.store.putRollout(activate(step, r, release));
      }
    }
    return step.decision();
  }

  Decision onRolloutPlanned(RolloutPlanned e) {
    String tenant = e.tenant();
    if (context.store.rollout(tenant, e.rollout()).isPresent()) {
      return reject(e, "rollout:" + e.rollout(), "rollout id already used");
    }
    List<WaveCounts> empty =
        e.plan().waves().stream().map(w -> WaveCounts.empty(w.name())).toList();
    RolloutState pending =
        new RolloutState(
            tenant,
            e.rollout(),
            e.release(),
            e.plan(),
            RolloutStatus.PENDING,
            0,
            empty,
            0,
            LedgerHash.GENESIS,
            e.at(),
            e.at());
    ReleaseInfo release = context.store.release(tenant, e.release()).orElse(null);
    if (release == null) {
      // Agents must verify what they install, so nothing moves before the digest is known; the
      // release may simply arrive later (another topic): the rollout waits for it.
      context.store.putRollout(pending);
      return Decision.none();
    }
    String refusal = context.policy(tenant).refusal(release);
    if (refusal != null) {
      return reject(e, "release:" + e.release(), refusal);
    }
    Step step = context.step(tenant, e.at());
    context.store.putRollout(activate(step, pending, release));
    return step.decision();
  }

  /**
   * Starts a planned rollout whose release is known: assigns the tenant's free hosts (sorted by id)
   * to waves and starts wave 0. An emergency takes the same waves with compressed bakes.
   */
  private RolloutState activate(Step step, RolloutState pending, ReleaseInfo release) {
    String tenant = pending.tenant();
    Plan plan = pending.plan().forSeverity(release.severity());
    List<HostRecord> available = new ArrayList<>();
    for (HostRecord h : sortedHosts(context.store.hosts(tenant))) {
      if (context.isFree(h)) {
        available.add(h);
      }
    }
    // by position in `available`: no hashing of a million host ids per wave
    boolean[] taken = new boolean[available.size()];
    List<HostRecord> assigned = new ArrayList<>();
    List<WaveCounts> counts = new ArrayList<>();
    List<Integer> matching = new ArrayList<>();
    for (WavePlan wave : plan.waves()) {
      matching.clear();
      for (int i = 0; i < available.size(); i++) {
        if (!taken[i] && wave.matches(available.get(i).labels())) {
          matching.add(i);
        }
      }
      int members = (int) wave.capacity(matching.size());
      for (int m = 0; m < members; m++) {
        int i = matching.get(m);
        taken[i] = true;
        assigned.add(
            available
                .get(i)
                .assignedTo(pending.rollout(), wave.name(), context.config.livenessOf(plan)));
      }
      counts.add(new WaveCounts(wave.name(), members, 0, 0));
    }
    context.fleet.putAll(tenant, assigned);
    RolloutState rollout =
        new RolloutState(
            tenant,
            pending.rollout(),
            pending.release(),
            plan,
            RolloutStatus.ACTIVE,
            0,
            counts,
            pending.seq(),
            pending.lastHash(),
            pending.plannedAt(),
            step.at,
            pending.approvals());
    // an empty first wave passes at once
    return gate.promote(step, dispatcher.startWave(step, rollout));
  }
}
