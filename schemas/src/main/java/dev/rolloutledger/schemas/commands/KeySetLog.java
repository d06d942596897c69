package dev.rolloutledger.schemas.commands;

import dev.rolloutledger.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Reads and appends {@code ledger.keys} ({@link Topics#KEYS}): what the server follows and what
 * {@code ledger keys publish|activate|retire} writes. {@code clientSettings} are the Kafka client
 * settings (bootstrap servers and security) every client of the deployment uses.
 */
public final class KeySetLog implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final TopicPartition partition = new TopicPartition(Topics.KEYS.name(), 0);
  private final KafkaConsumer<String, String> consumer;
  private final Properties clientSettings;
  private final KeySet set = new KeySet();
  private final String deployment;

  /**
   * The key set of {@code deployment} (the application id its instances share: one cluster may run
   * several deployments, each with keys of its own).
   */
  public KeySetLog(Properties clientSettings, String deployment) {
    this.clientSettings = clientSettings;
    this.deployment = deployment;
    Properties c = new Properties();
    c.putAll(clientSettings);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "ledger-keys-reader-" + UUID.randomUUID());
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
  }

  /** Reads to the log's current end; the set as of then. */
  public KeySet readToEnd() {
    long end = consumer.endOffsets(List.of(partition), TIMEOUT).getOrDefault(partition, 0L);
    while (consumer.position(partition, TIMEOUT) < end) {
      poll(Duration.ofMillis(200));
    }
    return set.copy();
  }

  /** Applies what arrives within {@code wait}; true if anything did. */
  public boolean poll(Duration wait) {
    boolean any = false;
    for (ConsumerRecord<String, String> r : consumer.poll(wait)) {
      if (r.value() == null || r.key() == null || !r.key().startsWith(deployment + "/")) {
        continue;
      }
      try {
        set.apply(KeySet.Entry.fromJson(r.value()));
        any = true;
      } catch (IllegalArgumentException e) {
        // not ours (the topic is writable only by the server's principal): skipped
      }
    }
    return any;
  }

  public KeySet current() {
    return set.copy();
  }

  /** Appends {@code entry}, acknowledged by every in-sync replica, then reads it back. */
  public KeySet append(KeySet.Entry entry) {
    Properties p = new Properties();
    p.putAll(clientSettings);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  partition.topic(), 0, deployment + "/" + entry.keyId(), entry.toJson()))
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot write " + Topics.KEYS.name() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return readToEnd();
  }

  /** Wakes a thread blocked in {@link #poll} (it then throws WakeupException). */
  public void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
