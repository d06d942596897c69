package dev.rolloutledger.replay;

import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.avro.RolloutPlanned;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.topology.LedgerTopology;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code ledger export}: one rollout's {@link RolloutLog} from the Kafka topics. The inputs come
 * from the input journal ({@code ledger.inputs}, the partition of the rollout's tenant, in the
 * order its engine consumed them), the decisions from {@code ledger.decisions}, each placed right
 * after the input that caused it (its {@link LedgerTopology#INPUT_OFFSET_HEADER}).
 *
 * <p>The log covers the journal up to the offset the engine has committed (read from the streams
 * application's consumer group): every input before it has been decided, and its decisions are
 * committed in the same transaction. Ticks before the tenant's first rollout are left out; the
 * engine does nothing on them.
 */
public final class RolloutExport {
  private RolloutExport() {}

  private static final Duration POLL = Duration.ofMillis(500);

  /**
   * Where to read: the cluster (with its client settings), its registry and the streams application
   * that ran the engine.
   */
  public record Source(KafkaConnection kafka, SchemaRegistry registry, String applicationId) {
    /** A cluster without authentication or TLS. */
    public Source(String bootstrapServers, SchemaRegistry registry, String applicationId) {
      this(KafkaConnection.plaintext(bootstrapServers), registry, applicationId);
    }
  }

  public record Exported(long inputs, long decisions) {}

  /** Told now and then how far the journal has been read. */
  public interface Progress {
    void update(long offset, long end);
  }

  /**
   * Writes the log of {@code tenant/rollout} to {@code out}; {@code progress} hears how far it is.
   */
  public static Exported export(
      Source source, String tenant, String rollout, OutputStream out, Progress progress) {
    String key = Keys.of(tenant, rollout);
    int partition;
    long committed;
    try (Admin admin = Admin.create(source.kafka().properties())) {
      int partitions = partitions(admin, Topics.INPUTS.name());
      partition = LedgerTopology.partitionOf(tenant, partitions);
      committed = committed(admin, source.applicationId(), partition);
    }
    Map<Long, List<SpecificRecord>> decisions = decisions(source, key, committed);
    if (decisions.isEmpty()) {
      throw new InvalidFieldException(
          "rollout", "'" + rollout + "' of tenant '" + tenant + "' has no ledger entries");
    }
    try (RolloutLogWriter writer =
            new RolloutLogWriter(
                out, new RolloutLog.Header(tenant, rollout, "export", RolloutLog.VERSION_CURRENT));
        KafkaConsumer<String, SpecificRecord> journal =
            consumer(source, Topics.INPUTS.valueSerde(source.registry()).deserializer())) {
      TopicPartition tp = new TopicPartition(Topics.INPUTS.name(), partition);
      journal.assign(List.of(tp));
      journal.seekToBeginning(List.of(tp));
      boolean started = false;
      while (journal.position(tp) < committed) {
        for (ConsumerRecord<String, SpecificRecord> r : journal.poll(POLL)) {
          if (r.offset() >= committed) {
            break;
          }
          SpecificRecord input = r.value();
          if (tenant.equals(r.key())) {
            started |= input instanceof RolloutPlanned;
            writer.input(input);
          } else if (started && input instanceof ClockTick) {
            writer.input(input);
          }
          for (SpecificRecord entry : decisions.getOrDefault(r.offset(), List.of())) {
            writer.decision(entry);
          }
          progress.update(r.offset(), committed);
        }
      }
      return new Exported(writer.inputs(), writer.decisions());
    }
  }

  /** The rollout's ledger entries by the journal offset of their input, below {@code committed}. */
  private static Map<Long, List<SpecificRecord>> decisions(
      Source source, String key, long committed) {
    Map<Long, List<SpecificRecord>> byInput = new TreeMap<>();
    try (KafkaConsumer<String, SpecificRecord> consumer =
        consumer(source, Topics.LEDGER.valueSerde(source.registry()).deserializer())) {
      int partitions = consumer.partitionsFor(Topics.LEDGER.name()).size();
      TopicPartition tp =
          new TopicPartition(Topics.LEDGER.name(), LedgerTopology.partitionOf(key, partitions));
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<String, SpecificRecord> r : consumer.poll(POLL)) {
          Header h = r.headers().lastHeader(LedgerTopology.INPUT_OFFSET_HEADER);
          if (!key.equals(r.key()) || h == null) {
            continue;
          }
          long offset = Long.parseLong(new String(h.value(), StandardCharsets.US_ASCII));
          if (offset < committed) {
            byInput.computeIfAbsent(offset, o -> new ArrayList<>()).add(r.value());
          }
        }
      }
    }
    return byInput;
  }

  private static int partitions(Admin admin, String topic) {
    try {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get()
          .get(topic)
          .partitions()
          .size();
    } catch (Exception e) {
      throw new IllegalStateException("cannot describe " + topic + ": " + e.getMessage(), e);
    }
  }

  /** The journal offset the engine has committed on this partition (0 when it never ran). */
  private static long committed(Admin admin, String applicationId, int partition) {
    TopicPartition tp = new TopicPartition(Topics.INPUTS.name(), partition);
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(
                  Map.of(
                      applicationId,
                      new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(tp))))
              .partitionsToOffsetAndMetadata(applicationId)
              .get();
      OffsetAndMetadata m = offsets.get(tp);
      return m == null ? 0 : m.offset();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot read the committed offsets of " + applicationId + ": " + e.getMessage(), e);
    }
  }

  private static KafkaConsumer<String, SpecificRecord> consumer(
      Source source, Deserializer<SpecificRecord> values) {
    Properties p = source.kafka().properties();
    p.putAll(
        new HashMap<>(
            Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                "5000",
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
                Integer.toString(64 << 20),
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                Integer.toString(16 << 20))));
    return new KafkaConsumer<>(p, new StringDeserializer(), values);
  }
}
