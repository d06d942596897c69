package dev.rolloutledger.server.kafka;

import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Records clock ticks, and only while the broker takes them at once. A tick is a statement that the
 * system was running at that moment: one that waited in a producer's buffer through a broker outage
 * and arrived afterwards would hide the outage from the engine, which would then judge the hosts
 * silent over it (their heartbeats could not be recorded). So a tick the broker has not
 * acknowledged within {@link #DELIVERY_TIMEOUT} is dropped by the producer itself, never sent
 * later, and the outage shows as a gap in the recorded clock (ADR 0008).
 */
public final class TickPublisher implements AutoCloseable {

  /** The most a recorded tick can lag the moment it names. */
  public static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(2);

  private final KafkaProducer<String, byte[]> producer;
  private final Serializer<ClockTick> serializer;

  public TickPublisher(KafkaConnection kafka, SchemaRegistry registry) {
    this.serializer = Topics.CLOCK.valueSerde(registry).serializer();
    this.producer =
        new KafkaProducer<>(settings(kafka), new StringSerializer(), new ByteArraySerializer());
  }

  static Properties settings(KafkaConnection kafka) {
    Properties p = EventPublisher.acknowledgedWrites(kafka, "ledger-clock");
    long delivery = DELIVERY_TIMEOUT.toMillis();
    // delivery.timeout.ms must be at least linger.ms + request.timeout.ms
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(delivery * 3 / 4));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(delivery));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(delivery / 2));
    return p;
  }

  /**
   * Records a tick at {@code at} and waits for the broker. Throws if it was not recorded within
   * {@link #DELIVERY_TIMEOUT}; it then never will be.
   */
  public void publish(Instant at) {
    String topic = Topics.CLOCK.name();
    byte[] value = serializer.serialize(topic, new ClockTick(at));
    try {
      producer
          .send(new ProducerRecord<>(topic, "clock", value))
          .get(DELIVERY_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EventPublisher.PublishFailedException(
          "interrupted while recording a clock tick", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new EventPublisher.PublishFailedException(
          "the broker did not record the clock tick: " + e, e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
