package dev.rolloutledger.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Dispatch and pacing: starts waves, sends Apply to their hosts at the plan's pace, and halts (Hold
 * to every host). Every command takes the host's next command seq ({@link Step#send}).
 */
final class Dispatcher {

  private final EngineContext context;

  Dispatcher(EngineContext context) {
    this.context = context;
  }

  /** Starts {@code rollout.currentWave()}: ledger entry, then Apply to its hosts. */
  RolloutState startWave(Step step, RolloutState rollout) {
    int index = rollout.currentWave();
    String wave = rollout.plan().waves().get(index).name();
    List<String> ids =
        List.copyOf(context.fleet.members(rollout.tenant(), rollout.rollout()).wave(wave));
    rollout =
        step.append(
            rollout,
            (tenant, at, id, seq, prev) ->
                new WaveStarted(tenant, at, id, seq, prev, wave, index, ids));
    return dispatch(step, rollout);
  }

  /**
   * Sends Apply to hosts of the current wave still waiting for it, in host-id order, paced: at most
   * {@code maxDispatchPerMinute} in each started minute since the wave began (event time). The
   * blast radius of a total failure is about rate x (time to fail + heartbeat timeout).
   */
  RolloutState dispatch(Step step, RolloutState rollout) {
    if (rollout.status() != RolloutStatus.ACTIVE) {
      return rollout;
    }
    Instant published =
        context
            .store
            .release(rollout.tenant(), rollout.release())
            .map(ReleaseInfo::publishedAt)
            .orElse(step.at);
    if (!context.policy(rollout.tenant()).allowsDispatch(step.at, published)) {
      return rollout; // the owner's policy holds it back: pause, outside a window, or too soon
    }
    // hosts that joined waves already passed go first, unpaced: their waves are proven
    FleetIndex.Members members = context.fleet.members(rollout.tenant(), rollout.rollout());
    List<String> late = new ArrayList<>();
    for (int w = 0; w < rollout.currentWave(); w++) {
      late.addAll(members.waiting(rollout.plan().waves().get(w).name()));
    }
    late.sort(Comparator.naturalOrder());
    for (HostRecord host : context.records(rollout, late)) {
      int wave = rollout.plan().indexOf(host.wave());
      sendApply(step, host, rollout);
      rollout = rollout.withCounts(wave, rollout.counts(wave).plusDispatched(1));
    }
    int index = rollout.currentWave();
    WaveCounts counts = rollout.counts(index);
    long minutes = Math.max(0, Duration.between(rollout.waveStartedAt(), step.at).toMinutes());
    long budget = (minutes + 1) * rollout.plan().maxDispatchPerMinute() - counts.dispatched();
    if (budget <= 0 || counts.dispatched() >= counts.assigned()) {
      return rollout;
    }
    String wave = rollout.plan().waves().get(index).name();
    List<HostRecord> waiting =
        context.records(rollout, members.waiting(wave).stream().limit(budget).toList());
    for (HostRecord host : waiting) {
      sendApply(step, host, rollout);
    }
    return rollout.withCounts(index, counts.plusDispatched(waiting.size()));
  }

  private void sendApply(Step step, HostRecord host, RolloutState rollout) {
    step.send(Apply::new, host, rollout);
    // send() stored the new command seq: mark the stored record, not the caller's copy
    context.fleet.put(context.host(host.tenant(), host.host()).orElseThrow().markedDispatched());
  }

  /**
   * Ledger entry, then Hold to every host assigned to the rollout, in host-id order; status HALTED.
   * A large fan-out goes on in later decisions ({@link #fanOut}).
   */
  RolloutState halt(
      Step step, RolloutState rollout, String wave, String reason, Map<String, String> evidence) {
    rollout =
        step.append(
            rollout,
            (tenant, at, id, seq, prev) ->
                new RolloutHalted(tenant, at, id, seq, prev, wave, reason, evidence));
    String pending = fanOut(step, rollout, false, null);
    return rollout.withFanOutAfter(pending).withStatus(RolloutStatus.HALTED);
  }

  /**
   * Sends the halt's command to the rollout's hosts after {@code after} (null: from the first), in
   * host-id order: Hold, or for a rollback Rollback to a host that got the release. With a {@link
   * EngineConfig#fanOutChunk()} it stops after that many and leaves a {@link FanOutContinued} for
   * the rest; {@code rollout} carries the halt entry at its chain head.
   *
   * @return the last host id sent when more remain (the rollout's {@code fanOutAfter}), else null
   */
  String fanOut(Step step, RolloutState rollout, boolean rollback, String after) {
    java.util.NavigableSet<String> ids =
        context.fleet.members(rollout.tenant(), rollout.rollout()).ids();
    Iterable<String> rest = after == null ? ids : ids.tailSet(after, false);
    int chunk = context.config.fanOutChunk();
    List<String> batch = new ArrayList<>();
    String last = null;
    boolean more = false;
    for (String id : rest) {
      if (chunk > 0 && batch.size() == chunk) {
        more = true;
        break;
      }
      batch.add(id);
      last = id;
    }
    for (HostRecord host : context.records(rollout, batch)) {
      if (!rollout.rollout().equals(host.rollout())) {
        continue;
      }
      if (rollback && host.dispatched()) {
        step.send(Rollback::new, host, rollout);
      } else {
        step.send(Hold::new, host, rollout);
      }
    }
    if (!more) {
      return null;
    }
    step.continueWith(
        new FanOutContinued(
            rollout.tenant(), step.at, rollout.rollout(), rollout.seq(), rollback, last));
    return last;
  }

  /**
   * The next chunk of a halt's fan-out, while the halt stands: once the rollout's chain moved on (a
   * person lifted the halt, it was halted again) the rest is not sent.
   */
  Decision onFanOutContinued(FanOutContinued e) {
    RolloutState rollout = context.store.rollout(e.tenant(), e.rollout()).orElse(null);
    if (rollout == null
        || rollout.status() != RolloutStatus.HALTED
        || rollout.seq() != e.entrySeq()
        || !e.after().equals(rollout.fanOutAfter())) {
      return Decision.none();
    }
    Step step = context.step(e.tenant(), e.at());
    context.store.putRollout(
        rollout.withFanOutAfter(fanOut(step, rollout, e.rollback(), e.after())));
    return step.decision();
  }
}
