package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.EngineContext.reject;

import dev.rolloutledger.domain.gate.Signal;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What people and the owner's policy decide: pause, resume (a halt lifted too), approvals, a manual
 * halt, a rollback, and a new policy. Each answers an unknown rollout or one in the wrong state
 * with a {@link Rejection}.
 */
final class Controls {

  private final EngineContext context;
  private final Dispatcher dispatcher;
  private final Gate gate;
  private final Detectors detectors;

  Controls(EngineContext context, Dispatcher dispatcher, Gate gate, Detectors detectors) {
    this.context = context;
    this.dispatcher = dispatcher;
    this.gate = gate;
    this.detectors = detectors;
  }

  /**
   * The owner's new policy; what it allows (a window opening, a pause lifted) may happen at once.
   */
  Decision onPolicySet(PolicySet e) {
    context.store.putPolicy(e.policy());
    return detectors.onClock(new ClockTick(e.tenant(), e.at()));
  }

  Decision onPaused(RolloutPaused e) {
    RolloutState rollout = context.store.rollout(e.tenant(), e.rollout()).orElse(null);
    if (rollout == null) {
      return unknown(e, e.rollout());
    }
    return switch (rollout.status()) {
      case ACTIVE -> {
        if (!context.config.personsRecorded()) {
          context.store.putRollout(rollout.withStatus(RolloutStatus.PAUSED));
          yield Decision.none();
        }
        Step step = context.step(e.tenant(), e.at());
        String wave = rollout.plan().waves().get(rollout.currentWave()).name();
        rollout =
            step.append(
                rollout,
                (tenant, at, id, seq, prev) ->
                    new PauseRecorded(
                        tenant,
                        at,
                        id,
                        seq,
                        prev,
                        wave,
                        RolloutEngine.MANUAL_PAUSE,
                        Map.of("by", e.by(), "reason", e.reason())));
        context.store.putRollout(rollout.withStatus(RolloutStatus.PAUSED));
        yield step.decision();
      }
      case PAUSED -> Decision.none();
      case PENDING, HALTED, COMPLETED -> wrongStatus(e, rollout);
    };
  }

  Decision onResumed(RolloutResumed e) {
    RolloutState rollout = context.store.rollout(e.tenant(), e.rollout()).orElse(null);
    if (rollout == null) {
      return unknown(e, e.rollout());
    }
    return switch (rollout.status()) {
      case PAUSED -> {
        // who resumed it is on record before anything moves; the current wave may have finished
        // while paused: promote now rather than wait for an outcome that will never come.
        Step step = context.step(e.tenant(), e.at());
        if (context.config.personsRecorded()) {
          rollout =
              step.append(
                  rollout,
                  (tenant, at, id, seq, prev) ->
                      new PauseLifted(tenant, at, id, seq, prev, e.by(), e.reason()));
        }
        context.store.putRollout(
            gate.promote(
                step, dispatcher.dispatch(step, rollout.withStatus(RolloutStatus.ACTIVE))));
        yield step.decision();
      }
      case ACTIVE -> Decision.none();
      case HALTED -> resumeHalted(e, rollout);
      case PENDING, COMPLETED -> wrongStatus(e, rollout);
    };
  }

  /**
   * A person overrides a HALT: the ledger records who and why (the halt and its evidence stay), the
   * rollout is ACTIVE again, and hosts of the current wave that got Hold before applying are sent
   * Apply again (paced). The evidence is kept, so a further failure may halt it again at once.
   */
  private Decision resumeHalted(RolloutResumed e, RolloutState rollout) {
    Step step = context.step(e.tenant(), e.at());
    rollout =
        step.append(
            rollout,
            (tenant, at, id, seq, prev) ->
                new HaltLifted(tenant, at, id, seq, prev, e.by(), e.reason()));
    int index = rollout.currentWave();
    String wave = rollout.plan().waves().get(index).name();
    for (HostRecord host : context.assignedTo(rollout)) {
      if (wave.equals(host.wave()) && host.dispatched() && !host.applied()) {
        context.fleet.put(host.awaitingDispatch());
      }
    }
    // while halted its hosts were free: some may belong to another rollout now, so count again
    for (int w = 0; w < rollout.waves().size(); w++) {
      String name = rollout.plan().waves().get(w).name();
      List<HostRecord> members =
          context.assignedTo(rollout).stream().filter(h -> name.equals(h.wave())).toList();
      Map<Signal, Integer> failures = new EnumMap<>(Signal.class);
      for (HostRecord member : members) {
        if (member.failing()) {
          failures.merge(member.failure(), 1, Integer::sum);
        }
      }
      WaveCounts before = rollout.counts(w);
      rollout =
          rollout.withCounts(
              w,
              new WaveCounts(
                  name,
                  members.size(),
                  (int) members.stream().filter(HostRecord::applied).count(),
                  failures,
                  (int) members.stream().filter(HostRecord::dispatched).count(),
                  before.lastAppliedAt(),
                  (int) members.stream().filter(HostRecord::unreachable).count()));
    }
    // the clock was not followed while it was halted (it had no ticks): from now on
    rollout = context.followingClock(rollout.withStatus(RolloutStatus.ACTIVE), step.at);
    rollout = gate.promote(step, dispatcher.dispatch(step, rollout));
    context.store.putRollout(rollout);
    return step.decision();
  }

  /**
   * Records a person's approval of a wave (a {@link WaveApproved} entry naming who, the first time
   * only); the wave may then promote at once.
   */
  Decision onApproval(ApprovalGranted e) {
    RolloutState rollout = context.store.rollout(e.tenant(), e.rollout()).orElse(null);
    if (rollout == null) {
      return unknown(e, e.rollout());
    }
    if (rollout.plan().indexOf(e.wave()) < 0) {
      return reject(e, "rollout:" + e.rollout(), "no wave named '" + e.wave() + "'");
    }
    if (rollout.status().isFinal()) {
      return wrongStatus(e, rollout);
    }
    if (rollout.approved(e.wave())) {
      return Decision.none();
    }
    Step step = context.step(e.tenant(), e.at());
    if (context.config.personsRecorded()) {
      rollout =
          step.append(
              rollout,
              (tenant, at, id, seq, prev) ->
                  new WaveApproved(tenant, at, id, seq, prev, e.wave(), e.by()));
    }
    context.store.putRollout(gate.promote(step, rollout.withApproval(e.wave())));
    return step.decision();
  }

  Decision onManualHalt(ManualHalt e) {
    RolloutState rollout = context.store.rollout(e.tenant(), e.rollout()).orElse(null);
    if (rollout == null) {
      return unknown(e, e.rollout());
    }
    if (rollout.status().isFinal()) {
      return wrongStatus(e, rollout);
    }
    Step step = context.step(e.tenant(), e.at());
    String wave = rollout.plan().waves().get(rollout.currentWave()).name();
    rollout =
        dispatcher.halt(
            step,
            rollout,
            wave,
            RolloutEngine.MANUAL_HALT,
            Map.of("by", e.by(), "reason", e.reason()));
    context.store.putRollout(rollout);
    return step.decision();
  }

  /**
   * Rolls a rollout back, whatever its state but unknown: its ledger records the halt (reason
   * {@value RolloutEngine#ROLLBACK}, who, why, how many hosts go back), every host still bound to
   * it that was sent the release gets Rollback, the others Hold. A host that has moved on to a
   * later rollout is that rollout's now and is left alone.
   */
  Decision onRollback(RollbackRequested e) {
    RolloutState rollout = context.store.rollout(e.tenant(), e.rollout()).orElse(null);
    if (rollout == null) {
      return unknown(e, e.rollout());
    }
    Step step = context.step(e.tenant(), e.at());
    int back = 0;
    for (HostRecord host : context.assignedTo(rollout)) {
      if (rollout.rollout().equals(host.rollout()) && host.dispatched()) {
        back++;
      }
    }
    String wave = rollout.plan().waves().get(rollout.currentWave()).name();
    Map<String, String> evidence =
        Map.of("by", e.by(), "reason", e.reason(), "rolledBack", Integer.toString(back));
    rollout =
        step.append(
            rollout,
            (tenant, at, id, seq, prev) ->
                new RolloutHalted(
                    tenant, at, id, seq, prev, wave, RolloutEngine.ROLLBACK, evidence));
    String pending = dispatcher.fanOut(step, rollout, true, null);
    context.store.putRollout(rollout.withFanOutAfter(pending).withStatus(RolloutStatus.HALTED));
    return step.decision();
  }

  private static Decision unknown(LedgerInput e, String rollout) {
    return reject(e, "rollout:" + rollout, "unknown rollout");
  }

  private static Decision wrongStatus(LedgerInput e, RolloutState rollout) {
    return reject(e, "rollout:" + rollout.rollout(), "rollout is " + rollout.status());
  }
}
