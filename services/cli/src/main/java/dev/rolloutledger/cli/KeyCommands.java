package dev.rolloutledger.cli;

import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.commands.KeySet;
import dev.rolloutledger.schemas.commands.KeySetLog;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
 * key set after the change.
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
}
