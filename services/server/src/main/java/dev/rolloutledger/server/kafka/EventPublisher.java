package dev.rolloutledger.server.kafka;

import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.topology.InputTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Every state change enters the system here as an event on its topic: the HTTP API validates, maps
 * to the domain, and publishes; the topology decides. Sends are acknowledged by all in-sync
 * replicas before the caller is answered, so a 202 means the event is durable.
 *
 * <p>A route that publishes more than one record (a telemetry batch, a list of hosts) calls {@link
 * #publishAtomically}: the batch is written in one Kafka transaction by one of a few transactional
 * producers: the topology reads committed records only, so it sees the whole batch or, when the
 * transaction aborts, none of it.
 */
public final class EventPublisher implements AutoCloseable {
  private static final long TIMEOUT_MS = 30_000;

  /** Transactions open at once; an HTTP thread beyond them waits for one to finish. */
  static final int TRANSACTIONAL_PRODUCERS = 4;

  /**
   * How long a transaction left open by a dead server holds back what is behind it on its
   * partitions (read_committed readers wait for it) before the broker aborts it.
   */
  static final int TRANSACTION_TIMEOUT_MS = 15_000;

  private final SchemaRegistry registry;
  private final KafkaProducer<String, byte[]> producer;
  private final Map<String, Serializer<SpecificRecord>> serializers = new ConcurrentHashMap<>();
  private final KafkaConnection kafka;

  /** Unique per server process, so that two servers never fence each other's transactions. */
  private final String transactionalIdPrefix = "ledger-api-" + UUID.randomUUID() + "-";

  private final AtomicInteger transactionalProducersMade = new AtomicInteger();
  private final Semaphore transactionSlots = new Semaphore(TRANSACTIONAL_PRODUCERS);
  private final Queue<KafkaProducer<String, byte[]>> idleTransactional =
      new ConcurrentLinkedQueue<>();

  public EventPublisher(KafkaConnection kafka, SchemaRegistry registry) {
    this.registry = registry;
    this.kafka = kafka;
    this.producer =
        new KafkaProducer<>(
            acknowledgedWrites(kafka, "ledger-api"),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  /**
   * Producer settings for writes that a caller waits on: acknowledged by all in-sync replicas,
   * never duplicated by a retry, sent at once rather than lingering for a batch.
   */
  public static Properties acknowledgedWrites(KafkaConnection kafka, String clientId) {
    Properties p = kafka.properties();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  /**
   * Publishes one input and waits until it is acknowledged. One record is all or nothing by itself;
   * a route that publishes more than one uses {@link #publishAtomically}, so that none publishes a
   * part of what it was sent.
   */
  public RecordMetadata publish(LedgerInput input) {
    InputTopics.Routed routed = InputTopics.route(input);
    return acknowledged(List.of(send(routed.topic(), routed.key(), routed.value()))).get(0);
  }

  /**
   * Publishes the inputs in one transaction and returns once it is committed: the topology sees all
   * of them or none. Every input is mapped and serialized before the transaction begins, so a
   * record that cannot be written sends nothing; a Kafka failure aborts what was sent.
   */
  public void publishAtomically(List<? extends LedgerInput> inputs) {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(inputs.size());
    for (LedgerInput input : inputs) {
      InputTopics.Routed routed = InputTopics.route(input);
      records.add(record(routed.topic(), routed.key(), routed.value()));
    }
    if (records.isEmpty()) {
      return;
    }
    try {
      if (!transactionSlots.tryAcquire(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        throw new PublishFailedException("every transactional producer stayed busy", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishFailedException("interrupted while publishing", e);
    }
    KafkaProducer<String, byte[]> producer = null;
    boolean reusable = false;
    try {
      producer = idleTransactional.poll();
      if (producer == null) {
        producer = transactionalProducer();
      }
      producer.beginTransaction();
      for (ProducerRecord<String, byte[]> r : records) {
        producer.send(r);
      }
      // flushes every send; throws if any of them failed, and then nothing is committed
      producer.commitTransaction();
      reusable = true;
    } catch (KafkaException e) {
      reusable = producer != null && aborted(producer);
      throw new PublishFailedException(
          "Kafka did not take the batch, nothing of it was published: " + e.getMessage(), e);
    } finally {
      if (producer != null) {
        if (reusable) {
          idleTransactional.add(producer);
        } else {
          // a producer in an unknown state is dropped; the next batch makes a new one
          producer.close(Duration.ZERO);
        }
      }
      transactionSlots.release();
    }
  }

  private static boolean aborted(KafkaProducer<String, byte[]> producer) {
    try {
      producer.abortTransaction();
      return true;
    } catch (KafkaException | IllegalStateException e) {
      return false;
    }
  }

  private KafkaProducer<String, byte[]> transactionalProducer() {
    Properties p = acknowledgedWrites(kafka, "ledger-api-tx");
    p.put(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
        transactionalIdPrefix + transactionalProducersMade.incrementAndGet());
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, TIMEOUT_MS);
    KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    try {
      producer.initTransactions();
      return producer;
    } catch (KafkaException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
  }

  private Future<RecordMetadata> send(
      TopicDescriptor<String, ?> topic, String key, SpecificRecord value) {
    return producer.send(record(topic, key, value));
  }

  private ProducerRecord<String, byte[]> record(
      TopicDescriptor<String, ?> topic, String key, SpecificRecord value) {
    return new ProducerRecord<>(
        topic.name(), key, serializer(topic).serialize(topic.name(), value));
  }

  private static List<RecordMetadata> acknowledged(List<Future<RecordMetadata>> sent) {
    List<RecordMetadata> out = new ArrayList<>(sent.size());
    try {
      for (Future<RecordMetadata> f : sent) {
        out.add(f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishFailedException("interrupted while publishing", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new PublishFailedException("Kafka did not acknowledge the event: " + e.getMessage(), e);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private Serializer<SpecificRecord> serializer(TopicDescriptor<String, ?> topic) {
    return serializers.computeIfAbsent(
        topic.name(),
        n -> ((TopicDescriptor<String, SpecificRecord>) topic).valueSerde(registry).serializer());
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    for (KafkaProducer<String, byte[]> p; (p = idleTransactional.poll()) != null; ) {
      p.close(Duration.ofSeconds(5));
    }
  }

  /** Kafka could not take the event; the API answers 503 and the caller may retry. */
  public static final class PublishFailedException extends RuntimeException {
    public PublishFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
