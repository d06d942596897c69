package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.EngineContext.gated;
import static dev.rolloutledger.domain.EngineContext.reject;

/**
 * A host's {@link HostLifecycle}, as an operator sets it. A cordoned or retired host is free for no
 * rollout and is sent no Apply. If it is bound to a rollout whose gate still watches, it leaves its
 * wave (the wave no longer waits for it) unless its outcome already counts: a cordoned host whose
 * Apply went out stays and is judged (a cordon stops what is sent, not what is seen); a retired
 * host stays only while it is counted as failing, so retiring a failing host never hides a failure
 * from the gate.
 */
final class Lifecycle {

  private final EngineContext context;
  private final Gate gate;

  Lifecycle(EngineContext context, Gate gate) {
    this.context = context;
    this.gate = gate;
  }

  Decision onChanged(HostLifecycleChanged e) {
    HostRecord host = context.host(e.tenant(), e.host()).orElse(null);
    if (host == null || host.contact().lifecycle() == HostLifecycle.UNREGISTERED) {
      return reject(e, "host:" + e.host(), "host not registered");
    }
    HostRecord changed = host.withContact(host.contact().withLifecycle(e.lifecycle()));
    if (changed == host) {
      return Decision.none();
    }
    RolloutState rollout =
        host.rollout() == null
            ? null
            : context.store.rollout(e.tenant(), host.rollout()).orElse(null);
    if (rollout == null || !gated(rollout) || !leaves(changed)) {
      context.fleet.put(changed);
      return Decision.none();
    }
    int wave = rollout.plan().indexOf(host.wave());
    WaveCounts c = rollout.counts(wave);
    WaveCounts after =
        new WaveCounts(
            c.wave(),
            c.assigned() - 1,
            c.applied() - (host.applied() ? 1 : 0),
            c.failures(),
            c.dispatched() - (host.dispatched() ? 1 : 0),
            c.lastAppliedAt(),
            c.unreachable() - (host.unreachable() ? 1 : 0));
    context.fleet.put(changed.unbound());
    rollout = rollout.withCounts(wave, after);
    Step step = context.step(e.tenant(), e.at());
    if (rollout.status() == RolloutStatus.ACTIVE) {
      rollout = gate.promote(step, rollout); // the wave may have waited only for this host
    }
    context.store.putRollout(rollout);
    return step.decision();
  }

  /** Whether a host no longer dispatchable leaves its wave (see the class comment). */
  private static boolean leaves(HostRecord host) {
    if (host.dispatchable() || host.failing()) {
      return false;
    }
    return host.contact().lifecycle() == HostLifecycle.RETIRED || !host.dispatched();
  }
}
