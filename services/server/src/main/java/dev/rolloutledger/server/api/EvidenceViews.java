package dev.rolloutledger.server.api;

import dev.rolloutledger.avro.EvidenceSnapshot;
import dev.rolloutledger.avro.SignalEvidence;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;

/**
 * JSON of a rollout's evidence path (docs/dashboard.md): one point per {@code EvidenceSnapshot}.
 */
public final class EvidenceViews {
  private EvidenceViews() {}

  @Serdeable
  public record SignalView(
      String signal,
      double eValue,
      double threshold,
      long updatedFailures,
      long baselineFailures) {}

  @Serdeable
  public record PointView(
      long n,
      Instant at,
      String wave,
      int waveIndex,
      String status,
      @Nullable String decision,
      List<String> decisions,
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
      List<SignalView> signals) {

    public static PointView of(EvidenceSnapshot s) {
      return new PointView(
          s.getN(),
          s.getAt(),
          s.getWave(),
          s.getWaveIndex(),
          s.getStatus(),
          s.getDecision(),
          List.copyOf(s.getDecisions()),
          s.getAssigned(),
          s.getApplied(),
          s.getFailed(),
          s.getWaveAssigned(),
          s.getWaveApplied(),
          s.getWaveFailed(),
          s.getUpdatedAtRisk(),
          s.getBaselineAtRisk(),
          s.getBaselineHosts(),
          s.getBaselineFailing(),
          s.getSignals().stream().map(EvidenceViews::signal).toList());
    }
  }

  private static SignalView signal(SignalEvidence e) {
    return new SignalView(
        e.getSignal(),
        e.getEValue(),
        e.getThreshold(),
        e.getUpdatedFailures(),
        e.getBaselineFailures());
  }

  /** A page of points; {@code next} is the point to ask for next, null at the end. */
  @Serdeable
  public record EvidencePage(String rollout, List<PointView> points, @Nullable Long next) {}
}
