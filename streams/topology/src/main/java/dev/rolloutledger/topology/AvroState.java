package dev.rolloutledger.topology;

import dev.rolloutledger.avro.state.HostLifecycleState;
import dev.rolloutledger.avro.state.HostState;
import dev.rolloutledger.avro.state.RolloutSnapshot;
import dev.rolloutledger.avro.state.SignalEvidence;
import dev.rolloutledger.avro.state.WaveCountsRecord;
import dev.rolloutledger.domain.Binding;
import dev.rolloutledger.domain.Contact;
import dev.rolloutledger.domain.Delivery;
import dev.rolloutledger.domain.HostLifecycle;
import dev.rolloutledger.domain.HostRecord;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.RolloutClock;
import dev.rolloutledger.domain.RolloutState;
import dev.rolloutledger.domain.RolloutStatus;
import dev.rolloutledger.domain.WaveCounts;
import dev.rolloutledger.domain.gate.CohortEvidence;
import dev.rolloutledger.domain.gate.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The state stores' Avro records and the domain's: a host's record ({@link HostState}) and a
 * rollout's snapshot ({@link RolloutSnapshot}). Split from {@link AvroMapper}, which answers for
 * them by type.
 */
final class AvroState {
  private AvroState() {}

  // The Avro state keeps a boolean per host signal and a count per signal in each wave (the names
  // of
  // Signal.countKey()); the domain keys both by Signal.

  static HostState toAvro(HostRecord h) {
    return HostState.newBuilder()
        .setTenant(h.tenant())
        .setHost(h.host())
        .setLabels(h.labels())
        .setLastCommandSeq(h.lastCommandSeq())
        .setRollout(h.rollout())
        .setWave(h.wave())
        .setApplied(h.applied())
        .setCrashed(h.failingBy(Signal.CRASH))
        .setLastSeenAt(h.lastSeenAt())
        .setSilent(h.failingBy(Signal.SILENCE))
        .setHot(h.failingBy(Signal.METRICS))
        .setDispatched(h.dispatched())
        .setBaselineFailing(h.baselineFailing())
        .setLivenessReported(h.livenessReported())
        .setSilenceReported(h.silenceReported())
        .setSignOfLifeAt(h.contact().signOfLifeAt())
        .setOffline(h.contact().offline())
        .setReportedRelease(h.contact().reportedRelease())
        .setLifecycle(HostLifecycleState.valueOf(h.contact().lifecycle().name()))
        .setApplySentAt(h.delivery().sentAt())
        .setApplySends(h.delivery().sends())
        .setUnreachable(h.delivery().unreachable())
        .build();
  }

  static HostRecord toDomain(HostState h) {
    return new HostRecord(
        h.getTenant(),
        h.getHost(),
        h.getLabels(),
        h.getLastCommandSeq(),
        binding(h),
        h.getApplied(),
        failure(h),
        h.getLastSeenAt(),
        h.getDispatched(),
        h.getBaselineFailing(),
        h.getSilenceReported(),
        new Contact(
            h.getSignOfLifeAt(),
            h.getOffline(),
            h.getReportedRelease(),
            HostLifecycle.valueOf(h.getLifecycle().name())),
        new Delivery(h.getApplySentAt(), h.getApplySends(), h.getUnreachable()));
  }

  private static Binding binding(HostState h) {
    if (h.getRollout() == null && h.getWave() == null) {
      if (h.getLivenessReported()) {
        throw new InvalidFieldException("livenessReported", "must be false for an unassigned host");
      }
      return null;
    }
    return new Binding(
        h.getRollout(),
        h.getWave(),
        h.getLivenessReported() ? Liveness.REPORTED : Liveness.HEARTBEATS);
  }

  /** The host's failure signal; the engine sets at most one flag (if more, the first counts). */
  private static Signal failure(HostState h) {
    if (h.getCrashed()) {
      return Signal.CRASH;
    }
    if (h.getSilent()) {
      return Signal.SILENCE;
    }
    return h.getHot() ? Signal.METRICS : null;
  }

  static RolloutSnapshot toAvro(RolloutState s) {
    List<WaveCountsRecord> waves = new ArrayList<>();
    for (WaveCounts c : s.waves()) {
      waves.add(
          new WaveCountsRecord(
              c.wave(),
              c.assigned(),
              c.applied(),
              c.failed(Signal.CRASH),
              c.failed(Signal.SILENCE),
              c.failed(Signal.METRICS),
              c.dispatched(),
              c.lastAppliedAt(),
              c.unreachable()));
    }
    return RolloutSnapshot.newBuilder()
        .setTenant(s.tenant())
        .setRollout(s.rollout())
        .setRelease(s.release())
        .setPlan(AvroMapper.planSpec(s.plan()))
        .setStatus(dev.rolloutledger.avro.state.RolloutStatus.valueOf(s.status().name()))
        .setCurrentWave(s.currentWave())
        .setWaves(waves)
        .setSeq(s.seq())
        .setLastHash(s.lastHash())
        .setPlannedAt(s.plannedAt())
        .setWaveStartedAt(s.waveStartedAt())
        .setApprovals(s.approvals())
        .setEvidence(evidence(s.evidence()))
        .setFanOutAfter(s.fanOutAfter())
        .setAssignWave(s.assignment() == null ? null : s.assignment().wave())
        .setAssignAfter(s.assignment() == null ? null : s.assignment().after())
        .setClockLastTick(s.clock() == null ? null : s.clock().lastTick())
        .setClockGraceUntil(s.clock() == null ? null : s.clock().graceUntil())
        .setClockUnobservedMillis(s.clock() == null ? 0 : s.clock().unobserved().toMillis())
        .build();
  }

  static RolloutState toDomain(RolloutSnapshot s) {
    List<WaveCounts> waves = new ArrayList<>();
    for (WaveCountsRecord c : s.getWaves()) {
      waves.add(
          new WaveCounts(
              c.getWave(),
              c.getAssigned(),
              c.getApplied(),
              Map.of(
                  Signal.CRASH,
                  c.getCrashed(),
                  Signal.SILENCE,
                  c.getSilent(),
                  Signal.METRICS,
                  c.getHot()),
              c.getDispatched(),
              c.getLastAppliedAt(),
              c.getUnreachable()));
    }
    return new RolloutState(
        s.getTenant(),
        s.getRollout(),
        s.getRelease(),
        AvroMapper.plan(s.getPlan()),
        RolloutStatus.valueOf(s.getStatus().name()),
        s.getCurrentWave(),
        waves,
        s.getSeq(),
        s.getLastHash(),
        s.getPlannedAt(),
        s.getWaveStartedAt(),
        s.getApprovals(),
        evidence(s.getEvidence()),
        s.getFanOutAfter(),
        s.getAssignWave() == null
            ? null
            : new dev.rolloutledger.domain.AssignmentCursor(s.getAssignWave(), s.getAssignAfter()),
        s.getClockLastTick() == null
            ? null
            : new RolloutClock(
                s.getClockLastTick(),
                s.getClockGraceUntil(),
                Duration.ofMillis(s.getClockUnobservedMillis())));
  }

  private static List<SignalEvidence> evidence(Map<Signal, CohortEvidence> evidence) {
    List<SignalEvidence> out = new ArrayList<>();
    evidence.forEach(
        (signal, e) -> {
          List<Double> ratios = new ArrayList<>();
          for (double r : e.logRatios()) {
            ratios.add(r);
          }
          out.add(
              new SignalEvidence(signal.name(), e.updatedFailures(), e.baselineFailures(), ratios));
        });
    return out;
  }

  private static Map<Signal, CohortEvidence> evidence(List<SignalEvidence> evidence) {
    Map<Signal, CohortEvidence> out = new EnumMap<>(Signal.class);
    for (SignalEvidence e : evidence) {
      double[] ratios = new double[e.getLogRatios().size()];
      for (int i = 0; i < ratios.length; i++) {
        ratios[i] = e.getLogRatios().get(i);
      }
      out.put(
          Signal.valueOf(e.getSignal()),
          new CohortEvidence(e.getUpdatedFailures(), e.getBaselineFailures(), ratios));
    }
    return out;
  }
}
