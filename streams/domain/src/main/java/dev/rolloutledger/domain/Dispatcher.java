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
   * blast radius of a total failure is about rate x (time to fail + heartbeat timeout). When the
   * engine follows reachability ({@link EngineConfig#reachability()}) a host with no sign of life
   * is recorded unreachable instead of sent an Apply, and too many of them pause the rollout.
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
    RolloutState before = rollout;
    // hosts that joined waves already passed go first, unpaced: their waves are proven
    FleetMembers members = context.fleet.members(rollout.tenant(), rollout.rollout());
    List<String> late = new ArrayList<>();
    for (int w = 0; w < rollout.currentWave(); w++) {
      late.addAll(members.waiting(rollout.plan().waves().get(w).name()));
    }
    late.sort(Comparator.naturalOrder());
    for (HostRecord host : context.records(rollout, late)) {
      rollout = deliver(step, host, rollout);
    }
    int index = rollout.currentWave();
    WaveCounts counts = rollout.counts(index);
    long minutes = Math.max(0, Duration.between(rollout.waveStartedAt(), step.at).toMinutes());
    long budget = (minutes + 1) * rollout.plan().maxDispatchPerMinute() - counts.dispatched();
    if (budget > 0 && counts.dispatched() + counts.unreachable() < counts.assigned()) {
      String wave = rollout.plan().waves().get(index).name();
      for (HostRecord host :
          context.records(rollout, members.waiting(wave).stream().limit(budget).toList())) {
        rollout = deliver(step, host, rollout);
      }
    }
    return pauseIfUnreachable(step, before, rollout);
  }

  /**
   * Sends the host its Apply, or, when the engine follows reachability and the host cannot be
   * reached now, records it unreachable in its wave.
   */
  private RolloutState deliver(Step step, HostRecord host, RolloutState rollout) {
    int wave = rollout.plan().indexOf(host.wave());
    WaveCounts counts = rollout.counts(wave);
    if (context.config.reachability() && !reachable(host, rollout, step.at)) {
      context.fleet.put(stored(host).markedUnreachable());
      return rollout.withCounts(wave, counts.plusUnreachable(1));
    }
    step.send(Apply::new, host, rollout);
    // send() stored the new command seq: mark the stored record, not the caller's copy
    HostRecord sent = stored(host).markedDispatched();
    if (context.config.reachability()) {
      sent = sent.withDelivery(sent.delivery().sentAt(step.at));
    }
    context.fleet.put(sent);
    return rollout.withCounts(wave, counts.plusDispatched(1));
  }

  /**
   * Whether an Apply sent now may reach the host: it takes part in rollouts and no detector
   * reported it silent since its last sign of life; under a plan whose liveness comes from
   * heartbeats it was also heard from, and, when the engine reads every heartbeat itself, within
   * the plan's heartbeat timeout. Under a plan whose liveness is reported (ADR 0006) a host is
   * alive until the fleet's detector says otherwise, seen or not.
   */
  boolean reachable(HostRecord host, RolloutState rollout, Instant at) {
    Contact contact = host.contact();
    if (!host.dispatchable() || contact.offline()) {
      return false;
    }
    if (rollout.plan().liveness() == Liveness.REPORTED) {
      return true;
    }
    if (contact.signOfLifeAt() == null) {
      return false;
    }
    return context.config.heartbeatsAbsorbed()
        || !at.isAfter(contact.signOfLifeAt().plus(rollout.plan().heartbeatTimeout()));
  }

  private HostRecord stored(HostRecord host) {
    return context.host(host.tenant(), host.host()).orElseThrow();
  }

  /**
   * Applies that expired unanswered ({@link EngineConfig#commandTtl()} after they were sent, no
   * outcome reported): each is sent once more to a host that can be reached, with a new seq; a
   * second expiry, or a host that cannot be reached, records the host unreachable in its wave. The
   * caller asks {@link #pauseIfUnreachable} afterwards.
   */
  RolloutState expire(Step step, RolloutState rollout) {
    if (!context.config.reachability() || rollout.status() != RolloutStatus.ACTIVE) {
      return rollout;
    }
    Instant bound = step.at.minus(context.config.commandTtl());
    List<String> expired =
        context.fleet.members(rollout.tenant(), rollout.rollout()).sentBefore(bound);
    for (HostRecord host : context.records(rollout, expired)) {
      int wave = rollout.plan().indexOf(host.wave());
      if (host.delivery().sends() < 2 && reachable(host, rollout, step.at)) {
        step.send(Apply::new, host, rollout);
        HostRecord resent = stored(host);
        context.fleet.put(resent.withDelivery(resent.delivery().sentAt(step.at)));
      } else {
        context.fleet.put(stored(host).markedUnreachable());
        WaveCounts counts = rollout.counts(wave);
        rollout = rollout.withCounts(wave, counts.plusDispatched(-1).plusUnreachable(1));
      }
    }
    return rollout;
  }

  /**
   * Pauses the rollout for a person ({@link PauseRecorded}) when a wave's unreachable hosts went
   * from within its plan's {@code maxUnreachableFraction} to beyond it between {@code before} and
   * {@code after}: a partition is not a green light. Once a person resumed it, more hosts of the
   * same wave found unreachable do not pause it again; hosts that came back and went again do.
   */
  RolloutState pauseIfUnreachable(Step step, RolloutState before, RolloutState after) {
    if (after.status() != RolloutStatus.ACTIVE) {
      return after;
    }
    Plan plan = after.plan();
    for (int w = 0; w < after.waves().size(); w++) {
      WaveCounts was = before.counts(w);
      WaveCounts now = after.counts(w);
      if (now.unreachable() <= was.unreachable()
          || plan.tooManyUnreachable(was.unreachable(), was.assigned())
          || !plan.tooManyUnreachable(now.unreachable(), now.assigned())) {
        continue;
      }
      Map<String, String> evidence = new java.util.TreeMap<>();
      evidence.put("assigned", Integer.toString(now.assigned()));
      evidence.put("unreachable", Integer.toString(now.unreachable()));
      evidence.put("applied", Integer.toString(now.applied()));
      evidence.put("maxUnreachableFraction", EvidenceFormat.decimal(plan.maxUnreachableFraction()));
      String wave = now.wave();
      return step.append(
              after,
              (tenant, at, id, seq, prev) ->
                  new PauseRecorded(
                      tenant, at, id, seq, prev, wave, RolloutEngine.UNREACHABLE, evidence))
          .withStatus(RolloutStatus.PAUSED);
    }
    return after;
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
