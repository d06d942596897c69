package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.EngineContext.reject;
import static dev.rolloutledger.domain.EngineContext.sortedRollouts;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Planning: a planned rollout takes the tenant's free hosts into its waves once its release is
 * known, and a host that registers later joins the first ACTIVE rollout with a matching wave that
 * has room.
 *
 * <p>A batched wave ({@link WavePlan#batches(int)}) becomes its batches {@code NAME.1} .. {@code
 * NAME.k} when the rollout starts, once its members are known: the rollout's stored plan is the
 * expanded one, so the engine, the ledger and the API see each batch as a wave. A spread wave
 * ({@link Spread}) takes at most its number of hosts per label value, the same hosts whether they
 * are bound at once or chunk by chunk.
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
            .map(h -> h.withLabels(e.labels()).registered())
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

  /**
   * The first wave whose selector matches the host and that has room for one more, or -1. A batch
   * has room only if it is the last of its wave and the wave had room ({@link
   * WavePlan#batches(int)}): a late host joins the last batch of a wave that takes all its matching
   * hosts. A spread wave has room while the host's label value has fewer than its number of hosts
   * in it (and its {@code hosts} cap, if any, has room; its {@code percent}, if any, is a share of
   * its hosts plus the newcomer).
   */
  private int waveWithRoom(RolloutState rollout, HostRecord host) {
    List<WavePlan> waves = rollout.plan().waves();
    for (int i = 0; i < waves.size(); i++) {
      WavePlan wave = waves.get(i);
      if (!wave.matches(host.labels())) {
        continue;
      }
      long assigned = rollout.counts(i).assigned();
      long eligible = assigned + 1;
      if (wave.spread() != null) {
        String value = wave.spread().valueOf(host.labels());
        Map<String, Integer> perValue = spreadCounts(rollout, wave);
        if (perValue.getOrDefault(value, 0) >= wave.spread().hosts()) {
          continue;
        }
      } else if (wave.percent() != null) {
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
    // a signed release is stored under the name the owner's policy gives its key, never the body's
    ReleaseInfo release = ReleaseInfo.of(e, context.policy(e.tenant()));
    context.store.putRelease(release);
    // rollouts planned before their release arrived start now, in rollout-id order
    Step step = context.step(e.tenant(), e.at());
    for (RolloutState r : sortedRollouts(context.store.rollouts(e.tenant()))) {
      if (r.status() != RolloutStatus.PENDING || !r.release().equals(e.release())) {
        continue;
      }
      if (assigning(e.tenant())) {
        break; // they start, in this order, once that assignment is done
      }
      context.store.putRollout(activateOrRefuse(step, r, release));
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
      // a decision of the owner's policy, not bad input: the rollout's ledger says why it stopped
      Step step = context.step(tenant, e.at());
      context.store.putRollout(refuse(step, pending, refusal));
      return step.decision();
    }
    if (assigning(tenant)) {
      context.store.putRollout(pending); // starts once that assignment is done
      return Decision.none();
    }
    Step step = context.step(tenant, e.at());
    context.store.putRollout(activate(step, pending, release));
    return step.decision();
  }

  /**
   * Starts a planned rollout whose release is known: assigns the tenant's free hosts (sorted by id)
   * to waves and starts wave 0. An emergency takes the same waves with compressed bakes.
   *
   * <p>Each wave takes, in host-id order, its share of the free hosts its selector matches that an
   * earlier wave did not take. With an {@link EngineConfig#assignChunk()}, the wave sizes are fixed
   * here and the hosts are bound chunk by chunk ({@link AssignmentContinued}) while the rollout
   * stays PENDING; its first wave starts once the last host is bound, and the tenant's other
   * rollouts start only after it (they stay PENDING meanwhile).
   */
  private RolloutState activate(Step step, RolloutState pending, ReleaseInfo release) {
    String tenant = pending.tenant();
    Plan plan = pending.plan().forSeverity(release.severity());
    List<HostRecord> available = new ArrayList<>();
    for (HostRecord h : new FreeHosts(context, tenant, null, pending.rollout())) {
      available.add(h);
    }
    // by position in `available`: no hashing of a million host ids per wave
    boolean[] taken = new boolean[available.size()];
    List<HostRecord> assigned = new ArrayList<>();
    List<WaveCounts> counts = new ArrayList<>();
    List<Integer> matching = new ArrayList<>();
    boolean chunked = context.config.assignChunk() > 0;
    List<WavePlan> expanded = new ArrayList<>();
    List<String> approvals = new ArrayList<>(pending.approvals());
    for (WavePlan wave : plan.waves()) {
      matching.clear();
      SpreadCount spread = SpreadCount.of(wave);
      for (int i = 0; i < available.size(); i++) {
        Map<String, String> labels = available.get(i).labels();
        if (!taken[i] && wave.matches(labels) && spread.admits(labels)) {
          matching.add(i);
        }
      }
      int members = (int) wave.capacity(matching.size());
      List<WavePlan> parts = wave.batches(members);
      int next = 0;
      for (int p = 0; p < parts.size(); p++) {
        WavePlan part = parts.get(p);
        int size = p == parts.size() - 1 ? members - next : part.hosts();
        for (int m = 0; m < size; m++) {
          int i = matching.get(next++);
          taken[i] = true;
          if (!chunked) {
            assigned.add(
                available
                    .get(i)
                    .assignedTo(pending.rollout(), part.name(), context.config.livenessOf(plan)));
          }
        }
        counts.add(new WaveCounts(part.name(), size, 0, 0));
        expanded.add(part);
      }
      if (wave.batched() && approvals.contains(wave.name())) {
        approvals.add(parts.get(0).name()); // approved before it was split: its first batch is
      }
    }
    plan = plan.withWaves(expanded);
    RolloutState sized =
        new RolloutState(
            tenant,
            pending.rollout(),
            pending.release(),
            plan,
            pending.status(),
            0,
            counts,
            pending.seq(),
            pending.lastHash(),
            pending.plannedAt(),
            step.at,
            approvals);
    if (chunked) {
      return bindChunk(step, sized.withAssignment(new AssignmentCursor(0, null)));
    }
    context.fleet.putAll(tenant, assigned);
    return start(step, sized);
  }

  /** All hosts are bound: ACTIVE, and wave 0 starts (an empty first wave passes at once). */
  private RolloutState start(Step step, RolloutState bound) {
    RolloutState rollout =
        context.followingClock(
            bound.withAssignment(null).withStatus(RolloutStatus.ACTIVE).withCurrentWave(0, step.at),
            step.at);
    return gate.promote(step, dispatcher.startWave(step, rollout));
  }

  /**
   * Binds the next hosts of a chunked assignment: at most {@link EngineConfig#assignChunk()}, after
   * looking at no more than {@value #LOOK_FACTOR} times that many free hosts (a rare selector does
   * not make one long transaction). Then starts the rollout if all are bound, or leaves an {@link
   * AssignmentContinued} for the rest. A wave whose free hosts ran out before its size (the fleet
   * changed meanwhile) keeps those it got.
   */
  private RolloutState bindChunk(Step step, RolloutState rollout) {
    String tenant = rollout.tenant();
    int budget = context.config.assignChunk();
    int looks = budget * LOOK_FACTOR;
    List<WavePlan> waves = rollout.plan().waves();
    Liveness liveness = context.config.livenessOf(rollout.plan());
    FleetMembers members = context.fleet.members(tenant, rollout.rollout());
    int w = rollout.assignment().wave();
    String after = rollout.assignment().after();
    for (; w < waves.size(); w++, after = null) {
      WavePlan wave = waves.get(w);
      int target = rollout.counts(w).assigned();
      int bound = members.wave(wave.name()).size();
      List<HostRecord> binding = new ArrayList<>();
      boolean ranOut = true;
      if (bound < target) {
        // a spread wave counts the label values of the hosts bound in earlier chunks first
        SpreadCount spread = SpreadCount.of(wave);
        for (String id : members.wave(wave.name())) {
          spread.admits(context.fleet.assigned(tenant, id).labels());
        }
        for (HostRecord h : new FreeHosts(context, tenant, after, rollout.rollout())) {
          if (budget == 0 || looks == 0) {
            ranOut = false;
            break;
          }
          looks--;
          after = h.host();
          if (wave.matches(h.labels()) && spread.admits(h.labels())) {
            binding.add(h.assignedTo(rollout.rollout(), wave.name(), liveness));
            budget--;
            if (bound + binding.size() == target) {
              break;
            }
          }
        }
      }
      context.fleet.putAll(tenant, binding); // after the loop: the view must not change under it
      members = context.fleet.members(tenant, rollout.rollout());
      bound += binding.size();
      if (bound < target && !ranOut) {
        AssignmentCursor next = new AssignmentCursor(w, after);
        step.continueWith(new AssignmentContinued(tenant, step.at, rollout.rollout(), w, after));
        return rollout.withAssignment(next);
      }
      if (bound < target) {
        rollout = rollout.withCounts(w, new WaveCounts(wave.name(), bound, 0, 0));
      }
    }
    return start(step, rollout);
  }

  /**
   * The next chunk of a rollout's assignment, while it is PENDING at that point. Once it was halted
   * meanwhile, its waves keep the hosts bound so far. Either way, when no rollout of the tenant is
   * being assigned any more, the ones that waited for it start.
   */
  Decision onAssignmentContinued(AssignmentContinued e) {
    RolloutState rollout = context.store.rollout(e.tenant(), e.rollout()).orElse(null);
    if (rollout == null || !e.cursor().equals(rollout.assignment())) {
      return Decision.none();
    }
    Step step = context.step(e.tenant(), e.at());
    if (rollout.status() == RolloutStatus.PENDING) {
      rollout = bindChunk(step, rollout);
    } else {
      FleetMembers members = context.fleet.members(e.tenant(), e.rollout());
      for (int w = 0; w < rollout.plan().waves().size(); w++) {
        WaveCounts counts = rollout.counts(w);
        int bound = members.wave(counts.wave()).size();
        if (bound < counts.assigned()) {
          rollout = rollout.withCounts(w, new WaveCounts(counts.wave(), bound, 0, 0));
        }
      }
      rollout = rollout.withAssignment(null);
    }
    context.store.putRollout(rollout);
    if (rollout.assignment() == null) {
      startWaiting(step, e.tenant());
    }
    return step.decision();
  }

  /** A rollout of the tenant is having its hosts bound: the others wait (stay PENDING). */
  private boolean assigning(String tenant) {
    for (RolloutState r : context.store.rollouts(tenant)) {
      if (r.status() == RolloutStatus.PENDING && r.assignment() != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * Starts, in rollout-id order, the PENDING rollouts whose release is known (they waited for
   * another rollout's assignment), until one of them is being assigned in turn.
   */
  private void startWaiting(Step step, String tenant) {
    // called once no rollout of the tenant is being assigned: only one started here can be
    for (RolloutState r : sortedRollouts(context.store.rollouts(tenant))) {
      if (r.status() == RolloutStatus.PENDING && r.assignment() != null) {
        return; // being assigned already: the others go on waiting
      }
      ReleaseInfo release = context.store.release(tenant, r.release()).orElse(null);
      if (r.status() != RolloutStatus.PENDING || release == null) {
        continue;
      }
      RolloutState started = activateOrRefuse(step, r, release);
      context.store.putRollout(started);
      if (started.status() == RolloutStatus.PENDING && started.assignment() != null) {
        return;
      }
    }
  }

  /** Starts a PENDING rollout, or halts it when the owner's policy refuses its release. */
  private RolloutState activateOrRefuse(Step step, RolloutState r, ReleaseInfo release) {
    String refusal = context.policy(r.tenant()).refusal(release);
    if (refusal == null) {
      return activate(step, r, release);
    }
    return refuse(step, r, refusal);
  }

  /** Halts a rollout before any host was assigned: its ledger's one entry says why. */
  private RolloutState refuse(Step step, RolloutState r, String refusal) {
    String wave = r.plan().waves().get(0).name();
    return dispatcher.halt(step, r, wave, RolloutEngine.REFUSED, Map.of("refusal", refusal));
  }

  /** The hosts of a spread wave of this rollout, by their value of its label. */
  private Map<String, Integer> spreadCounts(RolloutState rollout, WavePlan wave) {
    SpreadCount count = SpreadCount.of(wave);
    for (String id : context.fleet.members(rollout.tenant(), rollout.rollout()).wave(wave.name())) {
      count.admits(context.fleet.assigned(rollout.tenant(), id).labels());
    }
    return count.perValue;
  }

  /**
   * A spread wave's hosts per label value while its hosts are taken in host-id order: {@link
   * #admits} counts a host in if its value has room. A wave without spread admits every host.
   */
  private static final class SpreadCount {
    private final Spread spread;
    private final Map<String, Integer> perValue = new HashMap<>();

    private SpreadCount(Spread spread) {
      this.spread = spread;
    }

    static SpreadCount of(WavePlan wave) {
      return new SpreadCount(wave.spread());
    }

    /** Whether a host with these labels may join; if so it is counted. */
    boolean admits(Map<String, String> labels) {
      if (spread == null) {
        return true;
      }
      String value = spread.valueOf(labels);
      int n = perValue.getOrDefault(value, 0);
      if (value == null || n >= spread.hosts()) {
        return false;
      }
      perValue.put(value, n + 1);
      return true;
    }
  }

  /** How many free hosts a chunk may look at per host it may bind. */
  private static final int LOOK_FACTOR = 8;
}
