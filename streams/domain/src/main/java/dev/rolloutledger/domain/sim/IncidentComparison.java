package dev.rolloutledger.domain.sim;

import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.Plan;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An incident of the library (load-tests/incidents, docs/incidents.md) run twice over the same
 * fleet: as it historically went (every host receives the release within the incident's propagation
 * time) and as a staged rollout under a plan, through the real engine in virtual time ({@link
 * Simulator}). What {@code ledger incidents} tabulates and the server's what-if answers.
 *
 * @param historical the all-at-once propagation, or null for a scenario without one (a good
 *     release)
 * @param whatIf the staged rollout under the plan
 */
public record IncidentComparison(String name, int hosts, Historical historical, Staged whatIf) {

  /** All at once: {@code exposedHosts} received the release within {@code propagation}. */
  public record Historical(Duration propagation, int exposedHosts, int failedHosts) {}

  /**
   * Under the plan: halted (in {@code haltedWave}, by {@code haltSignal}, {@code timeToHalt} after
   * the first apply) or not; {@code exposedHosts} applied the release before the HALT, {@code
   * failedHosts} of them fail because of it; {@code duration}: from publication to completion, or
   * to the end of the run.
   */
  public record Staged(
      boolean halted,
      String haltedWave,
      String haltSignal,
      int firstWaveHosts,
      int exposedHosts,
      int failedHosts,
      Duration timeToHalt,
      boolean completed,
      Duration duration) {}

  /**
   * A library scenario leaves the plan to whoever runs it: one with its own would make "under the
   * default plan" (or under the plan a person chose) untrue.
   */
  public static Scenario requireNoPlan(Scenario scenario) {
    if (scenario.plan() != null) {
      throw new InvalidFieldException("plan", "the library runs under the default plan, omit it");
    }
    return scenario;
  }

  /** Runs {@code scenario} under {@code plan} (null: the default plan) and compares. */
  public static IncidentComparison run(Scenario scenario, Plan plan) {
    return of(scenario, Simulator.run(requireNoPlan(scenario).withPlan(plan)));
  }

  /** The comparison a finished run of {@code scenario} reports. */
  public static IncidentComparison of(Scenario scenario, SimulationReport r) {
    Historical historical =
        scenario.historical() == null
            ? null
            : new Historical(
                scenario.historical().propagation(),
                r.historicalExposedHosts(),
                r.historicalFailedHosts());
    return new IncidentComparison(
        r.name(),
        r.hosts(),
        historical,
        new Staged(
            r.halted(),
            r.haltedWave(),
            r.haltSignal(),
            r.firstWaveHosts(),
            r.exposedHosts(),
            r.failedHosts(),
            r.timeToHalt(),
            r.completed(),
            r.duration()));
  }

  /** The outcome in one sentence, historical first, as a person reads it. */
  public String summary() {
    StringBuilder b = new StringBuilder();
    if (historical != null) {
      b.append("All at once, ")
          .append(name)
          .append(" reached ")
          .append(count(historical.exposedHosts()))
          .append(" of ")
          .append(count(hosts))
          .append(" hosts within ")
          .append(human(historical.propagation()))
          .append(" and ")
          .append(count(historical.failedHosts()))
          .append(" failed; under this plan ");
    } else {
      b.append("Under this plan ").append(name).append(' ');
    }
    if (whatIf.halted()) {
      b.append("it was halted in wave ")
          .append(whatIf.haltedWave())
          .append(" by the ")
          .append(whatIf.haltSignal())
          .append(" signal ")
          .append(human(whatIf.timeToHalt()))
          .append(" after the first apply, with ");
    } else if (whatIf.completed()) {
      b.append("it was not halted and completed in ")
          .append(human(whatIf.duration()))
          .append(", with ");
    } else {
      b.append("it was neither halted nor completed within ")
          .append(human(whatIf.duration()))
          .append(", with ");
    }
    return b.append(count(whatIf.exposedHosts()))
        .append(" hosts exposed and ")
        .append(count(whatIf.failedHosts()))
        .append(" failed.")
        .toString();
  }

  /** A count as people read it: {@code 10,000}. */
  public static String count(int n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** A duration as people read it: {@code 3 min 56 s}, {@code 9 h 10 min}, {@code 8 d}. */
  public static String human(Duration d) {
    List<String> parts = new ArrayList<>();
    if (d.toDays() > 0) {
      parts.add(d.toDays() + " d");
    }
    if (d.toHoursPart() > 0) {
      parts.add(d.toHoursPart() + " h");
    }
    if (d.toMinutesPart() > 0) {
      parts.add(d.toMinutesPart() + " min");
    }
    if (d.toSecondsPart() > 0 || d.toNanosPart() > 0 || parts.isEmpty()) {
      BigDecimal seconds =
          BigDecimal.valueOf(d.toSecondsPart()).add(BigDecimal.valueOf(d.toNanosPart(), 9));
      parts.add(seconds.stripTrailingZeros().toPlainString() + " s");
    }
    return String.join(" ", parts);
  }
}
