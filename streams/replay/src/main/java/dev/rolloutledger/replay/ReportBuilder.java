package dev.rolloutledger.replay;

import dev.rolloutledger.domain.Decision;
import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.RolloutCompleted;
import dev.rolloutledger.domain.RolloutHalted;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.WavePromoted;
import dev.rolloutledger.domain.WaveStarted;
import dev.rolloutledger.domain.sim.SimulationReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the simulation report of a rollout from the inputs the engine consumed and what it
 * decided, for a recorded rollout and its what-if alike: the same fields as {@code ledger
 * simulate}, with each host's failure taken from its {@link Outcome}.
 */
final class ReportBuilder {
  private final String rollout;
  private final String release;
  private final Instant published;
  private final Map<String, Outcome> outcomes;
  private final Set<String> exposed = new HashSet<>();
  private final List<String> promoted = new ArrayList<>();
  private int failed;
  private Instant firstApply;
  private Instant firstFailure;
  private RolloutHalted halt;
  private Instant completedAt;
  private int firstWaveHosts;
  private long inputs;
  private long entries;

  ReportBuilder(String rollout, String release, Instant published, Map<String, Outcome> outcomes) {
    this.rollout = rollout;
    this.release = release;
    this.published = published;
    this.outcomes = outcomes;
  }

  void input(LedgerInput input) {
    inputs++;
    if (halt == null
        && input instanceof UpdateApplied u
        && u.release().equals(release)
        && exposed.add(u.host())) {
      firstApply = firstApply == null ? u.at() : firstApply;
      Outcome o = outcomes.getOrDefault(u.host(), Outcome.UNKNOWN);
      if (o.failed()) {
        failed++;
        Instant at = u.at().plusSeconds(o.delay());
        firstFailure = firstFailure == null || at.isBefore(firstFailure) ? at : firstFailure;
      }
    }
  }

  void decision(Decision decision) {
    for (LedgerEntry entry : decision.entries()) {
      if (!entry.rollout().equals(rollout)) {
        continue;
      }
      entries++;
      if (entry instanceof RolloutHalted h && halt == null) {
        halt = h;
      } else if (entry instanceof WaveStarted w && w.waveIndex() == 0) {
        firstWaveHosts = w.hosts().size();
      } else if (entry instanceof WavePromoted p) {
        promoted.add(p.wave());
      } else if (entry instanceof RolloutCompleted c) {
        completedAt = c.at();
      }
    }
  }

  boolean finished() {
    return halt != null || completedAt != null;
  }

  SimulationReport build(String name, int hosts, Instant end) {
    Instant stop = halt != null ? halt.at() : completedAt != null ? completedAt : end;
    return new SimulationReport(
        name,
        0,
        hosts,
        halt != null,
        halt == null ? null : halt.wave(),
        halt == null ? null : SimulationReport.signalOf(halt),
        halt == null ? null : halt.reason(),
        firstWaveHosts,
        exposed.size(),
        failed,
        since(published, firstApply),
        since(published, firstFailure),
        halt == null ? null : since(firstApply, halt.at()),
        List.copyOf(promoted),
        completedAt != null,
        Duration.between(published, stop),
        null,
        null,
        null,
        inputs,
        entries);
  }

  private static Duration since(Instant from, Instant to) {
    return from == null || to == null ? null : Duration.between(from, to);
  }
}
