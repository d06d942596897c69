package dev.rolloutledger.loadtests.fleet;

import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** How the benchmark writes the input topics: the topic contract, one serializer per topic. */
public final class Inputs {
  private Inputs() {}

  /** One serializer for every input topic: each topic's own Confluent Avro serializer. */
  @SuppressWarnings("unchecked")
  public static Serializer<SpecificRecord> routingSerializer(SchemaRegistry registry) {
    Map<String, Serializer<SpecificRecord>> byTopic = new HashMap<>();
    for (TopicDescriptor<String, ?> t :
        List.of(
            Topics.HOSTS,
            Topics.RELEASES,
            Topics.ROLLOUT_CONTROL,
            Topics.TELEMETRY,
            Topics.CLOCK)) {
      byTopic.put(
          t.name(),
          (Serializer<SpecificRecord>) (Serializer<?>) t.valueSerde(registry).serializer());
    }
    return (topic, data) -> byTopic.get(topic).serialize(topic, data);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  public static void send(
      KafkaProducer<String, SpecificRecord> producer,
      TopicDescriptor<String, ?> topic,
      String key,
      SpecificRecord value) {
    producer.send(new ProducerRecord(topic.name(), key, value));
  }

  /** A producer that sends each record at once (linger 0, acks=all): for probes. */
  public static KafkaProducer<String, SpecificRecord> probeProducer(
      String bootstrap, SchemaRegistry registry) {
    Properties pp = KafkaConnection.fromEnvironment(bootstrap).properties();
    pp.put(ProducerConfig.ACKS_CONFIG, "all");
    pp.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(pp, new StringSerializer(), routingSerializer(registry));
  }
}
