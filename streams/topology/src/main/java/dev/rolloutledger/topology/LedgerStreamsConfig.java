package dev.rolloutledger.topology;

import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
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
   * The exactly_once_v2 transaction timeout: 10 s, Streams' own default for exactly-once. It is how
   * long read_committed readers of a dead instance's partitions (the survivor restoring its stores
   * and reading the journal, the command feed, ledger reads) wait before the broker aborts the
   * transaction the dead instance left open: with the group's 6 s session timeout, a survivor
   * decides a killed instance's tenants 13.5 s after a SIGKILL (FailoverIT; the issue asks for 30
   * s). Brokers look for timed-out transactions every {@code
   * transaction.abort.timed.out.transaction.cleanup.interval.ms} (10 s by default; lower it on your
   * cluster for a faster failover). No input writes a whole fleet in one transaction any more (ADR
   * 0007): a plan binds its hosts and a halt sends its commands in chunks of 5,000, each its own
   * transaction. What is left unbounded is reading: the first input of a tenant after a restart
   * builds its fleet index from the hosts store, and a plan sizes its waves from every free host
   * (about 1 to 3 s at 1,000,000 hosts on our 2 shared cores), a threefold margin. A transaction
   * that outlives it is aborted and its inputs processed again: slower, never wrong. It was 30 s,
   * and 5 minutes when planning and halting a million hosts took one transaction of 25 to 89 s.
   */
  public static final int TRANSACTION_TIMEOUT_MS = 10_000;

  public static Properties properties(
      String applicationId,
      String bootstrapServers,
      String stateDir,
      SchemaRegistry registry,
      Map<String, ?> overrides) {
    return properties(
        applicationId, KafkaConnection.plaintext(bootstrapServers), stateDir, registry, overrides);
  }

  /**
   * As above, on a cluster that needs client settings (SASL, TLS): they apply to every client the
   * Streams app makes (its producers, consumers, admin).
   */
  public static Properties properties(
      String applicationId,
      KafkaConnection kafka,
      String stateDir,
      SchemaRegistry registry,
      Map<String, ?> overrides) {
    Properties p = kafka.properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
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
    p.putAll(overrides);
    return p;
  }
}
