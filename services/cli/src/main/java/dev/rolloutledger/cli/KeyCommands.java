package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.agent.ApiClient;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.commands.KeySet;
import dev.rolloutledger.schemas.commands.KeySetLog;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Rotation of the deployment's command-signing key without downtime (docs/keys.md): {@code publish}
 * a new key (it verifies), {@code activate} it (it signs, the old one still verifies), {@code
 * retire} the old one. They write {@code ledger.keys}, which every instance follows, and print the
 * key set after the change. {@code ledger keys} lists the keys the server publishes, and {@code
 * ledger keys generate} makes a new pair offline.
 */
final class KeyCommands {
  private KeyCommands() {}

  /** The Kafka options of the key commands and the printing of the result. */
  abstract static class OnKafka implements Callable<Integer> {
    @Option(
        names = "--bootstrap-servers",
        defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
        description = "Kafka (default: $KAFKA_BOOTSTRAP_SERVERS or ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(
        names = "--deployment",
        defaultValue = "${env:LEDGER_APPLICATION_ID:-rollout-ledger}",
        description =
            "The deployment: its instances' application id (default: $LEDGER_APPLICATION_ID or"
                + " ${DEFAULT-VALUE}).")
    String deployment;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      // the same client settings as every other client (LEDGER_KAFKA_*, a client properties file)
      Properties clients = KafkaConnection.resolve(bootstrapServers, System::getenv).properties();
      try (KeySetLog log = new KeySetLog(clients, deployment)) {
        KeySet after = change(log, log.readToEnd());
        for (KeySet.Key k : after.verifying()) {
          spec.commandLine().getOut().println(k.keyId() + "  " + k.status().wire());
        }
      }
      return 0;
    }

    abstract KeySet change(KeySetLog log, KeySet before);

    static KeySet.Key known(KeySet set, String keyId) {
      KeySet.Key k =
          set.key(keyId)
              .orElseThrow(
                  () ->
                      new LedgerCli.UsageProblem(
                          "key "
                              + keyId
                              + " is not in the deployment's key set: `ledger keys publish DIR`"
                              + " first"));
      if (k.status() == KeySet.Status.RETIRED) {
        throw new LedgerCli.UsageProblem("key " + keyId + " was retired: make a new one");
      }
      return k;
    }

    static KeySet.Entry entry(KeySet.Key k, KeySet.Status status) {
      return new KeySet.Entry(k.keyId(), k.publicKey(), status, Instant.now(), false);
    }
  }

  @Command(
      name = "publish",
      description =
          "Add the key in DIR (made by `ledger keys generate`) to the deployment's key set: it"
              + " verifies commands and GET /api/v1/keys lists it; nothing signs with it yet.")
  static final class Publish extends OnKafka {
    @Parameters(index = "0", paramLabel = "DIR", description = "The new key's directory.")
    Path dir;

    @Override
    KeySet change(KeySetLog log, KeySet before) {
      if (!Files.isRegularFile(dir.resolve("command-signing.pub"))) {
        throw new LedgerCli.UsageProblem(dir + " holds no key: `ledger keys generate` makes one");
      }
      CommandSigningKey key = CommandSigningKey.loadOrCreate(dir);
      if (before.key(key.keyId()).isPresent()) {
        throw new LedgerCli.UsageProblem("key " + key.keyId() + " is already in the key set");
      }
      return log.append(
          new KeySet.Entry(
              key.keyId(), key.publicKeyBase64(), KeySet.Status.VERIFYING, Instant.now(), false));
    }
  }

  @Command(
      name = "activate",
      description =
          "Sign with KEY_ID from now on, on every instance that holds its private key (copy its"
              + " directory into each instance's LEDGER_HOME/keys first); the key that signed"
              + " until now still verifies.")
  static final class Activate extends OnKafka {
    @Parameters(index = "0", paramLabel = "KEY_ID")
    String keyId;

    @Override
    KeySet change(KeySetLog log, KeySet before) {
      KeySet.Key k = known(before, keyId);
      if (k.status() == KeySet.Status.ACTIVE) {
        throw new LedgerCli.UsageProblem("key " + keyId + " already signs");
      }
      return log.append(entry(k, KeySet.Status.ACTIVE));
    }
  }

  @Command(
      name = "retire",
      description =
          "Stop listing KEY_ID among the keys that verify; agents may drop it. The active key"
              + " cannot be retired.")
  static final class Retire extends OnKafka {
    @Parameters(index = "0", paramLabel = "KEY_ID")
    String keyId;

    @Override
    KeySet change(KeySetLog log, KeySet before) {
      KeySet.Key k = known(before, keyId);
      if (k.status() == KeySet.Status.ACTIVE) {
        throw new LedgerCli.UsageProblem(
            "key " + keyId + " signs: activate another key before retiring it");
      }
      return log.append(entry(k, KeySet.Status.RETIRED));
    }
  }

  @Command(
      name = "keys",
      description =
          "The public keys that verify commands; --out KEYS.json writes them as the file agents"
              + " pin (--keys).",
      subcommands = {
        KeyCommands.Keys.Generate.class,
        KeyCommands.Publish.class,
        KeyCommands.Activate.class,
        KeyCommands.Retire.class
      })
  static final class Keys extends ServerCommands.Printing {
    static final List<Output.Column> COLUMNS =
        List.of(
            Output.Column.of("KEY", "keyId"),
            Output.Column.of("STATUS", "status"),
            Output.Column.of("ALGORITHM", "algorithm"),
            Output.Column.wide("PUBLIC KEY", "publicKey"));

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
        Output.print(out(), format(), keys, keys.path("keys"), COLUMNS);
      } else {
        Files.writeString(file, Api.JSON.writeValueAsString(keys) + "\n");
        err().println("wrote " + keys.path("keys").size() + " key(s) to " + file);
      }
    }
  }
}
