package dev.rolloutledger.loadtests.fleet;

import dev.rolloutledger.schemas.kafka.KafkaConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka with no processing: the same keys and value bytes as the fleet's heartbeats, produced as
 * fast as the producer goes (acks=all, same batching as the fleet) and consumed at the same time by
 * one read_committed consumer. The end-to-end rate is records over the time until the consumer has
 * read the last one.
 */
public final class RawBaseline {
  private RawBaseline() {}

  public record Result(long records, long bytes, double produceSeconds, double endToEndSeconds) {
    public double producePerSecond() {
      return records / produceSeconds;
    }

    public double endToEndPerSecond() {
      return records / endToEndSeconds;
    }
  }

  public static Result run(
      String bootstrap,
      String topic,
      int partitions,
      String[] keys,
      byte[] value,
      long records,
      Properties producerSettings) {
    Properties cp = KafkaConnection.fromEnvironment(bootstrap).properties();
    cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    AtomicLong consumed = new AtomicLong();
    long[] consumerDoneAt = new long[1];
    Thread consumerThread;
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        tps.add(new TopicPartition(topic, p));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      consumerThread =
          new Thread(
              () -> {
                while (consumed.get() < records) {
                  ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(100));
                  consumed.addAndGet(batch.count());
                }
                consumerDoneAt[0] = System.nanoTime();
              },
              "raw-consumer");
      Properties pp = new Properties();
      pp.putAll(producerSettings);
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      long start = System.nanoTime();
      consumerThread.start();
      long producedAt;
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
        for (long i = 0; i < records; i++) {
          producer.send(new ProducerRecord<>(topic, keys[(int) (i % keys.length)], value));
        }
        producer.flush();
        producedAt = System.nanoTime();
      }
      try {
        consumerThread.join(Duration.ofMinutes(5).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (consumerThread.isAlive()) {
        throw new IllegalStateException(
            "raw consumer read " + consumed.get() + " of " + records + " in 5 minutes");
      }
      return new Result(
          records,
          records * (long) value.length,
          (producedAt - start) / 1e9,
          (consumerDoneAt[0] - start) / 1e9);
    }
  }
}
