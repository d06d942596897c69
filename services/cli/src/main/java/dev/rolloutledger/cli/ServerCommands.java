package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.agent.ApiClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The operator's commands against a running server: each one is a call of the HTTP API (see
 * docs/api.md), printed as a table for people or as the server's JSON with {@code --json}.
 */
final class ServerCommands {
  private ServerCommands() {}

  /** Base of every server command: the shared options and the output stream. */
  abstract static class Base implements Callable<Integer> {
    @Mixin Api.Options api;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    @Override
    public Integer call() throws Exception {
      run(api.client());
      return 0;
    }

    abstract void run(ApiClient client) throws Exception;

    /** Prints an accepted change: "accepted: ids" or the JSON. */
    void accepted(JsonNode answer, String what) throws IOException {
      if (api.json) {
        Api.printJson(out(), answer);
      } else {
        out().println(what + " (accepted; the engine decides within a second)");
      }
    }
  }

  @Command(
      name = "release",
      description = "Publish releases.",
      subcommands = {Release.Publish.class})
  static final class Release {
    @Command(
        name = "publish",
        description =
            "Publish a release; its SHA-256 is computed from the artifact file, which agents check"
                + " before applying.")
    static final class Publish extends Base {
      @Parameters(index = "0", paramLabel = "RELEASE", description = "Release id.")
      String release;

      @Option(
          names = "--file",
          paramLabel = "ARTIFACT",
          description = "The artifact file (its SHA-256 goes into the release).")
      Path file;

      @Option(names = "--sha256", description = "The artifact's SHA-256 (hex), instead of --file.")
      String sha256;

      @Option(names = "--artifact", defaultValue = "artifact", description = "Artifact name.")
      String artifact;

      @Option(names = "--version", description = "Version (default: the release id).")
      String version;

      @Option(names = "--publisher", defaultValue = "operator", description = "Publisher.")
      String publisher;

      @Option(
          names = "--emergency",
          description = "Severity EMERGENCY: same waves, compressed bakes.")
      boolean emergency;

      @Override
      void run(ApiClient client) throws Exception {
        if ((file == null) == (sha256 == null)) {
          throw new LedgerCli.UsageProblem("give exactly one of --file ARTIFACT and --sha256 HEX");
        }
        ObjectNode body = Api.JSON.createObjectNode();
        body.put("release", release);
        body.put("artifact", artifact);
        body.put("version", version == null ? release : version);
        body.put("publisher", publisher);
        body.put("sha256", file == null ? sha256 : sha256(file));
        body.put("severity", emergency ? "EMERGENCY" : "NORMAL");
        accepted(
            client.post(api.tenantPath("/releases"), body),
            "published " + release + " sha256 " + body.get("sha256").asText());
      }

      static String sha256(Path file) throws IOException {
        try {
          return dev.rolloutledger.agent.Artifacts.sha256(file);
        } catch (java.nio.file.NoSuchFileException e) {
          throw new LedgerCli.UsageProblem("artifact file " + file + " not found");
        }
      }
    }
  }

  @Command(
      name = "rollout",
      description = "Create, watch and steer rollouts.",
      subcommands = {
        Rollout.Create.class,
        Rollout.Status.class,
        Rollout.Approve.class,
        Rollout.Halt.class,
        Rollout.Pause.class,
        Rollout.Resume.class,
        Rollout.RollbackAction.class
      })
  static final class Rollout {
    @Command(name = "create", description = "Create a rollout of a release over a plan of waves.")
    static final class Create extends Base {
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
        description = "Without ROLLOUT: every rollout. With it: its waves and their evidence.")
    static final class Status extends Base {
      @Parameters(arity = "0..1", paramLabel = "ROLLOUT")
      String rollout;

      @Override
      void run(ApiClient client) throws Exception {
        if (rollout == null) {
          JsonNode all = client.get(api.tenantPath("/rollouts"), Duration.ofSeconds(30));
          if (api.json) {
            Api.printJson(out(), all);
            return;
          }
          List<List<String>> rows = new ArrayList<>();
          for (JsonNode r : all) {
            rows.add(
                List.of(
                    Api.text(r, "rollout"),
                    Api.text(r, "release"),
                    Api.text(r, "status"),
                    Api.text(r, "currentWave"),
                    Api.text(r, "ledgerSeq")));
          }
          Api.printTable(out(), List.of("ROLLOUT", "RELEASE", "STATUS", "WAVE", "LEDGER"), rows);
          return;
        }
        JsonNode r = client.get(api.tenantPath("/rollouts/" + rollout), Duration.ofSeconds(30));
        if (api.json) {
          Api.printJson(out(), r);
          return;
        }
        out()
            .printf(
                "rollout %s  release %s  status %s  current wave %s  ledger seq %s%n",
                Api.text(r, "rollout"),
                Api.text(r, "release"),
                Api.text(r, "status"),
                Api.text(r, "currentWave"),
                Api.text(r, "ledgerSeq"));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode w : r.path("waves")) {
          rows.add(
              List.of(
                  Api.text(w, "name"),
                  Api.text(w, "assigned"),
                  Api.text(w, "dispatched"),
                  Api.text(w, "unreachable"),
                  Api.text(w, "applied"),
                  Api.text(w, "crashed"),
                  Api.text(w, "silent"),
                  Api.text(w, "hot"),
                  Api.text(w, "bake"),
                  w.path("approval").asBoolean()
                      ? (w.path("approved").asBoolean() ? "approved" : "needed")
                      : "-"));
        }
        Api.printTable(
            out(),
            List.of(
                "WAVE",
                "HOSTS",
                "SENT",
                "UNREACHABLE",
                "APPLIED",
                "CRASHED",
                "SILENT",
                "HOT",
                "BAKE",
                "APPROVAL"),
            rows);
      }
    }

    @Command(name = "approve", description = "Approve a wave that waits for approval.")
    static final class Approve extends Base {
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

    /** Halt, pause and resume: an action with a reason. */
    abstract static class Action extends Base {
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

  @Command(
      name = "policy",
      description = "The owner's policy: pin, pause, maintenance windows, delay, publishers.",
      subcommands = {Policy.Set.class, Policy.Show.class})
  static final class Policy {
    @Command(
        name = "set",
        description = "Replace the tenant's policy (options not given are cleared).")
    static final class Set extends Base {
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
    static final class Show extends Base {
      @Override
      void run(ApiClient client) throws Exception {
        Api.printJson(out(), client.get(api.tenantPath("/policy"), Duration.ofSeconds(30)));
      }
    }
  }

  @Command(
      name = "tail",
      description = "A rollout's ledger, entry by entry; --follow waits for new ones.")
  static final class Tail extends Base {
    @Parameters(index = "0", paramLabel = "ROLLOUT")
    String rollout;

    @Option(names = "--from", defaultValue = "1", description = "First seq (default 1).")
    long from;

    @Option(
        names = {"-f", "--follow"},
        description = "Keep printing new entries until stopped.")
    boolean follow;

    @Override
    void run(ApiClient client) throws Exception {
      long next = from;
      while (true) {
        JsonNode page =
            client.get(
                api.tenantPath("/rollouts/" + rollout + "/ledger?fromSeq=" + next + "&limit=500"),
                Duration.ofSeconds(30));
        for (JsonNode e : page.path("entries")) {
          print(e);
          next = e.get("seq").asLong() + 1;
        }
        out().flush();
        // the server leaves nextSeq out on the last page (docs/api.md)
        if (page.hasNonNull("nextSeq")) {
          next = page.get("nextSeq").asLong();
          continue;
        }
        if (!follow) {
          return;
        }
        Thread.sleep(1000);
      }
    }

    private void print(JsonNode e) throws IOException {
      if (api.json) {
        out()
            .println(
                Api.JSON
                    .writer()
                    .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(e));
        return;
      }
      StringBuilder line =
          new StringBuilder()
              .append(Api.text(e, "seq"))
              .append("  ")
              .append(Api.text(e, "at"))
              .append("  ")
              .append(Api.text(e, "type"));
      if (e.hasNonNull("wave")) {
        line.append("  wave ").append(e.get("wave").asText());
      }
      if (e.hasNonNull("hosts")) {
        line.append("  hosts ").append(e.get("hosts").size());
      }
      if (e.hasNonNull("reason")) {
        line.append("  reason: ").append(e.get("reason").asText());
      }
      if (e.hasNonNull("evidence")) {
        line.append("  ").append(e.get("evidence"));
      }
      line.append("  hash ")
          .append(Api.text(e, "hash"), 0, Math.min(12, Api.text(e, "hash").length()));
      out().println(line);
    }
  }

  @Command(
      name = "token",
      description = "API tokens of the tenant (admin).",
      subcommands = {Token.Create.class, Token.List.class, Token.Revoke.class})
  static final class Token {
    @Command(
        name = "create",
        description =
            "Create a token; its secret is printed once, alone on stdout, e.g. for"
                + " LEDGER_TOKEN=$(ledger token create ...).")
    static final class Create extends Base {
      @Parameters(index = "0", paramLabel = "NAME")
      String name;

      @Option(
          names = "--role",
          required = true,
          description = "viewer, operator, approver, admin or agent.")
      String role;

      @Option(names = "--host", description = "The host an agent token speaks for.")
      String host;

      @Override
      void run(ApiClient client) throws Exception {
        ObjectNode body = Api.JSON.createObjectNode().put("name", name).put("role", role);
        if (host != null) {
          body.put("host", host);
        }
        JsonNode created = client.post(api.tenantPath("/tokens"), body);
        if (api.json) {
          Api.printJson(out(), created);
        } else {
          err().println("token " + name + " (" + role + ") of tenant " + api.tenant + ":");
          out().println(created.get("token").asText());
        }
      }
    }

    @Command(name = "list", description = "The tenant's tokens (never their secrets).")
    static final class List extends Base {
      @Override
      void run(ApiClient client) throws Exception {
        JsonNode all = client.get(api.tenantPath("/tokens"), Duration.ofSeconds(30));
        if (api.json) {
          Api.printJson(out(), all);
          return;
        }
        java.util.List<java.util.List<String>> rows = new ArrayList<>();
        for (JsonNode t : all) {
          rows.add(
              java.util.List.of(
                  Api.text(t, "name"),
                  Api.text(t, "role"),
                  Api.text(t, "host"),
                  Api.text(t, "createdAt")));
        }
        Api.printTable(out(), java.util.List.of("NAME", "ROLE", "HOST", "CREATED"), rows);
      }
    }

    @Command(name = "revoke", description = "Revoke a token: it stops working at once.")
    static final class Revoke extends Base {
      @Parameters(index = "0", paramLabel = "NAME")
      String name;

      @Override
      void run(ApiClient client) throws Exception {
        client.delete(api.tenantPath("/tokens/" + name));
        out().println("revoked " + name);
      }
    }
  }

  @Command(
      name = "keys",
      description =
          "The public keys that verify commands, as JSON: give this file to agents (--keys).",
      subcommands = {
        Keys.Generate.class,
        KeyCommands.Publish.class,
        KeyCommands.Activate.class,
        KeyCommands.Retire.class
      })
  static final class Keys extends Base {
    /**
     * Key rotation's first step, offline on the server's host: a new pair in a directory of its
     * own, and its public key added to an agents' keys file beside the old one (see
     * services/agent/README.md and docs/keys.md). Then: copy the directory into every instance's
     * key directory, {@code ledger keys publish DIR}, {@code ledger keys activate ID}.
     */
    @Command(
        name = "generate",
        description =
            "Make a new command-signing key pair in DIR (for rotation: a new subdirectory of"
                + " LEDGER_HOME/keys) and add its public key to KEYS.json; then copy DIR to every"
                + " instance, `ledger keys publish DIR`, `ledger keys activate KEY_ID`.")
    static final class Generate implements Callable<Integer> {
      @Parameters(index = "0", paramLabel = "DIR", description = "A new, empty key directory.")
      Path dir;

      @Option(
          names = "--add-to",
          required = true,
          paramLabel = "KEYS.json",
          description = "The agents' keys file to add the public key to (created if absent).")
      Path keysFile;

      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        if (Files.exists(dir.resolve("command-signing.pk8"))) {
          throw new LedgerCli.UsageProblem(dir + " already holds a key: give a new directory");
        }
        var key = dev.rolloutledger.schemas.commands.CommandSigningKey.loadOrCreate(dir);
        ObjectNode root =
            Files.exists(keysFile)
                ? (ObjectNode) Api.JSON.readTree(keysFile.toFile())
                : Api.JSON.createObjectNode();
        ArrayNode keys = root.has("keys") ? (ArrayNode) root.get("keys") : root.putArray("keys");
        keys.addObject()
            .put("keyId", key.keyId())
            .put("algorithm", "Ed25519")
            .put("publicKey", key.publicKeyBase64());
        Files.writeString(keysFile, Api.JSON.writeValueAsString(root) + "\n");
        spec.commandLine()
            .getErr()
            .println(
                "new key "
                    + key.keyId()
                    + " in "
                    + dir
                    + "; "
                    + keysFile
                    + " now trusts "
                    + keys.size()
                    + " key(s)");
        return 0;
      }
    }

    @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE instead of stdout.")
    Path file;

    @Override
    void run(ApiClient client) throws Exception {
      JsonNode keys = client.get("/api/v1/keys", Duration.ofSeconds(30));
      if (file == null) {
        Api.printJson(out(), keys);
      } else {
        Files.writeString(file, Api.JSON.writeValueAsString(keys) + "\n");
        err().println("wrote " + keys.path("keys").size() + " key(s) to " + file);
      }
    }
  }
}
