package dev.rolloutledger.server.events;

import dev.rolloutledger.avro.EvidenceSnapshot;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.api.EvidenceViews.PointView;
import dev.rolloutledger.server.api.Views.LedgerEntryView;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live side of the ledger for the dashboard's server-sent events ({@code GET
 * /api/v1/tenants/{t}/events}): every instance follows every partition of the decisions and the
 * evidence topics ({@code read_committed}: only what an engine transaction committed), from their
 * end when it starts, and hands each record to the subscribers of its tenant. So a browser on any
 * instance sees every tenant's decisions within a poll of their commit, whichever instance decided.
 * Nothing is kept: a client that reconnects reads the current state from the API first.
 */
public final class LedgerEventFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerEventFeed.class);

  /** A ledger entry committed for a tenant's rollout. */
  @Serdeable
  public record DecisionEvent(String tenant, String rollout, LedgerEntryView entry) {}

  /** A point of a rollout's evidence path. */
  @Serdeable
  public record EvidenceEvent(String tenant, String rollout, PointView point) {}

  /** One event for a subscriber: its SSE name ({@code decision}, {@code evidence}) and body. */
  public record LedgerEvent(String name, Object body) {}

  /** A subscription; closing it stops the events. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final Deserializer<SpecificRecord> decisions;
  private final Deserializer<EvidenceSnapshot> evidence;
  private final Map<String, List<Consumer<LedgerEvent>>> byTenant = new ConcurrentHashMap<>();
  private final Thread follower;
  private volatile boolean running = true;

  public LedgerEventFeed(KafkaConnection kafka, SchemaRegistry registry) {
    Properties c = kafka.properties();
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "ledger-event-feed");
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    this.decisions = Topics.LEDGER.valueSerde(registry).deserializer();
    this.evidence = Topics.EVIDENCE.valueSerde(registry).deserializer();
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(Topics.LEDGER.name(), Topics.EVIDENCE.name())) {
      consumer
          .partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    // resolve the end now, so that what is committed after the constructor returns is seen
    partitions.forEach(consumer::position);
    this.follower = new Thread(this::follow, "ledger-event-feed");
    follower.setDaemon(true);
    follower.start();
  }

  /** Hands {@code tenant}'s events to {@code subscriber}, on the feed's thread, until closed. */
  public Subscription subscribe(String tenant, Consumer<LedgerEvent> subscriber) {
    List<Consumer<LedgerEvent>> list =
        byTenant.computeIfAbsent(tenant, t -> new CopyOnWriteArrayList<>());
    list.add(subscriber);
    return () -> list.remove(subscriber);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    follower.join(10_000);
  }

  private void follow() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          try {
            dispatch(r);
          } catch (RuntimeException e) {
            // an unreadable record: the dashboard misses one update, it reads state on reconnect
            LOG.warn(
                "skipping unreadable record at {}-{} offset {}: {}",
                r.topic(),
                r.partition(),
                r.offset(),
                e.toString());
          }
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } catch (RuntimeException e) {
      LOG.error("stopped following the decisions for live updates: restart", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void dispatch(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null || byTenant.isEmpty()) {
      return;
    }
    LedgerEvent event;
    String tenant;
    if (r.topic().equals(Topics.EVIDENCE.name())) {
      EvidenceSnapshot point = evidence.deserialize(r.topic(), r.headers(), r.value());
      tenant = point.getTenant();
      event =
          new LedgerEvent(
              "evidence", new EvidenceEvent(tenant, point.getRollout(), PointView.of(point)));
    } else {
      SpecificRecord entry = decisions.deserialize(r.topic(), r.headers(), r.value());
      tenant = entry.get(entry.getSchema().getField("tenant").pos()).toString();
      String rollout = entry.get(entry.getSchema().getField("rollout").pos()).toString();
      event =
          new LedgerEvent(
              "decision", new DecisionEvent(tenant, rollout, LedgerEntryView.of(entry)));
    }
    List<Consumer<LedgerEvent>> subscribers = byTenant.get(tenant);
    if (subscribers != null) {
      for (Consumer<LedgerEvent> s : subscribers) {
        s.accept(event);
      }
    }
  }
}
