package dev.rolloutledger.domain.sim;

import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.PauseRecorded;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.RolloutCompleted;
import dev.rolloutledger.domain.RolloutHalted;
import dev.rolloutledger.domain.RolloutState;
import dev.rolloutledger.domain.WaveCounts;
import dev.rolloutledger.domain.WavePromoted;
import dev.rolloutledger.domain.WaveStarted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * What a simulation counts as it runs, in seconds from publication, and the report it makes of
 * them: the engine's entries (halt, waves, completion), the journal's size, the fleet's first apply
 * and first failure.
 */
final class Tally {
  private Long haltedAt;
  private Long completedAt;
  private RolloutHalted halt;
  private PauseRecorded pause; // the first
  private final List<Integer> waveSizes = new ArrayList<>();
  private final List<String> promoted = new ArrayList<>();
  private long inputs;
  private long entries;
  private int exposedCount;
  private Long firstApplyAt;
  private Long firstFailureAt;

  /** The run is over: halted or completed. */
  boolean over() {
    return haltedAt != null || completedAt != null;
  }

  boolean halted() {
    return haltedAt != null;
  }

  void input() {
    inputs++;
  }

  /** A ledger entry the engine wrote at second {@code s} (before publication counts as 0). */
  void entry(LedgerEntry entry, long s) {
    entries++;
    if (entry instanceof RolloutHalted h && haltedAt == null) {
      haltedAt = Math.max(s, 0);
      halt = h;
    } else if (entry instanceof WaveStarted w) {
      waveSizes.add(w.hosts().size());
    } else if (entry instanceof WavePromoted p) {
      promoted.add(p.wave());
    } else if (entry instanceof PauseRecorded p && pause == null) {
      pause = p;
    } else if (entry instanceof RolloutCompleted) {
      completedAt = Math.max(s, 0);
    }
  }

  /** A host applied the release at second {@code s}. */
  void applied(long s) {
    exposedCount++;
    if (firstApplyAt == null) {
      firstApplyAt = s;
    }
  }

  /** A host failed because of the release at second {@code s}. */
  void failed(long s) {
    if (firstFailureAt == null) {
      firstFailureAt = s;
    }
  }

  /** What all-at-once propagation did: every host applied, each failed with failProbability. */
  record Historical(int exposedHosts, int failedHosts) {
    /** Drawn from its own stream, so it does not shift the simulation. */
    static Historical of(Scenario scenario, SplittableRandom h) {
      int n = scenario.fleet().hosts();
      int failed = 0;
      for (int i = 0; i < n; i++) {
        if (h.nextDouble() < scenario.behavior().failProbability()) {
          failed++;
        }
      }
      return new Historical(n, failed);
    }
  }

  /**
   * The plan's own minimum time for the waves as they were filled: every bake, plus the minutes its
   * pacing needs to dispatch each wave. {@code effective}: the plan the rollout ran, for the
   * release's severity, a batched wave as its batches.
   */
  private Duration planMinimum(Plan effective) {
    Duration total = Duration.ZERO;
    for (int w = 0; w < effective.waves().size() && w < waveSizes.size(); w++) {
      if (waveSizes.get(w) == 0) {
        continue; // a wave without hosts promotes at once: it has nothing to bake
      }
      long minutes =
          (waveSizes.get(w) + effective.maxDispatchPerMinute() - 1L)
              / effective.maxDispatchPerMinute();
      total =
          total
              .plus(effective.waves().get(w).bake())
              .plus(
                  Duration.ofMinutes(
                      Math.max(0, minutes - 1))); // the first minute's budget goes out at once
    }
    return total;
  }

  /**
   * {@code failedExposed}: exposed hosts that fail because of the release; {@code rollout}: the
   * engine's state of the rollout at the end (none if it was never planned).
   */
  SimulationReport report(
      Scenario scenario,
      Plan plan,
      long horizon,
      Historical historical,
      int failedExposed,
      Optional<RolloutState> rollout) {
    List<SimulationReport.Wave> waves = new ArrayList<>();
    int unreachable = 0;
    for (WaveCounts w : rollout.map(RolloutState::waves).orElse(List.of())) {
      waves.add(
          new SimulationReport.Wave(
              w.wave(), w.assigned(), w.applied(), w.failed(), w.unreachable()));
      unreachable += w.unreachable();
    }
    String signal = halt == null ? null : SimulationReport.signalOf(halt);
    long end = haltedAt != null ? haltedAt : completedAt != null ? completedAt : horizon;
    return new SimulationReport(
        scenario.name(),
        scenario.seed(),
        scenario.fleet().hosts(),
        halt != null,
        halt == null ? null : halt.wave(),
        signal,
        halt == null ? null : halt.reason(),
        waveSizes.isEmpty() ? 0 : waveSizes.get(0),
        exposedCount,
        failedExposed,
        firstApplyAt == null ? null : Duration.ofSeconds(firstApplyAt),
        firstFailureAt == null ? null : Duration.ofSeconds(firstFailureAt),
        haltedAt == null || firstApplyAt == null
            ? null
            : Duration.ofSeconds(haltedAt - firstApplyAt),
        List.copyOf(promoted),
        completedAt != null,
        Duration.ofSeconds(end),
        completedAt == null
            ? null
            : planMinimum(
                rollout
                    .map(RolloutState::plan)
                    .orElseGet(() -> plan.forSeverity(scenario.release().severity()))),
        historical == null ? null : historical.exposedHosts(),
        historical == null ? null : historical.failedHosts(),
        unreachable,
        pause == null ? null : pause.wave(),
        pause == null ? null : pause.reason(),
        waves,
        inputs,
        entries);
  }
}
