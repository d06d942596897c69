package dev.rolloutledger.domain;

import dev.rolloutledger.domain.gate.AlphaSplit;
import dev.rolloutledger.domain.gate.CohortEvidence;
import dev.rolloutledger.domain.gate.Signal;
import java.util.ArrayList;
import java.util.List;

/**
 * What a rollout's regression evidence and counts are now: the values its next decision is judged
 * on. The dashboard plots a series of them (docs/dashboard.md); they are recorded outside the
 * hash-chained ledger and decide nothing.
 *
 * @param assigned hosts bound to the rollout, every wave
 * @param applied hosts that applied the release: the updated cohort
 * @param failed hosts of the updated cohort failing by any signal
 * @param updatedAtRisk applied and not failing
 * @param baselineAtRisk not applied and not failing
 * @param baselineHosts not applied, failing or not
 * @param baselineFailing not applied and failing on their previous release
 */
public record EvidencePoint(
    String tenant,
    String rollout,
    String wave,
    int waveIndex,
    RolloutStatus status,
    int assigned,
    int applied,
    int failed,
    int waveAssigned,
    int waveApplied,
    int waveFailed,
    long updatedAtRisk,
    long baselineAtRisk,
    long baselineHosts,
    long baselineFailing,
    List<SignalPoint> signals) {

  /**
   * One signal's evidence: the rollout halts when {@code eValue} reaches {@code threshold}, 1/alpha
   * of the signal's share of the plan's alpha.
   */
  public record SignalPoint(
      Signal signal,
      double eValue,
      double threshold,
      long updatedFailures,
      long baselineFailures) {}

  public EvidencePoint {
    signals = List.copyOf(signals);
  }

  /** The point of {@code rollout}, with its cohorts as the engine's index holds them. */
  static EvidencePoint of(RolloutState rollout, FleetMembers members) {
    int assigned = 0;
    int applied = 0;
    int failed = 0;
    for (WaveCounts c : rollout.waves()) {
      assigned += c.assigned();
      applied += c.applied();
      failed += c.failed();
    }
    WaveCounts wave = rollout.counts(rollout.currentWave());
    AlphaSplit split = AlphaSplit.equal(rollout.plan().alpha());
    List<SignalPoint> signals = new ArrayList<>();
    for (Signal signal : Signal.ofHosts()) {
      CohortEvidence e = rollout.evidence(signal);
      signals.add(
          new SignalPoint(
              signal,
              e.eValue(),
              split.threshold(signal),
              e.updatedFailures(),
              e.baselineFailures()));
    }
    return new EvidencePoint(
        rollout.tenant(),
        rollout.rollout(),
        rollout.plan().waves().get(rollout.currentWave()).name(),
        rollout.currentWave(),
        rollout.status(),
        assigned,
        applied,
        failed,
        wave.assigned(),
        wave.applied(),
        wave.failed(),
        members.updatedAtRisk(),
        members.baselineAtRisk(),
        members.baselineHosts(),
        members.baselineFailing(),
        signals);
  }
}
