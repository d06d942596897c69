package dev.rolloutledger.server.kafka;

import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.topology.InputTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Every state change enters the system here as an event on its topic: the HTTP API validates, maps
 * to the domain, and publishes; the topology decides. Sends are acknowledged by all in-sync
 * replicas before the caller is answered, so a 202 means the event is durable.
 */
public final class EventPublisher implements AutoCloseable {
  private static final long TIMEOUT_MS = 30_000;

  private final SchemaRegistry registry;
  private final KafkaProducer<String, byte[]> producer;
  private final Map<String, Serializer<SpecificRecord>> serializers = new ConcurrentHashMap<>();

  public EventPublisher(String bootstrapServers, SchemaRegistry registry) {
    this.registry = registry;
    this.producer =
        new KafkaProducer<>(
            acknowledgedWrites(bootstrapServers, "ledger-api"),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  /**
   * Producer settings for writes that a caller waits on: acknowledged by all in-sync replicas,
   * never duplicated by a retry, sent at once rather than lingering for a batch.
   */
  public static Properties acknowledgedWrites(String bootstrapServers, String clientId) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  /** Publishes the inputs in order and waits until all are acknowledged. */
  public List<RecordMetadata> publish(List<? extends LedgerInput> inputs) {
    List<Future<RecordMetadata>> sent = new ArrayList<>(inputs.size());
    for (LedgerInput input : inputs) {
      InputTopics.Routed routed = InputTopics.route(input);
      sent.add(send(routed.topic(), routed.key(), routed.value()));
    }
    return acknowledged(sent);
  }

  /** Records that time passed: one tick on the clock topic, acknowledged before returning. */
  public void publishTick(Instant at) {
    acknowledged(List.of(send(Topics.CLOCK, "clock", new ClockTick(at))));
  }

  private Future<RecordMetadata> send(
      TopicDescriptor<String, ?> topic, String key, SpecificRecord value) {
    byte[] bytes = serializer(topic).serialize(topic.name(), value);
    return producer.send(new ProducerRecord<>(topic.name(), key, bytes));
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
  }

  /** Kafka could not take the event; the API answers 503 and the caller may retry. */
  public static final class PublishFailedException extends RuntimeException {
    public PublishFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
