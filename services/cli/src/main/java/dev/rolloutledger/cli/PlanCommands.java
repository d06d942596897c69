package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.agent.ApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code ledger plan ...}: the named plans ({@code GET /plans/templates}), and how {@code ledger
 * rollout create --plan} reads its argument: a plan file, or a template's name.
 */
@Command(
    name = "plan",
    description = "Plans of waves: the named templates a rollout may use.",
    subcommands = {PlanCommands.Templates.class})
final class PlanCommands {
  private PlanCommands() {}

  @Command(
      name = "templates",
      description =
          "The plan templates (use one with rollout create --plan NAME): waves and total bake for"
              + " NORMAL and EMERGENCY releases.")
  static final class Templates extends ServerCommands.Printing {
    static final List<Output.Column> COLUMNS =
        List.of(
            Output.Column.of("TEMPLATE", "name"),
            Output.Column.of("WAVES", t -> String.valueOf(t.path("waves").size())),
            Output.Column.of("NORMAL", t -> Output.text(t.path("totalBake"), "NORMAL")),
            Output.Column.of("EMERGENCY", t -> Output.text(t.path("totalBake"), "EMERGENCY")),
            Output.Column.wide("WAVE NAMES", Templates::waveNames),
            Output.Column.of("ABOUT", "description"));

    @Override
    void run(ApiClient client) throws Exception {
      JsonNode all = client.get(api.tenantPath("/plans/templates"), Duration.ofSeconds(30));
      Output.print(out(), format(), all, all, COLUMNS);
    }

    private static String waveNames(JsonNode template) {
      List<String> names = new ArrayList<>();
      template.path("waves").forEach(w -> names.add(Output.text(w, "name")));
      return String.join(",", names);
    }
  }

  /**
   * Sets a rollout body's {@code plan} from {@code --plan}: the JSON of the file at that path if
   * there is one, otherwise the argument as a template name (the server refuses an unknown one,
   * listing the known names).
   */
  static void setPlan(ObjectNode body, String plan) {
    Path file = Path.of(plan);
    if (!Files.exists(file)) {
      if (plan.contains("/") || plan.endsWith(".json")) {
        throw new LedgerCli.UsageProblem("plan file " + plan + " not found");
      }
      body.put("plan", plan);
      return;
    }
    try {
      body.set("plan", Api.JSON.readTree(file.toFile()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new LedgerCli.UsageProblem(plan + " is not JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new LedgerCli.UsageProblem("plan file " + plan + " cannot be read: " + e.getMessage());
    }
  }
}
