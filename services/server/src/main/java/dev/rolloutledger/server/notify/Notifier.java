package dev.rolloutledger.server.notify;

import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the committed decisions ({@link Topics#LEDGER}, {@code read_committed}) in the consumer
 * group {@code <application id>-notifier}, so each partition is handled by exactly one instance,
 * and hands each halt, promotion, completion and pause of a tenant to that tenant's webhooks that
 * want it ({@link Deliveries}). Outside the Streams topology: a decision is recorded whether or not
 * anyone hears of it, and a receiver never slows one down.
 *
 * <p>At least once: an offset is committed only past entries whose deliveries were all delivered or
 * given up, so a crash or a rebalance sends again what was in flight (receivers drop duplicates by
 * {@code X-Ledger-Delivery}) and loses nothing. A webhook is sent only the entries recorded (Kafka
 * timestamp) from the time a webhook of its name was configured: a group that starts from the
 * beginning of the topic does not replay history to it.
 *
 * <p>A failure of the consumer (anything {@code poll} or a commit throws but an undecodable entry)
 * does not end the notifier: it commits what is done, closes the consumer, waits (1 s, 2 s, 4 s ...
 * at most {@value #MAX_PAUSE_SECONDS} s) and starts a new one, which goes on from the committed
 * offsets. {@link #state()} says which ({@code ledger_notifier_running}, {@code /health}).
 */
public final class Notifier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

  static final long MAX_PAUSE_SECONDS = 60;

  /** What the notifier does now. */
  public enum State {
    /** Created, its consumer not subscribed yet. */
    STARTING,
    /** Reading the decisions and handing them to {@link Deliveries}. */
    RUNNING,
    /** Its consumer failed: waiting before a new one starts. */
    RETRYING,
    /** Closed. */
    STOPPED
  }

  /** Waits before a new consumer starts (real time, cut short by {@link #close()}). */
  interface Pause {
    void pause(Duration d) throws InterruptedException;
  }

  private final Supplier<Consumer<String, SpecificRecord>> consumers;
  private final Pause pause;
  private final Object stopping = new Object();
  private volatile Consumer<String, SpecificRecord> consumer;
  private volatile State state = State.STARTING;
  private volatile String lastFailure;
  private volatile int failures;
  private final NotificationStore store;
  private final Deliveries deliveries;
  private final Supplier<CommandSigningKey> signer;
  private final BiFunction<String, String, Optional<String>> releaseOf;
  private final Duration maxAge;
  private final Clock clock = Clock.systemUTC();
  private final Map<TopicPartition, PartitionProgress> progress = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param releaseOf the release of a tenant's rollout, when this instance can tell
   * @param maxAge an entry recorded longer ago than this is not sent (a group whose offsets were
   *     lost starts again from the beginning of the topic: no flood of old news)
   */
  public Notifier(
      KafkaConnection kafka,
      SchemaRegistry registry,
      String applicationId,
      NotificationStore store,
      Deliveries deliveries,
      Supplier<CommandSigningKey> signer,
      BiFunction<String, String, Optional<String>> releaseOf,
      Duration maxAge) {
    this(
        () -> consumer(kafka, registry, applicationId),
        store,
        deliveries,
        signer,
        releaseOf,
        maxAge,
        null);
  }

  /** With its consumers from {@code consumers} and {@code pause} (null: real time): for tests. */
  Notifier(
      Supplier<Consumer<String, SpecificRecord>> consumers,
      NotificationStore store,
      Deliveries deliveries,
      Supplier<CommandSigningKey> signer,
      BiFunction<String, String, Optional<String>> releaseOf,
      Duration maxAge,
      Pause pause) {
    this.consumers = consumers;
    this.maxAge = maxAge;
    this.store = store;
    this.deliveries = deliveries;
    this.signer = signer;
    this.releaseOf = releaseOf;
    this.pause = pause == null ? this::sleep : pause;
    this.thread = new Thread(this::run, "ledger-notifier");
    thread.setDaemon(true);
    thread.start();
  }

  private static Consumer<String, SpecificRecord> consumer(
      KafkaConnection kafka, SchemaRegistry registry, String applicationId) {
    Properties c = kafka.properties();
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupOf(applicationId));
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "ledger-notifier");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(
        c, new StringDeserializer(), Topics.LEDGER.valueSerde(registry).deserializer());
  }

  public State state() {
    return state;
  }

  /** When and why the consumer last failed (class and message, never a record); null if never. */
  public String lastFailure() {
    return lastFailure;
  }

  /** Failures since the notifier last ran steadily (the backoff's exponent). */
  public int failures() {
    return failures;
  }

  /** The consumer group: the closed broker lets the server use groups of its application id. */
  public static String groupOf(String applicationId) {
    return applicationId + "-notifier";
  }

  private void run() {
    try {
      loop();
    } finally {
      // also after an Error (out of memory, a class that failed to load): the gauge and /health
      // say it stopped instead of running
      state = State.STOPPED;
    }
  }

  private void loop() {
    while (running) {
      Instant started = clock.instant();
      try {
        session();
      } catch (WakeupException e) {
        // close() asked us to stop
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        if (Duration.between(started, clock.instant()).toSeconds() >= MAX_PAUSE_SECONDS) {
          failures = 0; // it ran steadily: a new failure starts the backoff again
        }
        failures++;
        Duration wait = pauseAfter(failures);
        lastFailure = clock.instant() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
        state = State.RETRYING;
        LOG.error(
            "the notifier's consumer failed ({} in a row); a new one starts in {} s and goes on from"
                + " the committed offsets",
            failures,
            wait.toSeconds(),
            e);
        try {
          pause.pause(wait);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
  }

  /** 1 s after the first failure, doubling, at most {@value #MAX_PAUSE_SECONDS} s. */
  static Duration pauseAfter(int failures) {
    return Duration.ofSeconds(Math.min(MAX_PAUSE_SECONDS, 1L << Math.min(failures - 1, 6)));
  }

  /** One consumer, from subscribing to closing: returns when the notifier stops, or throws. */
  private void session() {
    Consumer<String, SpecificRecord> c = consumers.get();
    consumer = c;
    try {
      c.subscribe(List.of(Topics.LEDGER.name()), new Rebalances());
      state = State.RUNNING;
      while (running) {
        poll();
        commitDone();
      }
    } finally {
      try {
        commitDone();
      } catch (RuntimeException e) {
        LOG.debug("last commit of the consumer failed: {}", e.toString());
      }
      // what was in flight is sent again by whoever reads the partition next: at least once
      progress.values().forEach(PartitionProgress::revoke);
      progress.clear();
      committed.clear();
      try {
        c.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.debug("closing the notifier's consumer: {}", e.toString());
      }
    }
  }

  private void sleep(Duration d) throws InterruptedException {
    long end = System.nanoTime() + d.toNanos();
    synchronized (stopping) {
      for (long left = d.toNanos(); running && left > 0; left = end - System.nanoTime()) {
        TimeUnit.NANOSECONDS.timedWait(stopping, left);
      }
    }
  }

  private void poll() {
    try {
      for (ConsumerRecord<String, SpecificRecord> r : consumer.poll(Duration.ofMillis(500))) {
        handle(r);
      }
    } catch (RecordDeserializationException e) {
      LOG.warn(
          "skipping an undecodable ledger entry at {} offset {}", e.topicPartition(), e.offset());
      progressOf(e.topicPartition()).read(e.offset(), 0);
      consumer.seek(e.topicPartition(), e.offset() + 1);
    }
  }

  private void handle(ConsumerRecord<String, SpecificRecord> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    PartitionProgress p = progressOf(tp);
    List<Delivery> out;
    try {
      Optional<NotificationEvent> event =
          r.value() == null ? Optional.empty() : NotificationEvent.of(r.value());
      out = event.isEmpty() ? List.of() : deliveriesOf(r, event.get(), p);
    } catch (RuntimeException e) {
      // a poison entry never stops the notifier; its offset says where it is
      LOG.warn("no notification for the entry at {} offset {}: {}", tp, r.offset(), e.toString());
      out = List.of();
    }
    p.read(r.offset(), out.size());
    out.forEach(deliveries::submit);
  }

  private List<Delivery> deliveriesOf(
      ConsumerRecord<String, SpecificRecord> r, NotificationEvent event, PartitionProgress p) {
    Instant recorded = Instant.ofEpochMilli(r.timestamp());
    String tenant = (String) r.value().get(r.value().getSchema().getField("tenant").pos());
    List<Webhook> wanting =
        wanting(store.webhooks(tenant), event, recorded, clock.instant().minus(maxAge));
    if (wanting.isEmpty()) {
      return List.of();
    }
    String rollout = (String) r.value().get(r.value().getSchema().getField("rollout").pos());
    Notice notice = Notice.of(r.value(), release(tenant, rollout)).orElseThrow();
    Map<WebhookFormat, byte[]> bodies = new LinkedHashMap<>();
    Map<WebhookFormat, NotificationSignature.Signed> signatures = new LinkedHashMap<>();
    CommandSigningKey key = signer.get();
    List<Delivery> out = new java.util.ArrayList<>();
    long offset = r.offset();
    for (Webhook w : wanting) {
      byte[] body = bodies.computeIfAbsent(w.format(), f -> NotificationBodies.body(f, notice));
      NotificationSignature.Signed signed =
          signatures.computeIfAbsent(w.format(), f -> NotificationSignature.sign(body, key));
      String id = String.join("/", tenant, rollout, Long.toString(notice.seq()), w.name());
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Content-Type", "application/json");
      headers.put("User-Agent", "rollout-ledger-notifier");
      headers.put(Delivery.DELIVERY_HEADER, id);
      headers.put(Delivery.EVENT_HEADER, event.wire());
      headers.put(NotificationSignature.KEY_ID_HEADER, signed.keyId());
      headers.put(NotificationSignature.SIGNATURE_HEADER, signed.signature());
      out.add(new Delivery(id, tenant, w, headers, body, p::revoked, () -> p.done(offset)));
    }
    return out;
  }

  /**
   * The webhooks that want {@code event}, recorded at {@code recorded}: configured by then, and the
   * entry not older than {@code oldest}.
   */
  static List<Webhook> wanting(
      List<Webhook> webhooks, NotificationEvent event, Instant recorded, Instant oldest) {
    if (recorded.isBefore(oldest)) {
      return List.of();
    }
    return webhooks.stream().filter(w -> w.wants(event) && !recorded.isBefore(w.since())).toList();
  }

  private String release(String tenant, String rollout) {
    try {
      return releaseOf.apply(tenant, rollout).orElse(null);
    } catch (RuntimeException e) {
      return null; // the stores are rebalancing or elsewhere: the body says release null
    }
  }

  private PartitionProgress progressOf(TopicPartition tp) {
    return progress.computeIfAbsent(tp, k -> new PartitionProgress());
  }

  /** Commits, for each partition, the first entry not done yet, when it moved. */
  private void commitDone() {
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    progress.forEach(
        (tp, p) -> {
          long at = p.committable();
          if (at >= 0 && !Long.valueOf(at).equals(committed.get(tp))) {
            commit.put(tp, new OffsetAndMetadata(at));
          }
        });
    if (commit.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(commit, Duration.ofSeconds(10));
      commit.forEach((tp, o) -> committed.put(tp, o.offset()));
    } catch (WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      // a rebalance is under way: the next owner starts from the last commit, at least once
      LOG.info("could not commit the notifier's offsets: {}", e.toString());
    }
  }

  private final class Rebalances implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      try {
        commitDone();
      } catch (KafkaException e) {
        LOG.info("could not commit before a rebalance: {}", e.toString());
      }
      drop(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      LOG.info("notifier handles {}", partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      drop(partitions);
    }

    private void drop(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        PartitionProgress p = progress.remove(tp);
        if (p != null) {
          p.revoke();
        }
        committed.remove(tp);
      }
    }
  }

  /** Stops reading; deliveries already queued are dropped before their next attempt. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    synchronized (stopping) {
      stopping.notifyAll();
    }
    Consumer<String, SpecificRecord> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    thread.join(15_000);
  }
}
