package dev.rolloutledger.topology;

import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams settings the ledger runs with; callers may override any of them. */
public final class LedgerStreamsConfig {
  private LedgerStreamsConfig() {}

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
    // decisions become visible to read_committed consumers at each commit
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    // a restarted instance rejoins in seconds, not after the default 45 s session timeout
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
    p.putAll(overrides);
    return p;
  }
}
