package dev.rolloutledger.server;

import dev.rolloutledger.infra.BrokerOptions;
import dev.rolloutledger.infra.EmbeddedKafkaBroker;
import dev.rolloutledger.schemas.TopicInstaller;
import dev.rolloutledger.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One real KRaft broker (the infra launcher, in this JVM, on loopback) shared by every integration
 * test of the run, with the ledger's topics created. Closed when the test JVM exits.
 */
public final class TestKafka {
  private static EmbeddedKafkaBroker broker;

  private TestKafka() {}

  public static synchronized String bootstrapServers() {
    if (broker == null) {
      try {
        Path dir = Files.createTempDirectory("ledger-it-kafka");
        broker = EmbeddedKafkaBroker.start(BrokerOptions.of(dir));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      try (Admin admin = Admin.create(p)) {
        TopicInstaller.ensureTopics(admin, Topics.all());
      }
      Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "it-broker-shutdown"));
    }
    return broker.bootstrapServers();
  }

  /**
   * Assigns every partition of the topic to the consumer, from its start: no group to join, so a
   * test reads at once even when the group coordinator is slow on a busy machine.
   */
  public static void fromStart(KafkaConsumer<?, ?> consumer, String topic) {
    List<TopicPartition> partitions = assignAll(consumer, topic);
    consumer.seekToBeginning(partitions);
  }

  /**
   * Assigns {@code consumer} every partition of {@code topic} at its current end (for a
   * read_committed consumer, the last stable offset), resolved now: what is written after this call
   * is read, and none of what the suite's earlier tests left on the shared broker's topic. Call it
   * before writing what the test waits for.
   */
  public static void fromNow(KafkaConsumer<?, ?> consumer, String topic) {
    List<TopicPartition> partitions = assignAll(consumer, topic);
    consumer.seekToEnd(partitions);
    for (TopicPartition p : partitions) {
      consumer.position(p, Duration.ofSeconds(30)); // a seek is lazy: resolve it before the write
    }
  }

  /** Adds every partition of {@code topic} to what {@code consumer} is assigned; returns them. */
  private static List<TopicPartition> assignAll(KafkaConsumer<?, ?> consumer, String topic) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
      partitions.add(new TopicPartition(p.topic(), p.partition()));
    }
    List<TopicPartition> all = new ArrayList<>(consumer.assignment());
    all.addAll(partitions);
    consumer.assign(all);
    return partitions;
  }

  /**
   * A consumer of committed records only, from the start, in a group of its own. It takes many
   * records a poll: a reader from the start goes through what every earlier test of the suite left
   * on the shared broker's topics (a large wave's inputs and commands among them).
   */
  public static <V> KafkaConsumer<String, V> readCommitted(Deserializer<V> values) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    return new KafkaConsumer<>(p, new StringDeserializer(), values);
  }
}
