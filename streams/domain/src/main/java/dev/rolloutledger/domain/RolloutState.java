package dev.rolloutledger.domain;

import dev.rolloutledger.domain.gate.CohortEvidence;
import dev.rolloutledger.domain.gate.Signal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A rollout: its plan, where it is ({@code currentWave}, the last started wave, started at {@code
 * waveStartedAt} in event time), per-wave counts, and the head of its ledger chain ({@code seq} and
 * {@code lastHash} of its last entry; 0 and {@link LedgerHash#GENESIS} before the first). {@code
 * fanOutAfter}: a halt's commands are still going out, chunk by chunk, after this host id (ADR
 * 0007); its hosts are not free for another rollout until the last chunk, and any later entry of
 * the chain (a lifted halt) ends it. Null when nothing is pending. {@code assignment}: a PENDING
 * rollout's hosts are still being bound to its waves, chunk by chunk (ADR 0007); null once all are
 * bound (or none ever were). {@code clock}: what the rollout knows of the recorded clock, to tell
 * the system's own outage from the fleet's silence ({@link RolloutClock}); null when the engine
 * does not follow it (rollout logs before version 4) or before the rollout is ACTIVE.
 */
public record RolloutState(
    String tenant,
    String rollout,
    String release,
    Plan plan,
    RolloutStatus status,
    int currentWave,
    List<WaveCounts> waves,
    long seq,
    String lastHash,
    Instant plannedAt,
    Instant waveStartedAt,
    List<String> approvals,
    Map<Signal, CohortEvidence> evidence,
    String fanOutAfter,
    AssignmentCursor assignment,
    RolloutClock clock) {

  public RolloutState {
    Checks.tenant(tenant);
    Checks.id("rollout", rollout);
    Checks.id("release", release);
    Checks.present("plan", plan);
    Checks.present("status", status);
    waves = List.copyOf(Checks.present("waves", waves));
    if (waves.size() != plan.waves().size()) {
      throw new InvalidFieldException("waves", "must have one entry per plan wave");
    }
    for (int i = 0; i < waves.size(); i++) {
      if (!waves.get(i).wave().equals(plan.waves().get(i).name())) {
        throw new InvalidFieldException("waves[" + i + "].wave", "must match the plan");
      }
    }
    if (currentWave < 0 || currentWave >= waves.size()) {
      throw new InvalidFieldException("currentWave", "must index a wave of the plan");
    }
    Checks.atLeast("seq", seq, 0);
    Checks.hash("lastHash", lastHash);
    Checks.present("plannedAt", plannedAt);
    Checks.present("waveStartedAt", waveStartedAt);
    approvals = List.copyOf(new TreeSet<>(Checks.ids("approvals", approvals)));
    Checks.present("evidence", evidence);
    EnumMap<Signal, CohortEvidence> sorted = new EnumMap<>(Signal.class);
    sorted.putAll(evidence);
    evidence = Collections.unmodifiableMap(sorted);
    Checks.optionalId("fanOutAfter", fanOutAfter);
    if (assignment != null && assignment.wave() >= waves.size()) {
      throw new InvalidFieldException("assignment.wave", "must index a wave of the plan");
    }
  }

  /** Nothing pending, the recorded clock not followed (yet). */
  public RolloutState(
      String tenant,
      String rollout,
      String release,
      Plan plan,
      RolloutStatus status,
      int currentWave,
      List<WaveCounts> waves,
      long seq,
      String lastHash,
      Instant plannedAt,
      Instant waveStartedAt,
      List<String> approvals,
      Map<Signal, CohortEvidence> evidence) {
    this(
        tenant,
        rollout,
        release,
        plan,
        status,
        currentWave,
        waves,
        seq,
        lastHash,
        plannedAt,
        waveStartedAt,
        approvals,
        evidence,
        null,
        null,
        null);
  }

  /** With approvals, no evidence yet. */
  public RolloutState(
      String tenant,
      String rollout,
      String release,
      Plan plan,
      RolloutStatus status,
      int currentWave,
      List<WaveCounts> waves,
      long seq,
      String lastHash,
      Instant plannedAt,
      Instant waveStartedAt,
      List<String> approvals) {
    this(
        tenant,
        rollout,
        release,
        plan,
        status,
        currentWave,
        waves,
        seq,
        lastHash,
        plannedAt,
        waveStartedAt,
        approvals,
        Map.of());
  }

  /** The regression evidence of a signal, accumulated across the waves of the rollout. */
  public CohortEvidence evidence(Signal signal) {
    return evidence.getOrDefault(signal, CohortEvidence.NONE);
  }

  public RolloutState withEvidence(Signal signal, CohortEvidence updated) {
    Draft d = new Draft(this);
    d.evidence = new EnumMap<>(Signal.class);
    d.evidence.putAll(evidence);
    d.evidence.put(signal, updated);
    return d.build();
  }

  /** A new rollout: nothing approved yet. */
  public RolloutState(
      String tenant,
      String rollout,
      String release,
      Plan plan,
      RolloutStatus status,
      int currentWave,
      List<WaveCounts> waves,
      long seq,
      String lastHash,
      Instant plannedAt,
      Instant waveStartedAt) {
    this(
        tenant,
        rollout,
        release,
        plan,
        status,
        currentWave,
        waves,
        seq,
        lastHash,
        plannedAt,
        waveStartedAt,
        List.of(),
        Map.of());
  }

  public boolean approved(String wave) {
    return approvals.contains(wave);
  }

  /** With {@code wave} approved (approvals are sorted and unique). */
  public RolloutState withApproval(String wave) {
    Draft d = new Draft(this);
    d.approvals = new ArrayList<>(approvals);
    d.approvals.add(wave);
    return d.build();
  }

  public WaveCounts counts(int wave) {
    return waves.get(wave);
  }

  public RolloutState withStatus(RolloutStatus newStatus) {
    Draft d = new Draft(this);
    d.status = newStatus;
    return d.build();
  }

  /**
   * The current wave is now {@code wave}, started at {@code startedAt} (event time); none of its
   * time unobserved yet.
   */
  public RolloutState withCurrentWave(int wave, Instant startedAt) {
    Draft d = new Draft(this);
    d.currentWave = wave;
    d.waveStartedAt = startedAt;
    d.clock = clock == null ? null : clock.newWave();
    return d.build();
  }

  /** With what the rollout knows of the recorded clock (null: not followed). */
  public RolloutState withClock(RolloutClock newClock) {
    Draft d = new Draft(this);
    d.clock = newClock;
    return d.build();
  }

  /** True while an outage's grace holds silence verdicts and promotions ({@link RolloutClock}). */
  public boolean inGraceAt(Instant at) {
    return clock != null && clock.inGraceAt(at);
  }

  /** When the current wave's bake passes: its bake after its start, plus its unobserved time. */
  public Instant bakePassesAt() {
    Instant end = waveStartedAt.plus(plan.waves().get(currentWave).bake());
    return clock == null ? end : end.plus(clock.unobserved());
  }

  public RolloutState withCounts(int wave, WaveCounts counts) {
    Draft d = new Draft(this);
    d.waves = new ArrayList<>(waves);
    d.waves.set(wave, counts);
    return d.build();
  }

  /** After appending the entry numbered {@code newSeq} whose hash is {@code newHash}. */
  public RolloutState withChainHead(long newSeq, String newHash) {
    Draft d = new Draft(this);
    d.seq = newSeq;
    d.lastHash = newHash;
    d.fanOutAfter = null; // a later entry ends a pending fan-out
    return d.build();
  }

  /** A halt's commands go on after host {@code after} (null: none pending). */
  public RolloutState withFanOutAfter(String after) {
    Draft d = new Draft(this);
    d.fanOutAfter = after;
    return d.build();
  }

  /** Hosts are still being bound to waves from {@code next} on (null: all are bound). */
  public RolloutState withAssignment(AssignmentCursor next) {
    Draft d = new Draft(this);
    d.assignment = next;
    return d.build();
  }

  /** A copy to change before building: every wither goes through it, once. */
  private static final class Draft {
    final String tenant;
    final String rollout;
    final String release;
    final Plan plan;
    RolloutStatus status;
    int currentWave;
    List<WaveCounts> waves;
    long seq;
    String lastHash;
    final Instant plannedAt;
    Instant waveStartedAt;
    List<String> approvals;
    Map<Signal, CohortEvidence> evidence;
    String fanOutAfter;
    AssignmentCursor assignment;
    RolloutClock clock;

    Draft(RolloutState s) {
      tenant = s.tenant;
      rollout = s.rollout;
      release = s.release;
      plan = s.plan;
      status = s.status;
      currentWave = s.currentWave;
      waves = s.waves;
      seq = s.seq;
      lastHash = s.lastHash;
      plannedAt = s.plannedAt;
      waveStartedAt = s.waveStartedAt;
      approvals = s.approvals;
      evidence = s.evidence;
      fanOutAfter = s.fanOutAfter;
      assignment = s.assignment;
      clock = s.clock;
    }

    RolloutState build() {
      return new RolloutState(
          tenant,
          rollout,
          release,
          plan,
          status,
          currentWave,
          waves,
          seq,
          lastHash,
          plannedAt,
          waveStartedAt,
          approvals,
          evidence,
          fanOutAfter,
          assignment,
          clock);
    }
  }
}
