package dev.rolloutledger.server.notify;

import dev.rolloutledger.avro.NotificationSettings;
import dev.rolloutledger.avro.NotificationWebhook;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.kafka.EventPublisher;
import dev.rolloutledger.server.kafka.EventPublisher.PublishFailedException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every tenant's webhooks, durable in the compacted topic {@link Topics#NOTIFICATIONS} (key tenant,
 * the latest record is the whole list) and held in memory by every instance, as the tokens are
 * (TokenStore): read to the end at start, then followed on a thread of its own, so a change made on
 * one instance reaches the notifier wherever the tenant's partition is handled. A change is
 * answered once it has been read back here.
 */
public final class NotificationStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationStore.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** A tenant's webhooks as last set, when and by whom. */
  public record Settings(List<Webhook> webhooks, Instant updatedAt, String by) {
    public Settings {
      webhooks = List.copyOf(webhooks);
    }
  }

  private final TopicPartition partition = new TopicPartition(Topics.NOTIFICATIONS.name(), 0);
  private final Map<String, Settings> byTenant = new ConcurrentHashMap<>();
  private final KafkaProducer<String, NotificationSettings> producer;
  private final KafkaConsumer<String, NotificationSettings> consumer;
  private final Thread follower;
  private volatile boolean running = true;
  private long position; // guarded by this: the offset up to which byTenant is current

  public NotificationStore(KafkaConnection kafka, SchemaRegistry registry) {
    var serde = Topics.NOTIFICATIONS.valueSerde(registry);
    this.producer =
        new KafkaProducer<>(
            EventPublisher.acknowledgedWrites(kafka, "ledger-notifications-writer"),
            new StringSerializer(),
            serde.serializer());
    Properties c = kafka.properties();
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "ledger-notifications-reader");
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), serde.deserializer());
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    long end = consumer.endOffsets(List.of(partition), TIMEOUT).getOrDefault(partition, 0L);
    while (consumer.position(partition, TIMEOUT) < end) {
      applyPolled();
    }
    this.follower = new Thread(this::follow, "ledger-notifications-follower");
    follower.setDaemon(true);
    follower.start();
  }

  public Optional<Settings> settings(String tenant) {
    return Optional.ofNullable(byTenant.get(tenant));
  }

  /** The tenant's webhooks; none when it has set none. */
  public List<Webhook> webhooks(String tenant) {
    Settings s = byTenant.get(tenant);
    return s == null ? List.of() : s.webhooks();
  }

  /** Replaces the tenant's webhooks; they are in force here once this returns. */
  public void put(String tenant, Settings settings) {
    long offset;
    try {
      offset =
          producer
              .send(new ProducerRecord<>(partition.topic(), 0, tenant, toAvro(tenant, settings)))
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .offset();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishFailedException("interrupted while writing notifications", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new PublishFailedException(
          "Kafka did not acknowledge the notifications: " + e.getMessage(), e);
    }
    awaitReadBack(offset);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    follower.join(TIMEOUT.toMillis());
    producer.close(Duration.ofSeconds(5));
  }

  private void follow() {
    try {
      while (running) {
        applyPolled();
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } catch (RuntimeException e) {
      LOG.error("stopped following {}; restart the server", partition.topic(), e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void applyPolled() {
    try {
      for (ConsumerRecord<String, NotificationSettings> r : consumer.poll(Duration.ofMillis(500))) {
        apply(r);
      }
    } catch (RecordDeserializationException e) {
      // one unreadable record must not stop every tenant's notifications
      LOG.warn("skipping an undecodable notifications record at offset {}", e.offset());
      consumer.seek(e.topicPartition(), e.offset() + 1);
    }
    long reached = consumer.position(partition, TIMEOUT);
    synchronized (this) {
      position = reached;
      notifyAll();
    }
  }

  private void apply(ConsumerRecord<String, NotificationSettings> r) {
    if (r.value() == null) {
      byTenant.remove(r.key());
      return;
    }
    try {
      byTenant.put(r.key(), fromAvro(r.value()));
    } catch (RuntimeException e) {
      LOG.warn("skipping unreadable notifications of {} at offset {}", r.key(), r.offset());
    }
  }

  private synchronized void awaitReadBack(long offset) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (position <= offset) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new PublishFailedException("notifications written but not read back yet", null);
      }
      try {
        wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PublishFailedException("interrupted while reading notifications back", e);
      }
    }
  }

  static NotificationSettings toAvro(String tenant, Settings s) {
    return NotificationSettings.newBuilder()
        .setTenant(tenant)
        .setWebhooks(
            s.webhooks().stream()
                .map(
                    w ->
                        NotificationWebhook.newBuilder()
                            .setName(w.name())
                            .setUrl(w.url().toString())
                            .setFormat(w.format().wire())
                            .setEvents(
                                w.events().stream().sorted().map(NotificationEvent::wire).toList())
                            .setSince(w.since())
                            .build())
                .toList())
        .setUpdatedAt(s.updatedAt())
        .setBy(s.by())
        .build();
  }

  static Settings fromAvro(NotificationSettings a) {
    List<Webhook> webhooks =
        a.getWebhooks().stream()
            .map(
                w -> {
                  EnumSet<NotificationEvent> events = EnumSet.noneOf(NotificationEvent.class);
                  // an event this version does not know (written by a newer one) is skipped
                  w.getEvents().forEach(e -> NotificationEvent.parse(e).ifPresent(events::add));
                  return new Webhook(
                      w.getName(),
                      URI.create(w.getUrl()),
                      WebhookFormat.parse(w.getFormat())
                          .orElseThrow(() -> new IllegalArgumentException("unknown format")),
                      events,
                      w.getSince());
                })
            .toList();
    return new Settings(webhooks, a.getUpdatedAt(), a.getBy());
  }
}
