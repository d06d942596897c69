package dev.rolloutledger.cli;

import dev.rolloutledger.replay.Checkpoint;
import dev.rolloutledger.replay.CheckpointHeads;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.commands.KeySet;
import dev.rolloutledger.schemas.commands.KeySetLog;
import dev.rolloutledger.schemas.commands.SigningKeys;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistries;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ledger checkpoint}: the committed head of every rollout's chain, signed with the
 * deployment's active command-signing key (docs/checkpoints.md). Runs where the key directory is (a
 * server's host), reads Kafka directly like {@code ledger export}.
 */
@Command(
    name = "checkpoint",
    description = {
      "Signs the committed head (last seq and hash) of every rollout's ledger chain (of one"
          + " tenant with --tenant) with the deployment's active key, so that `ledger replay"
          + " --verify LOG --checkpoint FILE --keys KEYS.json` can later prove a log extends it.",
      "Exit codes: 0 done, 2 bad option or no usable key, 3 Kafka or I/O error."
    })
final class CheckpointCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Write the checkpoint here (default: stdout).")
  Path out;

  @Option(
      names = "--key-dir",
      paramLabel = "DIR",
      defaultValue = "${env:LEDGER_KEY_DIR}",
      description =
          "The server's key directory (default: $LEDGER_KEY_DIR, else $LEDGER_HOME/keys, else"
              + " .ledger/keys).")
  Path keyDir;

  @Option(
      names = "--tenant",
      description = "Only this tenant's rollouts (default: every tenant's).")
  String tenant;

  @Option(
      names = "--bootstrap-servers",
      defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
      description = "Kafka (default: $KAFKA_BOOTSTRAP_SERVERS or ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(
      names = "--schema-registry-url",
      defaultValue = "${env:LEDGER_SCHEMA_REGISTRY_URL:-}",
      description = "Your own registry; empty: the embedded one on the cluster.")
  String registryUrl;

  @Option(
      names = "--deployment",
      defaultValue = "${env:LEDGER_APPLICATION_ID:-rollout-ledger}",
      description =
          "The deployment: its instances' application id (default: $LEDGER_APPLICATION_ID or"
              + " ${DEFAULT-VALUE}).")
  String deployment;

  @Option(names = "--quiet", description = "No progress bar, even on a terminal.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    Path dir = keyDir != null ? keyDir : defaultKeyDir();
    if (!Files.isRegularFile(dir.resolve("command-signing.pk8"))) {
      // SigningKeys.load would make a new key there: never for a checkpoint
      throw new LedgerCli.UsageProblem(
          "--key-dir: "
              + dir
              + " holds no command-signing key; give the server's key directory (LEDGER_HOME/keys)");
    }
    // client settings (SASL, TLS) from LEDGER_KAFKA_CLIENT_PROPERTIES and LEDGER_KAFKA_*
    KafkaConnection kafka = KafkaConnection.resolve(bootstrapServers, System::getenv);
    CommandSigningKey key = activeKey(kafka, SigningKeys.load(dir), dir);
    List<Checkpoint.Head> heads;
    try (SchemaRegistry registry = SchemaRegistries.create(registryUrl, kafka);
        Progress progress = Progress.of("checkpoint", quiet)) {
      heads =
          CheckpointHeads.read(
              kafka,
              registry,
              tenant,
              (read, total) -> progress.update(read, total, () -> read + " ledger entries"));
    }
    Checkpoint checkpoint = Checkpoint.sign(deployment, key, Instant.now(), heads);
    if (out == null) {
      spec.commandLine().getOut().print(checkpoint.toJson());
      spec.commandLine().getOut().flush();
    } else {
      Files2.write(out, checkpoint.toJson());
      spec.commandLine()
          .getErr()
          .println(
              "signed the heads of "
                  + heads.size()
                  + " rollout(s) as of "
                  + checkpoint.at()
                  + " with key "
                  + key.keyId()
                  + " in "
                  + out);
    }
    return 0;
  }

  /** The deployment's active key, as the key directory holds it. */
  private CommandSigningKey activeKey(KafkaConnection kafka, SigningKeys held, Path dir) {
    KeySet set;
    try (KeySetLog log = new KeySetLog(kafka.properties(), deployment)) {
      set = log.readToEnd();
    }
    String active =
        set.active()
            .orElseThrow(
                () ->
                    new LedgerCli.UsageProblem(
                        "deployment '"
                            + deployment
                            + "' has no active key yet: start its server once (--deployment"
                            + " names its application id)"))
            .keyId();
    return held.held(active)
        .orElseThrow(
            () ->
                new LedgerCli.UsageProblem(
                    "--key-dir: "
                        + dir
                        + " does not hold the deployment's active key "
                        + active
                        + " (it holds "
                        + held.heldIds()
                        + "); give the key directory of one of its instances"));
  }

  private static Path defaultKeyDir() {
    String home = System.getenv("LEDGER_HOME");
    return home == null || home.isBlank() ? Path.of(".ledger", "keys") : Path.of(home, "keys");
  }
}
