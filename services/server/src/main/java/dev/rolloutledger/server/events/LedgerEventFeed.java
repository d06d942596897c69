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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
 *
 * <p>A reader that fails (the broker away, a poll refused) is closed and opened again after a
 * backoff ({@link #FIRST_BACKOFF} doubling to {@link #MAX_BACKOFF}), at the positions the failed
 * one had reached: events are late, none is lost. Its {@link #state()} ({@code following}, {@code
 * restarting}, {@code stopped}) is sent to every subscriber when it changes (event {@code feed}),
 * and with {@code hello} and each {@code ping}, so a page does not say "live" while nothing comes.
 */
public final class LedgerEventFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerEventFeed.class);
  static final Duration POLL = Duration.ofMillis(500);
  static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /** A ledger entry committed for a tenant's rollout. */
  @Serdeable
  public record DecisionEvent(String tenant, String rollout, LedgerEntryView entry) {}

  /** A point of a rollout's evidence path. */
  @Serdeable
  public record EvidenceEvent(String tenant, String rollout, PointView point) {}

  /** The reader's state changed: {@code following}, {@code restarting} or {@code stopped}. */
  @Serdeable
  public record FeedEvent(String state) {}

  /** One event for a subscriber: its SSE name ({@code decision}, {@code evidence}) and body. */
  public record LedgerEvent(String name, Object body) {}

  /** Whether the reader follows the topics: what {@code feed}, {@code hello} and pings report. */
  public enum State {
    /** Reading: events arrive within a poll of their commit. */
    FOLLOWING,
    /** The reader failed and is opened again after a backoff: events are late. */
    RESTARTING,
    /** Closed (the server stops): no event comes. */
    STOPPED;

    /** The name clients see. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A subscription; closing it stops the events. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /** Makes the reader's consumer: a new one after each failure. */
  @FunctionalInterface
  interface ConsumerFactory {
    org.apache.kafka.clients.consumer.Consumer<String, byte[]> create();
  }

  private final ConsumerFactory factory;
  private final Deserializer<SpecificRecord> decisions;
  private final Deserializer<EvidenceSnapshot> evidence;
  private final Duration firstBackoff;
  private final Map<String, List<Consumer<LedgerEvent>>> byTenant = new ConcurrentHashMap<>();

  /** Where the reader goes on from, per partition: the next offset to read. */
  private final Map<TopicPartition, Long> positions = new HashMap<>();

  private final Thread follower;
  private volatile org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;
  private volatile State state = State.FOLLOWING;
  private volatile boolean running = true;

  public LedgerEventFeed(KafkaConnection kafka, SchemaRegistry registry) {
    this(
        () -> {
          Properties c = kafka.properties();
          c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
          c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
          c.put(ConsumerConfig.CLIENT_ID_CONFIG, "ledger-event-feed");
          return new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        },
        Topics.LEDGER.valueSerde(registry).deserializer(),
        Topics.EVIDENCE.valueSerde(registry).deserializer(),
        FIRST_BACKOFF);
  }

  /**
   * The reader's first consumer is opened here (a failure fails the server's start, as before),
   * positioned at the ends: what is committed after the constructor returns is seen.
   */
  LedgerEventFeed(
      ConsumerFactory factory,
      Deserializer<SpecificRecord> decisions,
      Deserializer<EvidenceSnapshot> evidence,
      Duration firstBackoff) {
    this.factory = factory;
    this.decisions = decisions;
    this.evidence = evidence;
    this.firstBackoff = firstBackoff;
    this.consumer = open();
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

  /** Whether the reader follows the topics now. */
  public State state() {
    return state;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    org.apache.kafka.clients.consumer.Consumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    follower.interrupt(); // out of a backoff
    follower.join(10_000);
  }

  /**
   * A consumer assigned every partition of both topics, at the position the last reader reached (a
   * partition it never had: at its end), every position resolved before it returns.
   */
  private org.apache.kafka.clients.consumer.Consumer<String, byte[]> open() {
    org.apache.kafka.clients.consumer.Consumer<String, byte[]> c = factory.create();
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(Topics.LEDGER.name(), Topics.EVIDENCE.name())) {
        c.partitionsFor(topic, Duration.ofSeconds(30))
            .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
      c.assign(partitions);
      List<TopicPartition> fresh = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        Long at = positions.get(tp);
        if (at == null) {
          fresh.add(tp);
        } else {
          c.seek(tp, at);
        }
      }
      c.seekToEnd(fresh);
      // resolve the end now, so that what is committed after this returns is seen
      for (TopicPartition tp : partitions) {
        positions.put(tp, c.position(tp));
      }
      return c;
    } catch (RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  private void follow() {
    int failures = 0;
    try {
      while (running) {
        try {
          if (consumer == null) {
            consumer = open();
            LOG.info("following the decisions for live updates again");
          }
          setState(State.FOLLOWING);
          while (running) {
            ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
            // a poll that answered, not only a consumer that opened, ends the backoff: one that
            // fails at every poll (an authorisation error) waits longer and longer
            failures = 0;
            for (ConsumerRecord<String, byte[]> r : records) {
              dispatchOne(r);
              positions.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
            }
          }
        } catch (WakeupException e) {
          // close() asked us to stop (running is false), or a stray wakeup: poll again
        } catch (RuntimeException e) {
          failures++;
          Duration wait = backoff(failures);
          LOG.error(
              "stopped following the decisions for live updates: {}; restarting in {} ms",
              e.toString(),
              wait.toMillis());
          setState(State.RESTARTING);
          closeQuietly(consumer);
          consumer = null;
          pause(wait);
        }
      }
    } finally {
      closeQuietly(consumer);
      consumer = null;
      setState(State.STOPPED);
    }
  }

  /** {@link #firstBackoff} doubled per failure in a row, at most {@link #MAX_BACKOFF}. */
  Duration backoff(int failures) {
    long millis = firstBackoff.toMillis() << Math.min(failures - 1, 16);
    return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
  }

  private void pause(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private static void closeQuietly(org.apache.kafka.clients.consumer.Consumer<String, byte[]> c) {
    if (c == null) {
      return;
    }
    try {
      c.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      LOG.debug("closing the live feed's consumer: {}", e.toString());
    }
  }

  private void setState(State next) {
    if (state == next) {
      return;
    }
    state = next;
    LedgerEvent event = new LedgerEvent("feed", new FeedEvent(next.label()));
    for (List<Consumer<LedgerEvent>> subscribers : byTenant.values()) {
      deliver(subscribers, event);
    }
  }

  private void dispatchOne(ConsumerRecord<String, byte[]> r) {
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
      deliver(subscribers, event);
    }
  }

  private static void deliver(List<Consumer<LedgerEvent>> subscribers, LedgerEvent event) {
    for (Consumer<LedgerEvent> s : subscribers) {
      s.accept(event);
    }
  }
}
