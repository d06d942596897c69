package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.agent.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ledger policy set|show}: the owner's policy (docs/api.md, PUT and GET /policy). */
@Command(
    name = "policy",
    description = "The owner's policy: pin, pause, maintenance windows, delay, publishers.",
    subcommands = {PolicyCommands.Set.class, PolicyCommands.Show.class})
final class PolicyCommands {
  private PolicyCommands() {}

  @Command(
      name = "set",
      description = "Replace the tenant's policy (options not given are cleared).")
  static final class Set extends ServerCommands.Printing {
    @Option(names = "--pin", description = "Hold every host at this release (N-1).")
    String pin;

    @Option(names = "--paused", description = "Start no new wave of any rollout.")
    boolean paused;

    @Option(
        names = "--delay",
        description = "Wait this long after publication (ISO-8601, e.g. PT24H).")
    String delay;

    @Option(
        names = "--allowed-publisher",
        description = "Accept releases only from these publishers (repeatable).")
    List<String> publishers = new ArrayList<>();

    @Option(
        names = "--trusted-publisher",
        paramLabel = "NAME=KEY",
        description =
            "Take only releases signed by this publisher's key (repeatable): KEY is the public key"
                + " `ledger release keygen` printed, or @FILE for its publisher.pub. Without it the"
                + " policy trusts the operator's word.")
    List<String> trusted = new ArrayList<>();

    @Option(
        names = "--window",
        paramLabel = "DAYS@HH:MM-HH:MM[@ZONE]",
        description =
            "A maintenance window (repeatable), in UTC or an IANA zone, e.g."
                + " MONDAY,TUESDAY@02:00-04:00@Europe/Paris.")
    List<String> windows = new ArrayList<>();

    @Override
    void run(ApiClient client) throws Exception {
      ObjectNode body = Api.JSON.createObjectNode();
      if (pin != null) {
        body.put("pin", pin);
      }
      body.put("paused", paused);
      if (delay != null) {
        body.put("delay", delay);
      }
      ArrayNode p = body.putArray("allowedPublishers");
      publishers.forEach(p::add);
      ArrayNode t = body.putArray("trustedPublishers");
      for (String spec : trusted) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
          throw new LedgerCli.UsageProblem(
              "--trusted-publisher " + spec + ": expected NAME=KEY or NAME=@FILE");
        }
        String key = spec.substring(eq + 1);
        if (key.startsWith("@")) {
          key = Files2.read(java.nio.file.Path.of(key.substring(1))).strip();
        }
        t.addObject().put("name", spec.substring(0, eq)).put("publicKey", key);
      }
      ArrayNode w = body.putArray("windows");
      for (String spec : windows) {
        String[] parts = spec.split("@", 3);
        String[] times = parts.length >= 2 ? parts[1].split("-", 2) : new String[0];
        if (times.length != 2) {
          throw new LedgerCli.UsageProblem(
              "--window " + spec + ": expected DAYS@HH:MM-HH:MM, e.g. MONDAY@02:00-04:00");
        }
        ObjectNode window = w.addObject();
        ArrayNode days = window.putArray("days");
        for (String d : parts[0].split(",")) {
          days.add(d.strip());
        }
        window.put("start", times[0]);
        window.put("end", times[1]);
        if (parts.length == 3) {
          window.put("zone", parts[2]);
        }
      }
      accepted(client.put(api.tenantPath("/policy"), body), "policy set");
    }
  }

  @Command(name = "show", description = "The policy the engine enforces.")
  static final class Show extends ServerCommands.Printing {
    static final List<Output.Column> COLUMNS =
        List.of(
            Output.Column.of("PIN", "pin"),
            Output.Column.of("PAUSED", "paused"),
            Output.Column.of("DELAY", "delay"),
            Output.Column.of("PUBLISHERS", p -> list(p.path("allowedPublishers"))),
            Output.Column.of("TRUST", Show::trust),
            Output.Column.wide("BY", "by"),
            Output.Column.of("WINDOWS", Show::windows));

    @Override
    void run(ApiClient client) throws Exception {
      JsonNode policy = client.get(api.tenantPath("/policy"), Duration.ofSeconds(30));
      Output.print(out(), format(), policy, Api.JSON.createArrayNode().add(policy), COLUMNS);
      if (!output.isJson()) {
        out().println();
        out().println(Output.text(policy, "publisherTrustSays"));
      }
    }

    /** signed: each trusted publisher and its key id; otherwise the operator's word. */
    private static String trust(JsonNode policy) {
      List<String> all = new ArrayList<>();
      for (JsonNode t : policy.path("trustedPublishers")) {
        all.add(Output.text(t, "name") + "(" + Output.text(t, "keyId") + ")");
      }
      return all.isEmpty() ? "operator's word" : "signed: " + String.join(",", all);
    }

    private static String list(JsonNode values) {
      List<String> all = new ArrayList<>();
      values.forEach(v -> all.add(v.asText()));
      return all.isEmpty() ? "(any)" : String.join(",", all);
    }

    /** Each window as --window takes it: DAYS@HH:MM-HH:MM@ZONE. */
    private static String windows(JsonNode policy) {
      List<String> all = new ArrayList<>();
      for (JsonNode w : policy.path("windows")) {
        List<String> days = new ArrayList<>();
        w.path("days").forEach(d -> days.add(d.asText()));
        all.add(
            String.join(",", days)
                + "@"
                + Output.text(w, "start")
                + "-"
                + Output.text(w, "end")
                + "@"
                + Output.text(w, "zone"));
      }
      return all.isEmpty() ? "(any time)" : String.join(" ", all);
    }
  }
}
