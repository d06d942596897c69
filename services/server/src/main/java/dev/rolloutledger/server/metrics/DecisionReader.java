package dev.rolloutledger.server.metrics;

import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.LedgerSettings;
import dev.rolloutledger.server.kafka.KafkaBeans.InstalledTopics;
import dev.rolloutledger.topology.LedgerTopology;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what the topology committed: ledger entries ({@code ledger_decisions_total}, {@code
 * ledger_halts_total}, {@code ledger_decision_latency_seconds}) and dead letters ({@code
 * ledger_dead_letters_total}). It reads {@code ledger.decisions} and {@code ledger.dead-letters}
 * with read_committed in the consumer group {@code <application id>-metrics}: each instance counts
 * the partitions it is assigned, so the sum over the instances is the deployment's count, and a
 * restarted group goes on from its committed offsets.
 *
 * <p>The latency is measured for live entries only: what was already on a partition when it was
 * assigned (a restart's backlog, history) is counted but not timed, or every restart would look
 * like a decision taking minutes.
 */
@Context
@Requires(property = "ledger.metrics.enabled", notEquals = "false")
public class DecisionReader implements ConsumerRebalanceListener {
  private static final Logger LOG = LoggerFactory.getLogger(DecisionReader.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final LedgerMeters meters;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaClientMetrics clientMetrics;
  private final Deserializer<SpecificRecord> entries;
  private final Deserializer<DeadLetter> letters;
  private final Clock clock = Clock.systemUTC();
  private final Thread thread;
  private final Map<TopicPartition, Long> liveFrom = new ConcurrentHashMap<>();
  private volatile boolean running = true;
  private volatile boolean assigned;

  public DecisionReader(
      LedgerSettings settings,
      InstalledTopics topics,
      SchemaRegistry registry,
      LedgerMeters meters) {
    this.meters = meters;
    this.entries = Topics.LEDGER.valueSerde(registry).deserializer();
    this.letters = Topics.DEAD_LETTERS.valueSerde(registry).deserializer();
    Properties p = topics.kafka().properties();
    String group = groupId(settings.getStreams().getApplicationId());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, group);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // a new group starts at the end: the counters count from the first start on
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true");
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.clientMetrics = new KafkaClientMetrics(consumer);
    clientMetrics.bindTo(meters.registry());
    this.thread = new Thread(this::run, "ledger-metrics-reader");
    thread.setDaemon(true);
    thread.start();
  }

  /** The consumer group: the closed broker allows groups prefixed by the application id. */
  public static String groupId(String applicationId) {
    return applicationId + "-metrics";
  }

  /** Whether the group has assigned this instance its partitions at least once. */
  public boolean assigned() {
    return assigned;
  }

  private void run() {
    try {
      consumer.subscribe(List.of(Topics.LEDGER.name(), Topics.DEAD_LETTERS.name()), this);
      while (running) {
        try {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
            count(r);
          }
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // the broker away, a rebalance failing: metrics wait, the server goes on
          LOG.warn("metrics reader: {}; polling again", e.toString());
          pause();
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void count(ConsumerRecord<String, byte[]> r) {
    try {
      if (r.topic().equals(Topics.DEAD_LETTERS.name())) {
        DeadLetter letter = letters.deserialize(r.topic(), r.headers(), r.value());
        meters.deadLetter(
            MetricLabels.deadLetterSource(letter.getSourceTopic()),
            MetricLabels.deadLetterReason(letter.getReason()));
        return;
      }
      SpecificRecord entry = entries.deserialize(r.topic(), r.headers(), r.value());
      String type = entry.getSchema().getName();
      String tenant = String.valueOf(((GenericRecord) entry).get("tenant"));
      meters.decision(tenant, type);
      if (entry instanceof dev.rolloutledger.avro.RolloutHalted halted) {
        meters.halt(tenant, MetricLabels.haltReason(halted.getReason(), evidence(halted)));
      }
      Long live = liveFrom.get(new TopicPartition(r.topic(), r.partition()));
      Header input = r.headers().lastHeader(LedgerTopology.INPUT_TIMESTAMP_HEADER);
      if (input != null && live != null && r.offset() >= live) {
        long at = Long.parseLong(new String(input.value(), StandardCharsets.US_ASCII));
        meters.latency(Duration.between(Instant.ofEpochMilli(at), clock.instant()));
      }
    } catch (RuntimeException e) {
      // a record we cannot read is not counted; its coordinates say which (never its content)
      LOG.warn(
          "metrics reader: skipping {}/{}/{}: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.getClass().getSimpleName());
    }
  }

  private static Map<String, String> evidence(dev.rolloutledger.avro.RolloutHalted halted) {
    Map<String, String> out = new HashMap<>();
    halted.getEvidence().forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    return out;
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    // what was on the partitions at assignment is backlog: counted, not timed
    consumer.endOffsets(partitions).forEach(liveFrom::put);
    assigned = true;
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    partitions.forEach(liveFrom::remove);
  }

  private void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @PreDestroy
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(Duration.ofSeconds(10).toMillis());
    clientMetrics.close();
  }
}
