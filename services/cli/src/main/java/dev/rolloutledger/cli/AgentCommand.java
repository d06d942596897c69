package dev.rolloutledger.cli;

import dev.rolloutledger.agent.Agent;
import dev.rolloutledger.agent.ApiClient;
import dev.rolloutledger.agent.DirectoryInstaller;
import dev.rolloutledger.agent.HttpAgent;
import dev.rolloutledger.agent.HttpTelemetry;
import dev.rolloutledger.agent.StateFile;
import dev.rolloutledger.agent.TrustedKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ledger agent}: a host's agent on the HTTP command channel (see services/agent). It acts
 * only on commands signed by a pinned key, for its tenant and host, unexpired, with a seq above the
 * one it persisted; it checks the artifact's SHA-256 before installing, reports UpdateApplied and
 * heartbeats, and otherwise holds.
 */
@Command(
    name = "agent",
    description =
        "Run a host agent: long-poll signed commands, verify, apply, report, heartbeat. Token:"
            + " env LEDGER_TOKEN or --token-file (an agent token of this host).")
final class AgentCommand extends ServerCommands.Base {
  @Option(names = "--host", required = true, description = "This host's id.")
  String host;

  @Option(
      names = "--keys",
      required = true,
      paramLabel = "KEYS.json",
      description = "Pinned public keys (from `ledger keys --out KEYS.json`).")
  Path keys;

  @Option(
      names = "--artifacts",
      required = true,
      paramLabel = "DIR",
      description = "Where release artifacts are found: DIR/<release>.")
  Path artifacts;

  @Option(
      names = "--dir",
      required = true,
      paramLabel = "DIR",
      description = "The agent's own directory: state.json and installed/.")
  Path dir;

  @Option(names = "--heartbeat", defaultValue = "PT10S", description = "Heartbeat interval.")
  String heartbeat;

  @Option(
      names = "--metric",
      paramLabel = "NAME=VALUE",
      description = "A metric reported with every heartbeat (repeatable), e.g. cpu=0.3.")
  Map<String, Double> metrics = Map.of();

  @Option(
      names = "--drill-crash-after-apply",
      description =
          "Drill: report a crash (BSOD) right after each successful apply, to see a rollout halt.")
  boolean drillCrash;

  @Override
  void run(ApiClient client) throws Exception {
    Duration every = duration("--heartbeat", heartbeat);
    TrustedKeys trusted;
    try {
      trusted = TrustedKeys.read(keys);
    } catch (IOException e) {
      throw new LedgerCli.UsageProblem("--keys: " + e.getMessage());
    }
    HttpTelemetry telemetry = new HttpTelemetry(client, api.tenant, host, Clock.systemUTC());
    try (Agent agent =
        new Agent(
            api.tenant,
            host,
            trusted,
            new StateFile(dir.resolve("state.json")),
            new DirectoryInstaller(artifacts, dir.resolve("installed")),
            (release, ok, error) -> {
              telemetry.applied(release, ok, error);
              if (ok && drillCrash) {
                telemetry.crash(release, "DRILL_CRASH_AFTER_APPLY", "BSOD");
              }
            },
            Clock.systemUTC())) {
      HttpAgent http =
          new HttpAgent(
              client,
              api.tenant,
              host,
              agent,
              telemetry,
              every,
              Duration.ofSeconds(30),
              () -> metrics,
              o ->
                  err()
                      .printf(
                          "%s seq %d %s: %s%s%n",
                          host,
                          o.seq(),
                          o.action(),
                          o.kind(),
                          o.detail() == null ? "" : " (" + o.detail() + ")"));
      Runtime.getRuntime().addShutdownHook(new Thread(http::close));
      err()
          .printf(
              "agent %s/%s: last seq %d, installed %s, %d trusted key(s); polling %s%n",
              api.tenant,
              host,
              agent.state().lastSeq(),
              agent.state().installed(),
              trusted.size(),
              client.server());
      http.run();
    }
  }

  private static Duration duration(String option, String value) {
    try {
      Duration d = Duration.parse(value);
      if (d.isNegative() || d.isZero()) {
        throw new LedgerCli.UsageProblem(option + " must be positive, was " + value);
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new LedgerCli.UsageProblem(option + " must be an ISO-8601 duration like PT10S");
    }
  }
}
