package dev.rolloutledger.topology;

import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams settings the ledger runs with; callers may override any of them. */
public final class LedgerStreamsConfig {
  private LedgerStreamsConfig() {}

  /**
   * The exactly_once_v2 transaction timeout: 5 minutes instead of Streams' 10 s. One input may
   * write a tenant's whole fleet in one transaction: planning binds every host (a million host
   * records and their changelog, and a WaveStarted listing them), a halt sends a signed Hold to
   * every host of the rollout. At 1,000,000 hosts on our 2 shared cores (load-tests/RESULTS.md,
   * "Design change 2") planning committed after 25 s and a halt after 89 s, so 10 s fenced the task
   * in a loop and no halt of more than about 10,000 hosts could ever commit; 5 minutes is 3x the
   * slowest. The cost: if an instance dies mid-transaction and does not come back, readers of its
   * partitions (read_committed: the command feed, ledger reads) wait up to this long before the
   * broker aborts it; an instance restarted on the same state directory fences it at once. Must
   * stay under the broker's transaction.max.timeout.ms (15 min by default). A single input is also
   * bounded by the consumer's max.poll.interval.ms, set to the same value.
   */
  public static final int TRANSACTION_TIMEOUT_MS = 300_000;

  public static Properties properties(
      String applicationId,
      String bootstrapServers,
      String stateDir,
      SchemaRegistry registry,
      Map<String, ?> overrides) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterHandlers.Deserialization.class);
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterHandlers.Processing.class);
    p.put(DeadLetterHandlers.REGISTRY_CONFIG, registry);
    // num.stream.threads stays at Streams' default (1). The host stage has a task per telemetry
    // partition (ADR 0007), so a large fleet gains from one thread per core
    // (kafka.streams.default.num.stream.threads; FleetLoad sets it). But with several threads,
    // registrations and a plan sent together reach the journal in a less predictable order, and a
    // plan decided before its hosts completes empty.
    // max.task.idle.ms stays at its default (0): the host stage takes heartbeats and ticks in
    // timestamp order, so after a restart the ticks of its backlog do not run ahead of the
    // heartbeats of the same seconds and report live hosts silent (ADR 0007). -1 would save the
    // string formatting of KAFKA-19682 at that price.
    // decisions become visible to read_committed consumers at each commit
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    // a restarted instance rejoins in seconds, not after the default 45 s session timeout
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
    // A WaveStarted lists every host of its wave: up to Topics.MAX_LEDGER_ENTRY_BYTES, beyond the
    // producer's 1 MB default; the buffer must hold the largest record plus what is in flight.
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        Topics.MAX_LEDGER_ENTRY_BYTES);
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG),
        2L * Topics.MAX_LEDGER_ENTRY_BYTES);
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
        TRANSACTION_TIMEOUT_MS);
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
        TRANSACTION_TIMEOUT_MS);
    p.putAll(overrides);
    return p;
  }
}
