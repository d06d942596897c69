package dev.rolloutledger.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.compat.Compatibility;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The embedded registry: durable, its registrations live in the compacted topic {@link
 * Topics#SCHEMAS}. Every process reads the topic from the start and derives the same ids and
 * versions from its order (see {@link RegistryView}), so several server instances can share one
 * registry topic. A registration is produced, then read back before it is answered, as Confluent's
 * own Kafka-backed store does.
 *
 * <p>Record key: {@code subject/<fingerprint of the schema>}; value: JSON {@code {subject,
 * schema}}. A concurrent registration of the same schema by two instances compacts to one record. A
 * soft deletion is a record of its own (see {@link #deleteVersion}).
 */
public final class KafkaSchemaRegistry implements SchemaRegistry {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String topic = Topics.SCHEMAS.name();
  private final TopicPartition partition = new TopicPartition(topic, 0);
  private final KafkaProducer<String, String> producer;
  private final KafkaConsumer<String, String> consumer;
  // the embedded registry guards the topic contract's subjects (TopicContract)
  private final RegistryView view = new RegistryView(true);
  private final Compatibility.Level level;

  public KafkaSchemaRegistry(String bootstrapServers, Compatibility.Level level) {
    this(KafkaConnection.plaintext(bootstrapServers), level);
  }

  /**
   * On a cluster that needs client settings (SASL, TLS): every client starts from {@code kafka}.
   */
  public KafkaSchemaRegistry(KafkaConnection kafka, Compatibility.Level level) {
    this.level = level;
    Properties p = kafka.properties();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "ledger-schema-registry-writer");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    Properties c = kafka.properties();
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "ledger-schema-registry-reader");
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    catchUp();
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    catchUp();
    Optional<RegisteredSchema> existing = view.find(subject, schema);
    if (existing.isPresent() && !view.isDeleted(existing.get())) {
      return existing.get().id();
    }
    Registrations.requireCompatible(subject, view.problems(level, subject, schema));
    // registered again after a soft delete: the version is restored, not added
    write(
        existing.isPresent() ? deletionKey(subject, schema) : key(subject, schema),
        subject,
        schema,
        existing.isPresent() ? Boolean.FALSE : null);
    return view.lookup(subject, schema, false)
        .orElseThrow(() -> unavailable("registration not read back from " + topic, null))
        .id();
  }

  /**
   * Soft-deletes a version by writing a deletion record (key {@code subject/<fingerprint>/deleted},
   * value {@code {subject, schema, deleted: true}}) that every instance reads; registering the
   * schema again writes {@code deleted: false} under the same key, so compaction keeps the last
   * word and never the registration itself (which fixes versions and ids, ADR 0002).
   */
  @Override
  public synchronized int deleteVersion(String subject, int version) {
    catchUp();
    RegisteredSchema r = Registrations.deletable(view, subject, version);
    write(deletionKey(subject, r.schema()), subject, r.schema(), Boolean.TRUE);
    return version;
  }

  private void write(String key, String subject, Schema schema, Boolean deleted) {
    ObjectNode value = JSON.createObjectNode();
    value.put("subject", subject);
    value.put("schema", schema.toString());
    if (deleted != null) {
      value.put("deleted", deleted);
    }
    RecordMetadata written;
    try {
      written =
          producer
              .send(new ProducerRecord<>(topic, 0, key, value.toString()))
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted while writing to " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw unavailable("could not write to " + topic, e);
    }
    catchUpTo(written.offset() + 1);
  }

  private static String key(String subject, Schema schema) {
    return subject
        + "/"
        + Long.toHexString(
            SchemaNormalization.fingerprint64(schema.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static String deletionKey(String subject, Schema schema) {
    return key(subject, schema) + "/deleted";
  }

  @Override
  public synchronized Schema byId(int id) {
    Optional<Schema> schema = view.byId(id);
    if (schema.isPresent()) {
      return schema.get();
    }
    // another instance may have registered it since we last read
    catchUp();
    return view.byId(id).orElseThrow(() -> Registrations.schemaNotFound(id));
  }

  @Override
  public synchronized Optional<RegisteredSchema> latest(String subject) {
    catchUp();
    return view.latest(subject);
  }

  @Override
  public synchronized Optional<RegisteredSchema> version(String subject, int version) {
    return version(subject, version, false);
  }

  @Override
  public synchronized Optional<RegisteredSchema> version(
      String subject, int version, boolean includeDeleted) {
    catchUp();
    return view.version(subject, version, includeDeleted);
  }

  @Override
  public synchronized Optional<RegisteredSchema> lookup(
      String subject, Schema schema, boolean includeDeleted) {
    catchUp();
    return view.lookup(subject, schema, includeDeleted);
  }

  @Override
  public synchronized List<RegisteredSchema> usages(int id, boolean includeDeleted) {
    catchUp();
    return view.usages(id, includeDeleted);
  }

  @Override
  public synchronized List<String> compatibilityProblems(String subject, Schema schema) {
    catchUp();
    return view.problems(level, subject, schema);
  }

  @Override
  public synchronized List<String> subjects() {
    return subjects(false);
  }

  @Override
  public synchronized List<String> subjects(boolean includeDeleted) {
    catchUp();
    return view.subjects(includeDeleted);
  }

  @Override
  public synchronized List<Integer> versions(String subject) {
    return versions(subject, false);
  }

  @Override
  public synchronized List<Integer> versions(String subject, boolean includeDeleted) {
    catchUp();
    return view.versions(subject, includeDeleted);
  }

  @Override
  public Compatibility.Level level() {
    return level;
  }

  @Override
  public synchronized void close() {
    producer.close(Duration.ofSeconds(5));
    consumer.close(Duration.ofSeconds(5));
  }

  private void catchUp() {
    Map<TopicPartition, Long> end = consumer.endOffsets(List.of(partition), TIMEOUT);
    catchUpTo(end.getOrDefault(partition, 0L));
  }

  private void catchUpTo(long offset) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (consumer.position(partition, TIMEOUT) < offset) {
      if (System.nanoTime() > deadline) {
        throw unavailable("timed out reading " + topic + " up to offset " + offset, null);
      }
      for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
        apply(r);
      }
    }
  }

  private void apply(ConsumerRecord<String, String> record) {
    if (record.value() == null) {
      return; // tombstone: permanent deletion is not supported (ids and versions, ADR 0002)
    }
    try {
      JsonNode node = JSON.readTree(record.value());
      String subject = node.get("subject").asText();
      Schema schema = new Schema.Parser().parse(node.get("schema").asText());
      if (node.has("deleted")) {
        view.markDeleted(subject, schema, node.get("deleted").asBoolean());
      } else {
        view.append(subject, schema);
      }
    } catch (Exception e) {
      // A record we cannot read must not make the registry unusable; it is skipped and reported.
      org.slf4j.LoggerFactory.getLogger(KafkaSchemaRegistry.class)
          .warn(
              "skipping unreadable registry record at offset {}: {}",
              record.offset(),
              e.getMessage());
    }
  }

  private static SchemaRegistryException unavailable(String message, Throwable cause) {
    return new SchemaRegistryException(SchemaRegistryException.UNAVAILABLE, message, cause);
  }
}
