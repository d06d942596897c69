package dev.rolloutledger.reliability;

import dev.rolloutledger.avro.Apply;
import dev.rolloutledger.avro.HostRegistered;
import dev.rolloutledger.avro.RolloutCompleted;
import dev.rolloutledger.avro.RolloutHalted;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the simulated hosts and the driver see while the run goes on, read as an agent would ({@code
 * read_committed}, from the beginning): each Apply is handed to {@code onApply} (the host then
 * reports), and each rollout's end is remembered.
 */
public final class Outputs implements AutoCloseable {
  private final Map<String, String> ends = new ConcurrentHashMap<>();
  private final Set<String> registered = ConcurrentHashMap.newKeySet();
  private final Set<String> heard = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean closed;
  private volatile Throwable failure;

  public Outputs(String bootstrap, SchemaRegistry registry, Consumer<Apply> onApply) {
    KafkaConsumer<String, byte[]> consumer = consumer(bootstrap);
    List<TopicPartition> tps = new ArrayList<>();
    for (String topic :
        List.of(Topics.COMMANDS.name(), Topics.LEDGER.name(), Topics.INPUTS.name())) {
      consumer.partitionsFor(topic).forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
    }
    consumer.assign(tps);
    consumer.seekToBeginning(tps);
    Deserializer<SpecificRecord> commands = Topics.COMMANDS.valueSerde(registry).deserializer();
    Deserializer<SpecificRecord> decisions = Topics.LEDGER.valueSerde(registry).deserializer();
    Deserializer<SpecificRecord> inputs = Topics.INPUTS.valueSerde(registry).deserializer();
    thread =
        new Thread(
            () -> {
              try (consumer) {
                while (!closed) {
                  for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.topic().equals(Topics.INPUTS.name())) {
                      SpecificRecord v = inputs.deserialize(r.topic(), r.value());
                      if (v instanceof HostRegistered h) {
                        registered.add(h.getTenant() + "/" + h.getHost());
                      } else if (v instanceof dev.rolloutledger.avro.Heartbeat b) {
                        heard.add(b.getTenant() + "/" + b.getHost()); // a first sight, or news
                      }
                    } else if (r.topic().equals(Topics.COMMANDS.name())) {
                      SpecificRecord v = commands.deserialize(r.topic(), r.value());
                      if (v instanceof Apply apply) {
                        onApply.accept(apply);
                      }
                    } else {
                      SpecificRecord v = decisions.deserialize(r.topic(), r.value());
                      if (v instanceof RolloutCompleted || v instanceof RolloutHalted) {
                        ends.putIfAbsent(r.key(), v.getClass().getSimpleName());
                      }
                    }
                  }
                }
              } catch (RuntimeException | Error e) {
                failure = e;
              }
            },
            "reliability-outputs");
    thread.setDaemon(true);
    thread.start();
  }

  static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
    Properties p = KafkaConnection.plaintext(bootstrap).properties();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        Integer.toString(Topics.MAX_LEDGER_ENTRY_BYTES));
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** {@code RolloutCompleted} or {@code RolloutHalted} once read for {@code tenant/rollout}. */
  public String endOf(String key) {
    if (failure != null) {
      throw new IllegalStateException("the outputs reader failed", failure);
    }
    return ends.get(key);
  }

  /**
   * Whether the engine of {@code tenant} has taken the registration of {@code host} (it is on the
   * input journal, so every later input of that tenant is decided after it).
   */
  public boolean registered(String tenant, String host) {
    return registered.contains(tenant + "/" + host);
  }

  /**
   * Whether a heartbeat of the host reached the input journal (the host stage forwards a host's
   * first one): the engine can reach it, and a plan sends it the Apply (journals of version 5).
   */
  public boolean heard(String tenant, String host) {
    return heard.contains(tenant + "/" + host);
  }

  @Override
  public void close() {
    closed = true;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
