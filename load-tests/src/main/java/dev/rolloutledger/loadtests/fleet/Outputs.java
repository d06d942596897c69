package dev.rolloutledger.loadtests.fleet;

import dev.rolloutledger.avro.Hold;
import dev.rolloutledger.avro.Rollback;
import dev.rolloutledger.avro.RolloutHalted;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Watches what the outside world can read, as a host agent and an auditor would: {@code
 * ledger.commands} and {@code ledger.decisions} with {@code isolation.level=read_committed}, from
 * their current end. Records the first Hold (or Rollback) and the first RolloutHalted of each
 * tenant whose id starts with {@code prefix}, with {@link System#nanoTime()} when it was read, and
 * the first entry of each type under each key ({@code tenant/rollout}) on {@code ledger.decisions}.
 */
public final class Outputs implements AutoCloseable {
  private final Map<String, Long> firstHold = new ConcurrentHashMap<>();
  private final Map<String, Long> firstHalt = new ConcurrentHashMap<>();
  private final Map<String, Long> firstEntry = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean closed;

  public Outputs(String bootstrap, SchemaRegistry registry, String prefix) {
    this(bootstrap, registry, prefix, true);
  }

  /**
   * As above; with {@code readCommands} false only {@code ledger.decisions} is read (a halt's Holds
   * are then not decoded here).
   */
  public Outputs(String bootstrap, SchemaRegistry registry, String prefix, boolean readCommands) {
    Properties p = KafkaConnection.fromEnvironment(bootstrap).properties();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> tps = new ArrayList<>();
    for (String topic :
        readCommands
            ? List.of(Topics.COMMANDS.name(), Topics.LEDGER.name())
            : List.of(Topics.LEDGER.name())) {
      consumer.partitionsFor(topic).forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
    }
    consumer.assign(tps);
    consumer.seekToEnd(tps);
    tps.forEach(consumer::position); // resolve the end now, before any probe is sent
    Deserializer<SpecificRecord> commands = Topics.COMMANDS.valueSerde(registry).deserializer();
    Deserializer<SpecificRecord> decisions = Topics.LEDGER.valueSerde(registry).deserializer();
    thread =
        new Thread(
            () -> {
              try (consumer) {
                while (!closed) {
                  for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    long at = System.nanoTime();
                    if (r.key() == null || !r.key().startsWith(prefix)) {
                      continue;
                    }
                    String tenant = Keys.tenantOf(r.key());
                    if (r.topic().equals(Topics.COMMANDS.name())) {
                      SpecificRecord v = commands.deserialize(r.topic(), r.value());
                      if (v instanceof Hold || v instanceof Rollback) {
                        firstHold.putIfAbsent(tenant, at);
                      }
                    } else {
                      SpecificRecord v = decisions.deserialize(r.topic(), r.value());
                      firstEntry.putIfAbsent(entryKey(r.key(), v.getClass()), at);
                      if (v instanceof RolloutHalted) {
                        firstHalt.putIfAbsent(tenant, at);
                      }
                    }
                  }
                }
              }
            },
            "outputs-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  /** When the first Hold/Rollback of {@code tenant} was read, or null. */
  public Long holdReadAt(String tenant) {
    return firstHold.get(tenant);
  }

  /** When the RolloutHalted of {@code tenant} was read, or null. */
  public Long haltReadAt(String tenant) {
    return firstHalt.get(tenant);
  }

  /** When the first entry of {@code type} under {@code key} (tenant/rollout) was read, or null. */
  public Long entryReadAt(String key, Class<? extends SpecificRecord> type) {
    return firstEntry.get(entryKey(key, type));
  }

  private static String entryKey(String key, Class<?> type) {
    return key + " " + type.getSimpleName();
  }

  @Override
  public void close() {
    closed = true;
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
