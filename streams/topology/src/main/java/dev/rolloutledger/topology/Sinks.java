package dev.rolloutledger.topology;

import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The topics the processors write to, each with the serializer its sink uses and the largest record
 * it takes: a processor checks every output of an input here before it writes any state
 * (docs/failures.md). An output that does not serialize because of its content, or that is larger
 * than the producer's {@code max.request.size} or its topic's {@code max.message.bytes}, throws
 * {@link Failures.OutputRefusedException} (the input is dead-lettered); a registry that cannot be
 * used throws its own error (a fault). Thread-safe: commands are checked as they are signed, on
 * every core.
 */
final class Sinks {
  /** Kafka's broker default {@code message.max.bytes}, for a topic that declares no limit. */
  static final int BROKER_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

  /** The producer's default {@code max.request.size}. */
  static final int PRODUCER_DEFAULT_MAX_REQUEST_SIZE = 1 << 20;

  /**
   * Bytes a record takes in a batch of one besides its key, value and headers: the batch header
   * (61) and a record's largest overhead (21), rounded up.
   */
  static final int RECORD_OVERHEAD = 128;

  /** Where an output goes. */
  enum Sink {
    LEDGER(Topics.LEDGER),
    COMMANDS(Topics.COMMANDS),
    JOURNAL(Topics.INPUTS),
    HOST_WATCH(Topics.HOST_WATCH),
    EVIDENCE(Topics.EVIDENCE),
    DEAD_LETTERS(Topics.DEAD_LETTERS);

    final TopicDescriptor<String, ? extends SpecificRecord> topic;

    Sink(TopicDescriptor<String, ? extends SpecificRecord> topic) {
      this.topic = topic;
    }
  }

  private final Map<Sink, Serializer<SpecificRecord>> serializers = new EnumMap<>(Sink.class);
  private final Map<Sink, Integer> limits = new EnumMap<>(Sink.class);

  Sinks(SchemaRegistry registry, Map<String, Object> appConfigs) {
    int producerLimit = producerMaxRequestSize(appConfigs);
    for (Sink sink : Sink.values()) {
      @SuppressWarnings("unchecked")
      TopicDescriptor<String, SpecificRecord> t =
          (TopicDescriptor<String, SpecificRecord>) sink.topic;
      serializers.put(sink, t.valueSerde(registry).serializer());
      String declared = t.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      int topicLimit =
          declared == null ? BROKER_DEFAULT_MAX_MESSAGE_BYTES : Integer.parseInt(declared);
      limits.put(sink, Math.min(producerLimit, topicLimit));
    }
  }

  /**
   * The sinks of a processor: the registry is the one the error handlers use ({@link
   * DeadLetterHandlers#REGISTRY_CONFIG}, set by {@link LedgerStreamsConfig}), the producer limit
   * the app's.
   */
  static Sinks of(Map<String, Object> appConfigs) {
    Object registry = appConfigs.get(DeadLetterHandlers.REGISTRY_CONFIG);
    if (!(registry instanceof SchemaRegistry r)) {
      throw new IllegalStateException(
          DeadLetterHandlers.REGISTRY_CONFIG
              + " must hold the SchemaRegistry instance (LedgerStreamsConfig.properties sets it)");
    }
    return new Sinks(r, appConfigs);
  }

  static int producerMaxRequestSize(Map<String, Object> appConfigs) {
    Object v = appConfigs.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
    if (v == null) {
      v = appConfigs.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    }
    return v == null ? PRODUCER_DEFAULT_MAX_REQUEST_SIZE : Integer.parseInt(v.toString().strip());
  }

  /** The largest record {@code sink} takes, key, headers and overhead included. */
  int limit(Sink sink) {
    return limits.get(sink);
  }

  /**
   * Serializes {@code value} as the sink will and checks the record's size; returns the value's
   * size in bytes.
   */
  int check(Sink sink, String key, SpecificRecord value, Headers headers) {
    byte[] bytes;
    try {
      bytes = serializers.get(sink).serialize(sink.topic.name(), value);
    } catch (RuntimeException e) {
      if (!Failures.isRefusal(e)) {
        throw e;
      }
      throw new Failures.OutputRefusedException(
          "its "
              + value.getClass().getSimpleName()
              + " for "
              + sink.topic.name()
              + " does not serialize: "
              + e.getMessage(),
          e);
    }
    int size = RECORD_OVERHEAD + bytes.length + utf8Length(key);
    if (headers != null) {
      for (Header h : headers) {
        size += 10 + utf8Length(h.key()) + (h.value() == null ? 0 : h.value().length);
      }
    }
    int limit = limits.get(sink);
    if (size > limit) {
      throw new Failures.OutputRefusedException(
          "its "
              + value.getClass().getSimpleName()
              + " for "
              + sink.topic.name()
              + " would be a record of "
              + size
              + " bytes, over the "
              + limit
              + " bytes the topic and the producer take",
          null);
    }
    return bytes.length;
  }

  private static int utf8Length(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }
}
