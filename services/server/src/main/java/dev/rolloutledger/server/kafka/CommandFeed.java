package dev.rolloutledger.server.kafka;

import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.commands.CommandSignatures;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signed commands of {@link Topics#COMMANDS}, read by every server ({@code read_committed}, so
 * only commands of committed engine transactions) and held per host for the agents' long polls: any
 * instance answers any host. Each host keeps its latest {@link #KEEP_PER_HOST} commands that have
 * not expired (an agent refuses an expired one anyway), and a start reads back only one command
 * TTL: memory and start-up follow the commands of the last TTL, not the topic's week. An agent that
 * fell further behind gets the newest ones and acts on them across the gap in their seqs.
 *
 * <p>A poll that finds nothing newer than the agent's seq waits for the next command of that host
 * (or the end of its wait) without holding a thread.
 */
public final class CommandFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommandFeed.class);

  /** Commands kept per host: the newest, enough for every rollout step a poll can miss. */
  public static final int KEEP_PER_HOST = 32;

  private final KafkaConsumer<String, SpecificRecord> consumer;
  private final Map<String, Deque<CommandSignatures.Fields>> byHost = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> signals = new ConcurrentHashMap<>();
  private final Thread follower;
  private volatile boolean running = true;

  /**
   * @param commandTtl how long a command lives: the feed starts reading that far back, since every
   *     older command has expired and no agent would act on it
   */
  public CommandFeed(KafkaConnection kafka, SchemaRegistry registry, Duration commandTtl) {
    Properties c = kafka.properties();
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "ledger-command-feed");
    this.consumer =
        new KafkaConsumer<>(
            c, new StringDeserializer(), Topics.COMMANDS.valueSerde(registry).deserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    consumer
        .partitionsFor(Topics.COMMANDS.name(), Duration.ofSeconds(30))
        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    consumer.assign(partitions);
    long since = Instant.now().minus(commandTtl).toEpochMilli();
    Map<TopicPartition, Long> times = new java.util.HashMap<>();
    partitions.forEach(p -> times.put(p, since));
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
    consumer
        .offsetsForTimes(times, Duration.ofSeconds(30))
        .forEach((p, found) -> consumer.seek(p, found == null ? ends.get(p) : found.offset()));
    this.follower = new Thread(this::follow, "ledger-command-feed");
    follower.setDaemon(true);
    follower.start();
  }

  /** The host's commands with a seq above {@code afterSeq}, oldest first. */
  public List<CommandSignatures.Fields> after(String tenant, String host, long afterSeq) {
    Deque<CommandSignatures.Fields> kept = byHost.get(Keys.of(tenant, host));
    if (kept == null) {
      return List.of();
    }
    List<CommandSignatures.Fields> out = new ArrayList<>();
    synchronized (kept) {
      for (CommandSignatures.Fields f : kept) {
        if (f.seq() > afterSeq) {
          out.add(f);
        }
      }
    }
    return out;
  }

  /**
   * Completes with the host's commands above {@code afterSeq} as soon as there are any, or empty
   * after {@code wait}.
   */
  public CompletableFuture<List<CommandSignatures.Fields>> await(
      String tenant, String host, long afterSeq, Duration wait) {
    String key = Keys.of(tenant, host);
    List<CommandSignatures.Fields> now = after(tenant, host, afterSeq);
    if (!now.isEmpty() || wait.isZero()) {
      return CompletableFuture.completedFuture(now);
    }
    CompletableFuture<Void> signal = signals.computeIfAbsent(key, k -> new CompletableFuture<>());
    // a command may have arrived between the first look and the signal's creation
    List<CommandSignatures.Fields> again = after(tenant, host, afterSeq);
    if (!again.isEmpty()) {
      return CompletableFuture.completedFuture(again);
    }
    return signal
        .copy()
        .completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(ignored -> after(tenant, host, afterSeq));
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
        try {
          for (ConsumerRecord<String, SpecificRecord> r : consumer.poll(Duration.ofMillis(500))) {
            add(r);
          }
        } catch (RecordDeserializationException e) {
          LOG.warn(
              "skipping undecodable command at {} offset {}: {}",
              e.topicPartition(),
              e.offset(),
              e.getMessage());
          consumer.seek(e.topicPartition(), e.offset() + 1);
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } catch (RuntimeException e) {
      LOG.error("stopped following {}; agents get no new commands: restart", Topics.COMMANDS, e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void add(ConsumerRecord<String, SpecificRecord> r) {
    CommandSignatures.Fields f;
    try {
      f = CommandSignatures.fields(r.value());
    } catch (RuntimeException e) {
      LOG.warn(
          "skipping unreadable command at {}-{} offset {}", r.topic(), r.partition(), r.offset());
      return;
    }
    String key = Keys.of(f.tenant(), f.host());
    Deque<CommandSignatures.Fields> kept =
        byHost.computeIfAbsent(key, k -> new ArrayDeque<>(KEEP_PER_HOST));
    Instant now = Instant.now();
    synchronized (kept) {
      kept.addLast(f);
      // an expired command is refused by every agent: memory goes to the live ones
      while (kept.size() > KEEP_PER_HOST || kept.peekFirst().expiresAt().isBefore(now)) {
        kept.removeFirst();
        if (kept.isEmpty()) {
          break;
        }
      }
    }
    CompletableFuture<Void> signal = signals.remove(key);
    if (signal != null) {
      signal.complete(null);
    }
  }
}
