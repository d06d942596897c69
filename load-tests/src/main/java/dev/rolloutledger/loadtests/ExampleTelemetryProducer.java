package dev.rolloutledger.loadtests;

import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.avro.Heartbeat;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistries;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How an existing telemetry pipeline writes to Rollout Ledger with a plain Kafka producer: key
 * {@code tenant/host} as a UTF-8 string, value Avro in the Confluent wire format with the schema
 * registered under {@code ledger.telemetry-value}.
 *
 * <pre>
 * java -cp load-tests/target/ledger-load-tests-*.jar:load-tests/target/lib/* \
 *   dev.rolloutledger.loadtests.ExampleTelemetryProducer TENANT HOST RELEASE
 * </pre>
 *
 * KAFKA_BOOTSTRAP_SERVERS (default 127.0.0.1:9092) and LEDGER_SCHEMA_REGISTRY_URL (default: the
 * embedded registry in the same cluster; e.g. http://127.0.0.1:8080/registry) choose where it goes.
 */
public final class ExampleTelemetryProducer {
  private ExampleTelemetryProducer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: ExampleTelemetryProducer TENANT HOST RELEASE");
      System.exit(2);
    }
    String tenant = args[0];
    String host = args[1];
    String release = args[2];
    String bootstrap = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    Properties p = KafkaConnection.fromEnvironment(bootstrap).properties();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (SchemaRegistry registry =
            SchemaRegistries.create(
                System.getenv("LEDGER_SCHEMA_REGISTRY_URL"),
                KafkaConnection.fromEnvironment(bootstrap));
        KafkaProducer<String, SpecificRecord> producer =
            new KafkaProducer<>(
                p, new StringSerializer(), Topics.TELEMETRY.valueSerde(registry).serializer())) {
      Instant now = Instant.now();
      SpecificRecord heartbeat =
          Heartbeat.newBuilder()
              .setTenant(tenant)
              .setAt(now)
              .setHost(host)
              .setRelease(release)
              .setMetrics(Map.of("cpu", 0.42, "errorRate", 0.0))
              .build();
      SpecificRecord crash =
          CrashReport.newBuilder()
              .setTenant(tenant)
              .setAt(now.plusMillis(1))
              .setHost(host)
              .setRelease(release)
              .setSignature("PAGE_FAULT_IN_NONPAGED_AREA")
              .setKind("BSOD")
              .build();
      for (SpecificRecord event : new SpecificRecord[] {heartbeat, crash}) {
        RecordMetadata m =
            producer
                .send(new ProducerRecord<>(Topics.TELEMETRY.name(), Keys.of(tenant, host), event))
                .get();
        System.out.printf(
            "%s -> %s-%d@%d%n", event.getSchema().getName(), m.topic(), m.partition(), m.offset());
      }
    }
  }
}
