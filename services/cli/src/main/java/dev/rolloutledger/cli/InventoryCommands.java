package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.agent.ApiClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The inventory: {@code ledger hosts} lists the fleet (docs/api.md, "Inventory"), registers hosts
 * and cordons, retires or activates one; {@code ledger releases} (in {@link ReleaseCommands}) lists
 * the published releases.
 */
final class InventoryCommands {
  private InventoryCommands() {}

  @Command(
      name = "hosts",
      description =
          "List the fleet's hosts (retired ones only with --lifecycle retired), register hosts,"
              + " cordon, retire or activate one.",
      subcommands = {
        Hosts.Register.class,
        Hosts.Cordon.class,
        Hosts.Retire.class,
        Hosts.Activate.class
      })
  static final class Hosts extends ServerCommands.Printing {
    static final List<Output.Column> COLUMNS =
        List.of(
            Output.Column.of("HOST", "host"),
            Output.Column.of("LIFECYCLE", "lifecycle"),
            Output.Column.of("LIVENESS", "liveness"),
            Output.Column.of("ROLLOUT", "rollout"),
            Output.Column.of("WAVE", "wave"),
            Output.Column.of("STATE", "state"),
            Output.Column.of("RELEASE", "reportedRelease"),
            Output.Column.of("LABELS", h -> labels(h.path("labels"))),
            Output.Column.wide("LAST SEEN", "lastSignOfLifeAt"));

    @Option(
        names = "--selector",
        paramLabel = "KEY=VALUE,...",
        description = "Only hosts with every one of these labels, e.g. env=prod,tier=a.")
    String selector;

    @Option(names = "--lifecycle", description = "Only active, cordoned or retired hosts.")
    String lifecycle;

    @Option(names = "--liveness", description = "Only alive, offline or unseen hosts.")
    String liveness;

    @Option(names = "--rollout", description = "Only hosts whose latest assignment is ROLLOUT.")
    String rollout;

    @Option(names = "--wave", description = "Only hosts assigned to this wave.")
    String wave;

    @Option(names = "--limit", description = "Hosts per page (1-1000; the server's default 100).")
    Integer limit;

    @Option(names = "--after", paramLabel = "HOST", description = "Start after this host id.")
    String after;

    @Override
    void run(ApiClient client) throws Exception {
      Map<String, Object> query = new LinkedHashMap<>();
      query.put("selector", selector);
      query.put("lifecycle", lifecycle);
      query.put("liveness", liveness);
      query.put("rollout", rollout);
      query.put("wave", wave);
      query.put("limit", limit);
      query.put("after", after);
      JsonNode page = client.get(api.tenantPath("/hosts" + query(query)), Duration.ofSeconds(30));
      Output.print(out(), format(), page, page.path("hosts"), COLUMNS);
      if (format() != Output.Format.JSON && page.hasNonNull("next")) {
        err().println("more hosts: add --after " + page.get("next").asText());
      }
    }

    /** {@code ?k=v&...} of the values given, each encoded; empty when none is. */
    static String query(Map<String, Object> params) {
      String q =
          params.entrySet().stream()
              .filter(e -> e.getValue() != null)
              .map(
                  e ->
                      e.getKey()
                          + "="
                          + URLEncoder.encode(e.getValue().toString(), StandardCharsets.UTF_8))
              .collect(Collectors.joining("&"));
      return q.isEmpty() ? "" : "?" + q;
    }

    private static String labels(JsonNode labels) {
      List<String> pairs = new ArrayList<>();
      labels.fields().forEachRemaining(e -> pairs.add(e.getKey() + "=" + e.getValue().asText()));
      return pairs.isEmpty() ? "-" : String.join(",", pairs);
    }

    @Command(
        name = "register",
        description = "Register hosts with labels (re-registering updates them).")
    static final class Register extends ServerCommands.Printing {
      @Parameters(arity = "1..*", paramLabel = "HOST", description = "Host ids.")
      List<String> hosts;

      @Option(
          names = {"-l", "--label"},
          paramLabel = "KEY=VALUE",
          description = "A label of every host given (repeatable), e.g. env=dev.")
      Map<String, String> labels = new LinkedHashMap<>();

      @Override
      void run(ApiClient client) throws Exception {
        ArrayNode body = Api.JSON.createArrayNode();
        for (String h : hosts) {
          ObjectNode host = body.addObject();
          host.put("host", h);
          ObjectNode l = host.putObject("labels");
          labels.forEach(l::put);
        }
        accepted(
            client.post(api.tenantPath("/hosts"), body), "registered " + String.join(", ", hosts));
      }
    }

    /** Cordon, retire, activate: a lifecycle change of one host. */
    abstract static class Change extends ServerCommands.Printing {
      @Parameters(index = "0", paramLabel = "HOST")
      String host;

      abstract String verb();

      abstract String done();

      @Override
      void run(ApiClient client) throws Exception {
        accepted(
            client.post(api.tenantPath("/hosts/" + host + "/" + verb()), null),
            done() + " " + host);
      }
    }

    @Command(
        name = "cordon",
        description = "Cordon a host: it stays in the fleet, and no rollout sends it anything.")
    static final class Cordon extends Change {
      @Override
      String verb() {
        return "cordon";
      }

      @Override
      String done() {
        return "cordoned";
      }
    }

    @Command(
        name = "retire",
        description = "Retire a host: it leaves the fleet; its record and history are kept.")
    static final class Retire extends Change {
      @Override
      String verb() {
        return "retire";
      }

      @Override
      String done() {
        return "retired";
      }
    }

    @Command(
        name = "activate",
        description = "Make a cordoned or retired host take part in rollouts again.")
    static final class Activate extends Change {
      @Override
      String verb() {
        return "activate";
      }

      @Override
      String done() {
        return "activated";
      }
    }
  }
}
