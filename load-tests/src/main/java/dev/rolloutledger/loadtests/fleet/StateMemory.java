package dev.rolloutledger.loadtests.fleet;

import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.topology.LedgerTopology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Phase 5 (what is not heap): the state directories after the topology closed, by store, and the
 * hosts store's live bytes from its changelog.
 */
public final class StateMemory {
  private StateMemory() {}

  /** Reports the state directories (one per Streams instance) and the hosts changelog. */
  public static void report(FleetContext c, List<Path> stateDirs) throws IOException {
    Map<String, Long> byStore = new TreeMap<>();
    long total = 0;
    for (Path stateDir : stateDirs) {
      if (!Files.exists(stateDir)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(stateDir)) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          long size = Files.size(f);
          total += size;
          Path rel = stateDir.relativize(f);
          // <app>/<task>/rocksdb/<store>/...
          if (rel.getNameCount() > 3 && rel.getName(2).toString().equals("rocksdb")) {
            byStore.merge(rel.getName(3).toString(), size, Long::sum);
          }
        }
      }
    }
    int hosts = c.options().hosts();
    c.report()
        .add(
            String.format(
                Locale.ROOT,
                "state directory after close (RocksDB, all tasks): %,d bytes = %.0f B/host; by"
                    + " store %s",
                total,
                total / (double) hosts,
                byStore));
    c.progress().say("reading the hosts changelog");
    long[] live =
        changelogLiveBytes(
            c.bootstrap(), c.appId() + "-" + LedgerTopology.HOSTS_STORE + "-changelog");
    c.report()
        .add(
            String.format(
                Locale.ROOT,
                "hosts store, live key+value bytes from its changelog: %,d keys, %,d bytes = %.0f"
                    + " B/host (changelog records read: %,d)",
                live[0],
                live[1],
                live[1] / (double) Math.max(1, live[0]),
                live[2]));
  }

  /** Keys, live bytes (latest key+value per key) and records of a changelog topic. */
  private static long[] changelogLiveBytes(String bootstrap, String topic) {
    Properties p = KafkaConnection.fromEnvironment(bootstrap).properties();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    Map<String, Integer> sizes = new HashMap<>();
    long records = 0;
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      c.partitionsFor(topic).forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> ends = c.endOffsets(tps);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline
          && tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          records++;
          String k = new String(r.key(), StandardCharsets.UTF_8);
          if (r.value() == null) {
            sizes.remove(k);
          } else {
            sizes.put(k, r.key().length + r.value().length);
          }
        }
      }
    }
    long bytes = sizes.values().stream().mapToLong(Integer::longValue).sum();
    return new long[] {sizes.size(), bytes, records};
  }
}
