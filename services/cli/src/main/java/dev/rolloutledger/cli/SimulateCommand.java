package dev.rolloutledger.cli;

import dev.rolloutledger.domain.sim.Scenario;
import dev.rolloutledger.domain.sim.SimulationReport;
import dev.rolloutledger.domain.sim.Simulator;
import dev.rolloutledger.replay.RolloutLog;
import dev.rolloutledger.replay.RolloutLogWriter;
import dev.rolloutledger.replay.ScenarioJson;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ledger simulate SCENARIO.json}: a seeded, virtual-time rollout on the real engine. */
@Command(
    name = "simulate",
    description = {
      "Runs a scenario (docs/simulation.md) in virtual time against the real engine and prints"
          + " the report as JSON. Same scenario and seed, same report, byte for byte.",
      "Exit codes: 0 done, 2 invalid scenario (the message names the field), 3 I/O error."
    })
final class SimulateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SCENARIO.json", description = "The scenario.")
  Path scenarioFile;

  @Option(names = "--out", paramLabel = "REPORT.json", description = "Also write the report here.")
  Path out;

  @Option(
      names = "--log",
      paramLabel = "LOG.jsonl",
      description = "Write every input and decision here (replay --verify checks it).")
  Path log;

  @Option(names = "--quiet", description = "No progress bar, even on a terminal.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    Scenario scenario = ScenarioJson.scenario(Files2.read(scenarioFile));
    SimulationReport report;
    try (Progress progress = Progress.of("simulate", quiet);
        RolloutLogWriter writer = log == null ? null : logWriter()) {
      report = Simulator.run(scenario, listener(progress, writer));
    }
    String json = report.toJson() + "\n";
    spec.commandLine().getOut().print(json);
    spec.commandLine().getOut().flush();
    if (out != null) {
      Files2.write(out, json);
    }
    return 0;
  }

  private RolloutLogWriter logWriter() {
    return new RolloutLogWriter(Files2.create(log), RolloutLog.Header.simulation());
  }

  private static Simulator.Listener listener(Progress progress, RolloutLogWriter writer) {
    Simulator.Listener shown =
        new Simulator.Listener() {
          @Override
          public void progress(Duration elapsed, Duration horizon) {
            progress.update(
                elapsed.toSeconds(),
                horizon.toSeconds(),
                "virtual " + elapsed.toString().substring(2));
          }
        };
    return writer == null ? shown : writer.recording(shown);
  }
}
