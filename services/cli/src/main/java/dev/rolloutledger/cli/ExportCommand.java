package dev.rolloutledger.cli;

import dev.rolloutledger.replay.RolloutExport;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistries;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ledger export ROLLOUT --out LOG.jsonl}: a rollout's log from the Kafka topics. */
@Command(
    name = "export",
    description = {
      "Writes every input and decision of a rollout, in log order, as a rollout log (JSON Lines,"
          + " hash-chained) that `ledger replay --verify` checks.",
      "Exit codes: 0 done, 2 unknown rollout or bad option, 3 Kafka or I/O error."
    })
final class ExportCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ROLLOUT", description = "The rollout id.")
  String rollout;

  @Option(names = "--tenant", required = true, description = "The rollout's tenant.")
  String tenant;

  @Option(names = "--out", required = true, paramLabel = "LOG.jsonl", description = "The log.")
  Path out;

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
      names = "--application-id",
      defaultValue = "${env:LEDGER_APPLICATION_ID:-rollout-ledger}",
      description = "The server's streams application id (default ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--quiet", description = "No progress bar, even on a terminal.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    RolloutExport.Exported exported;
    // client settings (SASL, TLS) from LEDGER_KAFKA_CLIENT_PROPERTIES and LEDGER_KAFKA_*
    KafkaConnection kafka = KafkaConnection.resolve(bootstrapServers, System::getenv);
    try (SchemaRegistry registry = SchemaRegistries.create(registryUrl, kafka);
        OutputStream file = Files2.create(out);
        Progress progress = Progress.of("export", quiet)) {
      exported =
          RolloutExport.export(
              new RolloutExport.Source(kafka, registry, applicationId),
              tenant,
              rollout,
              file,
              (offset, end) -> progress.update(offset, end, () -> "journal offset " + offset));
    }
    spec.commandLine()
        .getOut()
        .printf(
            "exported %d inputs and %d decisions of %s/%s to %s%n",
            exported.inputs(), exported.decisions(), tenant, rollout, out);
    return 0;
  }
}
