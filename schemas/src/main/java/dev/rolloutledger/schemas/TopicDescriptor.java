package dev.rolloutledger.schemas;

import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.schemas.serde.ConfluentAvroSerde;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.Serde;

/**
 * One topic of the ledger, declared once: its name, key serde, value schema, partitions and cleanup
 * policy. Values are Avro in the Confluent wire format; the value schema may be a union when one
 * topic carries several event types (e.g. telemetry: UpdateApplied | Heartbeat | CrashReport |
 * HostSilent | HostBack).
 *
 * @param name topic name
 * @param keySerde serde of the key (plain UTF-8 strings: {@code tenant/id}, see {@link Keys})
 * @param valueSchema reader schema of the value; a record or a union of records
 * @param valueType Java type of the value (a specific record class, or {@code SpecificRecord})
 * @param partitions partition count used when the topic is created
 * @param cleanupPolicy {@code delete} or {@code compact}
 * @param configs further topic configs (retention and the like)
 * @param doc one line for people: what the topic carries
 */
public record TopicDescriptor<K, V>(
    String name,
    Serde<K> keySerde,
    Schema valueSchema,
    Class<V> valueType,
    int partitions,
    String cleanupPolicy,
    Map<String, String> configs,
    String doc) {

  public static final String DELETE = "delete";
  public static final String COMPACT = "compact";

  public TopicDescriptor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSchema, "valueSchema");
    Objects.requireNonNull(valueType, "valueType");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1 for topic " + name);
    }
    if (!DELETE.equals(cleanupPolicy) && !COMPACT.equals(cleanupPolicy)) {
      throw new IllegalArgumentException(
          "cleanupPolicy must be delete or compact for topic " + name + ", was " + cleanupPolicy);
    }
    configs = Map.copyOf(configs);
  }

  /** The same topic created with {@code count} partitions. */
  public TopicDescriptor<K, V> withPartitions(int count) {
    return new TopicDescriptor<>(
        name, keySerde, valueSchema, valueType, count, cleanupPolicy, configs, doc);
  }

  /**
   * A value serde in the Confluent wire format backed by the given registry (subject {@code
   * <name>-value}).
   */
  public Serde<V> valueSerde(SchemaRegistry registry) {
    return ConfluentAvroSerde.of(registry, valueSchema, valueType);
  }

  /** The Confluent subject under which the value schema is registered (TopicNameStrategy). */
  public String valueSubject() {
    return name + "-value";
  }
}
