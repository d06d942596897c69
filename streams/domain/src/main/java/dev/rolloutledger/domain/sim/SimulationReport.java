package dev.rolloutledger.domain.sim;

import dev.rolloutledger.domain.RolloutEngine;
import dev.rolloutledger.domain.RolloutHalted;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What a simulated rollout did. Durations are from publication ({@code firstApply}, {@code
 * duration}) or from the first apply ({@code timeToHalt}).
 *
 * @param haltSignal what tipped the HALT: apply, crash, silence, metrics (the anytime-valid
 *     evidence of that signal, or its hard cap), cap (the crash-fraction cap over all signals),
 *     manual or policy
 * @param firstWaveHosts hosts assigned to the first wave
 * @param firstFailure from publication, the first failure caused by the release (or null)
 * @param planMinimum for a completed rollout, the plan's own minimum time: its bakes plus the
 *     dispatch time its pacing allows (the first minute's budget goes out at once)
 * @param exposedHosts hosts that applied the release before the HALT (all that applied if none)
 * @param failedHosts exposed hosts that fail because of the release (now or later)
 * @param historicalExposedHosts with {@code historical}: hosts the all-at-once propagation reached
 * @param unreachableHosts hosts the engine has recorded unreachable at the end (no sign of life
 *     when their Apply was due, or an Apply unanswered twice), over all waves
 * @param pausedWave the wave in which the engine first paused the rollout for a person (for example
 *     for unreachable hosts), or null; {@code pauseReason}: why
 * @param waves every wave of the plan in force, in plan order, as the engine counted it at the end
 * @param inputs events the engine processed; {@code entries}: ledger entries it wrote
 */
public record SimulationReport(
    String name,
    long seed,
    int hosts,
    boolean halted,
    String haltedWave,
    String haltSignal,
    String haltReason,
    int firstWaveHosts,
    int exposedHosts,
    int failedHosts,
    Duration firstApply,
    Duration firstFailure,
    Duration timeToHalt,
    List<String> promotedWaves,
    boolean completed,
    Duration duration,
    Duration planMinimum,
    Integer historicalExposedHosts,
    Integer historicalFailedHosts,
    Integer unreachableHosts,
    String pausedWave,
    String pauseReason,
    List<Wave> waves,
    long inputs,
    long entries) {

  /**
   * One wave at the end of the run: {@code hosts} assigned to it, of which {@code applied} applied
   * the release (a failed apply included), {@code failed} fail by any signal, and {@code
   * unreachable} are recorded unreachable.
   */
  public record Wave(String name, int hosts, int applied, int failed, int unreachable) {}

  public SimulationReport {
    waves = waves == null ? null : List.copyOf(waves);
  }

  /**
   * A report without the engine's final wave counts nor its pauses (a replay's): {@code
   * unreachableHosts}, {@code pausedWave}, {@code pauseReason} and {@code waves} are left out of
   * its JSON.
   */
  public SimulationReport(
      String name,
      long seed,
      int hosts,
      boolean halted,
      String haltedWave,
      String haltSignal,
      String haltReason,
      int firstWaveHosts,
      int exposedHosts,
      int failedHosts,
      Duration firstApply,
      Duration firstFailure,
      Duration timeToHalt,
      List<String> promotedWaves,
      boolean completed,
      Duration duration,
      Duration planMinimum,
      Integer historicalExposedHosts,
      Integer historicalFailedHosts,
      long inputs,
      long entries) {
    this(
        name,
        seed,
        hosts,
        halted,
        haltedWave,
        haltSignal,
        haltReason,
        firstWaveHosts,
        exposedHosts,
        failedHosts,
        firstApply,
        firstFailure,
        timeToHalt,
        promotedWaves,
        completed,
        duration,
        planMinimum,
        historicalExposedHosts,
        historicalFailedHosts,
        null,
        null,
        null,
        null,
        inputs,
        entries);
  }

  /** The signal behind a HALT, from its reason and evidence. */
  public static String signalOf(RolloutHalted halt) {
    String reason = halt.reason();
    if (RolloutEngine.REGRESSION.equals(reason)) {
      return halt.evidence().getOrDefault("signal", "unknown").toLowerCase(Locale.ROOT);
    }
    if (RolloutEngine.SILENCE.equals(reason)) {
      return "silence";
    }
    if (RolloutEngine.METRICS.equals(reason)) {
      return "metrics";
    }
    if (RolloutEngine.FAILURE_FRACTION_CAP.equals(reason)) {
      return "cap";
    }
    if (RolloutEngine.MANUAL_HALT.equals(reason)) {
      return "manual";
    }
    return "policy";
  }

  /** The report as one JSON object, fields in a fixed order (same run, same bytes). */
  public String toJson() {
    StringBuilder b = new StringBuilder(512);
    b.append("{\n");
    field(b, "name", str(name));
    field(b, "seed", Long.toString(seed));
    field(b, "hosts", Integer.toString(hosts));
    field(b, "halted", Boolean.toString(halted));
    field(b, "haltedWave", str(haltedWave));
    field(b, "haltSignal", str(haltSignal));
    field(b, "haltReason", str(haltReason));
    field(b, "firstWaveHosts", Integer.toString(firstWaveHosts));
    field(b, "exposedHosts", Integer.toString(exposedHosts));
    field(b, "failedHosts", Integer.toString(failedHosts));
    field(b, "firstApply", firstApply == null ? "null" : str(firstApply.toString()));
    field(b, "firstFailure", firstFailure == null ? "null" : str(firstFailure.toString()));
    field(b, "timeToHalt", timeToHalt == null ? "null" : str(timeToHalt.toString()));
    StringBuilder waves = new StringBuilder("[");
    for (int i = 0; i < promotedWaves.size(); i++) {
      waves.append(i == 0 ? "" : ", ").append(str(promotedWaves.get(i)));
    }
    field(b, "promotedWaves", waves.append("]").toString());
    field(b, "completed", Boolean.toString(completed));
    field(b, "duration", str(duration.toString()));
    field(b, "planMinimum", planMinimum == null ? "null" : str(planMinimum.toString()));
    if (historicalExposedHosts != null) {
      field(
          b,
          "historical",
          "{\"exposedHosts\": "
              + historicalExposedHosts
              + ", \"failedHosts\": "
              + historicalFailedHosts
              + "}");
    }
    if (unreachableHosts != null) {
      field(b, "unreachableHosts", Integer.toString(unreachableHosts));
      field(b, "pausedWave", str(pausedWave));
      field(b, "pauseReason", str(pauseReason));
    }
    if (this.waves != null) {
      StringBuilder list = new StringBuilder("[");
      for (int i = 0; i < this.waves.size(); i++) {
        Wave w = this.waves.get(i);
        list.append(i == 0 ? "\n    " : ",\n    ")
            .append("{\"name\": ")
            .append(str(w.name()))
            .append(", \"hosts\": ")
            .append(w.hosts())
            .append(", \"applied\": ")
            .append(w.applied())
            .append(", \"failed\": ")
            .append(w.failed())
            .append(", \"unreachable\": ")
            .append(w.unreachable())
            .append('}');
      }
      field(b, "waves", list.append(this.waves.isEmpty() ? "]" : "\n  ]").toString());
    }
    field(b, "inputs", Long.toString(inputs));
    b.append("  \"entries\": ").append(entries).append("\n}");
    return b.toString();
  }

  private static void field(StringBuilder b, String name, String json) {
    b.append("  \"").append(name).append("\": ").append(json).append(",\n");
  }

  static String str(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
