package dev.rolloutledger.loadtests.fleet;

import dev.rolloutledger.avro.Heartbeat;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.TopicInstaller;
import dev.rolloutledger.schemas.Topics;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Phase 1: raw Kafka, the same keys and heartbeat bytes with no processing ({@link RawBaseline}).
 */
public final class RawKafka {
  private RawKafka() {}

  /** Runs the raw baseline on a topic of its own and reports it; returns its end-to-end rate. */
  public static double run(FleetContext c, String[] keys, Properties settings) throws Exception {
    String topic = "fleet-load.raw-" + c.runId();
    int partitions = Topics.TELEMETRY.partitions();
    c.admin()
        .createTopics(
            List.of(
                new NewTopic(
                    topic,
                    Optional.of(partitions),
                    c.embedded()
                        ? Optional.of(TopicInstaller.DEFAULT_REPLICATION_FACTOR)
                        : Optional.empty())))
        .all()
        .get();
    Heartbeat beat =
        Heartbeat.newBuilder()
            .setTenant(Keys.tenantOf(keys[0]))
            .setAt(Instant.now())
            .setHost("h0000000")
            .setRelease("rel-1")
            .setMetrics(Map.of("cpu", 0.31, "errorRate", 0.001))
            .build();
    byte[] value =
        Topics.TELEMETRY
            .valueSerde(c.registry())
            .serializer()
            .serialize(Topics.TELEMETRY.name(), beat);
    long records = c.options().rawRecords();
    c.progress().say(String.format(Locale.ROOT, "raw Kafka: %,d records", records));
    RawBaseline.Result r =
        RawBaseline.run(c.bootstrap(), topic, partitions, keys, value, records, settings);
    c.report()
        .add(
            String.format(
                Locale.ROOT,
                "raw Kafka (same keys, %d-byte heartbeat values, acks=all, linger 5 ms,"
                    + " read_committed consumer): %,d records, produce %,.0f/s, produce->consume"
                    + " %,.0f/s (%.1f s), load %s",
                value.length,
                r.records(),
                r.producePerSecond(),
                r.endToEndPerSecond(),
                r.endToEndSeconds(),
                Machine.loadAverage()));
    c.admin().deleteTopics(List.of(topic)).all().get();
    return r.endToEndPerSecond();
  }
}
