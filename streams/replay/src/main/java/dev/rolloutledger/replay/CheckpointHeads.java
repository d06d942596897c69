package dev.rolloutledger.replay;

import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code ledger checkpoint}'s reading: the committed head (last seq and hash) of every rollout's
 * chain in {@code ledger.decisions}, read with {@code read_committed} to the end of every partition
 * as of the start: an entry of a transaction still open, or aborted, is never a head.
 */
public final class CheckpointHeads {
  private CheckpointHeads() {}

  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** Told now and then how many records of how many have been read. */
  public interface Progress {
    void update(long read, long total);
  }

  /** The heads of every rollout of {@code tenant}, or of every tenant when it is null. */
  public static List<Checkpoint.Head> read(
      KafkaConnection kafka, SchemaRegistry registry, String tenant, Progress progress) {
    Properties p = kafka.properties();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    Map<String, Checkpoint.Head> heads = new HashMap<>();
    try (KafkaConsumer<String, SpecificRecord> consumer =
        new KafkaConsumer<>(
            p, new StringDeserializer(), Topics.LEDGER.valueSerde(registry).deserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(Topics.LEDGER.name(), TIMEOUT)) {
        partitions.add(new TopicPartition(info.topic(), info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // read_committed: the end is the last stable offset, after which nothing is committed yet
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
      Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, TIMEOUT);
      long total = 0;
      for (TopicPartition tp : partitions) {
        total += ends.get(tp) - starts.get(tp);
      }
      long read = 0;
      while (!atEnd(consumer, partitions, ends)) {
        for (ConsumerRecord<String, SpecificRecord> r : consumer.poll(POLL)) {
          read++;
          if (r.offset() >= ends.get(new TopicPartition(r.topic(), r.partition()))
              || r.key() == null
              || r.value() == null) {
            continue;
          }
          String recordTenant = Keys.tenantOf(r.key());
          if (tenant != null && !tenant.equals(recordTenant)) {
            continue;
          }
          Checkpoint.Head head = head(r.value());
          heads.merge(r.key(), head, (a, b) -> b.seq() > a.seq() ? b : a);
        }
        progress.update(read, total);
      }
    }
    List<Checkpoint.Head> out = new ArrayList<>(heads.values());
    out.sort(Checkpoint.ORDER);
    return out;
  }

  private static boolean atEnd(
      KafkaConsumer<?, ?> consumer,
      List<TopicPartition> partitions,
      Map<TopicPartition, Long> ends) {
    for (TopicPartition tp : partitions) {
      if (consumer.position(tp, TIMEOUT) < ends.get(tp)) {
        return false;
      }
    }
    return true;
  }

  /** A ledger entry's place in its chain: every entry record has these fields. */
  private static Checkpoint.Head head(SpecificRecord entry) {
    org.apache.avro.Schema s = entry.getSchema();
    return new Checkpoint.Head(
        entry.get(s.getField("tenant").pos()).toString(),
        entry.get(s.getField("rollout").pos()).toString(),
        (Long) entry.get(s.getField("seq").pos()),
        entry.get(s.getField("hash").pos()).toString());
  }
}
