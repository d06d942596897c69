package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.agent.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ledger rollout ...}: create a rollout, see it ({@code status}, {@code watch}), steer it.
 */
@Command(
    name = "rollout",
    description = "Create, watch and steer rollouts.",
    subcommands = {
      RolloutCommands.Create.class,
      RolloutCommands.Status.class,
      RolloutWatch.class,
      RolloutCommands.Approve.class,
      RolloutCommands.Halt.class,
      RolloutCommands.Pause.class,
      RolloutCommands.Resume.class,
      RolloutCommands.RollbackAction.class
    })
final class RolloutCommands {
  private RolloutCommands() {}

  @Command(name = "create", description = "Create a rollout of a release over a plan of waves.")
  static final class Create extends ServerCommands.Printing {
    @Parameters(index = "0", paramLabel = "ROLLOUT", description = "Rollout id.")
    String rollout;

    @Option(names = "--release", required = true, description = "The release to roll out.")
    String release;

    @Option(
        names = "--plan",
        paramLabel = "PLAN.json|NAME",
        description =
            "A plan file (waves, bakes, limits, as in the API) or a template name (see plan"
                + " templates); default: the default plan (dba).")
    String plan;

    @Override
    void run(ApiClient client) throws Exception {
      ObjectNode body = Api.JSON.createObjectNode();
      body.put("rollout", rollout);
      body.put("release", release);
      if (plan != null) {
        PlanCommands.setPlan(body, plan);
      }
      accepted(
          client.post(api.tenantPath("/rollouts"), body),
          "created rollout " + rollout + " of " + release);
    }
  }

  @Command(
      name = "status",
      description =
          "Without ROLLOUT: every rollout. With it: its waves and their counts (live: watch).")
  static final class Status extends ServerCommands.Printing {
    /** The columns of the list of rollouts. */
    static final List<Output.Column> ROLLOUTS =
        List.of(
            Output.Column.of("ROLLOUT", "rollout"),
            Output.Column.of("RELEASE", "release"),
            Output.Column.of("STATUS", "status"),
            Output.Column.of("WAVE", "currentWave"),
            Output.Column.of("LEDGER", "ledgerSeq"),
            Output.Column.wide("APPLIED", Status::applied),
            Output.Column.wide("PLANNED", "plannedAt"),
            Output.Column.wide("WAVE STARTED", "waveStartedAt"),
            Output.Column.wide("HEAD", "ledgerHead"));

    /** The columns of one rollout's waves. */
    static final List<Output.Column> WAVES =
        List.of(
            Output.Column.of("WAVE", "name"),
            Output.Column.of("HOSTS", "assigned"),
            Output.Column.of("SENT", "dispatched"),
            Output.Column.of("UNREACHABLE", "unreachable"),
            Output.Column.of("APPLIED", "applied"),
            Output.Column.of("CRASHED", "crashed"),
            Output.Column.of("SILENT", "silent"),
            Output.Column.of("HOT", "hot"),
            Output.Column.of("BAKE", "bake"),
            Output.Column.of(
                "APPROVAL",
                w ->
                    w.path("approval").asBoolean()
                        ? (w.path("approved").asBoolean() ? "approved" : "needed")
                        : "-"),
            Output.Column.wide("MAX CRASH", "maxCrashFraction"),
            Output.Column.wide("MAX FAILURE RATE", "maxFailureRate"),
            Output.Column.wide("SELECTOR", w -> selector(w.path("selector"))));

    @Parameters(arity = "0..1", paramLabel = "ROLLOUT")
    String rollout;

    @Override
    void run(ApiClient client) throws Exception {
      if (rollout == null) {
        JsonNode all = client.get(api.tenantPath("/rollouts"), Duration.ofSeconds(30));
        Output.print(out(), format(), all, all, ROLLOUTS);
        return;
      }
      JsonNode r = client.get(api.tenantPath("/rollouts/" + rollout), Duration.ofSeconds(30));
      if (format() != Output.Format.JSON) {
        out()
            .printf(
                "rollout %s  release %s  status %s  current wave %s  ledger seq %s%n",
                Output.text(r, "rollout"),
                Output.text(r, "release"),
                Output.text(r, "status"),
                Output.text(r, "currentWave"),
                Output.text(r, "ledgerSeq"));
      }
      Output.print(out(), format(), r, r.path("waves"), WAVES);
    }

    /** Applied of assigned, over every wave. */
    static String applied(JsonNode rollout) {
      int applied = 0;
      int assigned = 0;
      for (JsonNode w : rollout.path("waves")) {
        applied += w.path("applied").asInt();
        assigned += w.path("assigned").asInt();
      }
      return applied + "/" + assigned;
    }

    static String selector(JsonNode selector) {
      List<String> pairs = new ArrayList<>();
      selector.fields().forEachRemaining(e -> pairs.add(e.getKey() + "=" + e.getValue().asText()));
      return pairs.isEmpty() ? "(all)" : String.join(",", pairs);
    }
  }

  @Command(name = "approve", description = "Approve a wave that waits for approval.")
  static final class Approve extends ServerCommands.Printing {
    @Parameters(index = "0", paramLabel = "ROLLOUT")
    String rollout;

    @Option(names = "--wave", required = true, description = "The wave to approve.")
    String wave;

    @Override
    void run(ApiClient client) throws Exception {
      ObjectNode body = Api.JSON.createObjectNode().put("wave", wave);
      accepted(
          client.post(api.tenantPath("/rollouts/" + rollout + "/approvals"), body),
          "approved wave " + wave + " of " + rollout);
    }
  }

  /** Halt, pause, resume and rollback: an action with a reason. */
  abstract static class Action extends ServerCommands.Printing {
    @Parameters(index = "0", paramLabel = "ROLLOUT")
    String rollout;

    @Option(names = "--reason", required = true, description = "Why: recorded in the ledger.")
    String reason;

    abstract String verb();

    @Override
    void run(ApiClient client) throws Exception {
      ObjectNode body = Api.JSON.createObjectNode().put("reason", reason);
      accepted(
          client.post(api.tenantPath("/rollouts/" + rollout + "/" + verb()), body),
          verb() + " " + rollout);
    }
  }

  @Command(name = "halt", description = "Halt a rollout now: every host of it gets Hold.")
  static final class Halt extends Action {
    @Override
    String verb() {
      return "halt";
    }
  }

  @Command(name = "pause", description = "Pause a rollout: no new wave starts until resumed.")
  static final class Pause extends Action {
    @Override
    String verb() {
      return "pause";
    }
  }

  @Command(
      name = "rollback",
      description =
          "Roll a rollout back: it halts, and its hosts that were sent the release go back to"
              + " the one before.")
  static final class RollbackAction extends Action {
    @Override
    String verb() {
      return "rollback";
    }
  }

  @Command(name = "resume", description = "Resume a paused or halted rollout.")
  static final class Resume extends Action {
    @Override
    String verb() {
      return "resume";
    }
  }
}
