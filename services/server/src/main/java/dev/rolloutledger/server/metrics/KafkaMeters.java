package dev.rolloutledger.server.metrics;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The topology's Kafka Streams metrics (threads, tasks, processors, state stores) and those of the
 * clients inside it (its consumers, producers and admin), as Micrometer meters named {@code
 * kafka_stream_*}, {@code kafka_consumer_*}, {@code kafka_producer_*}, {@code kafka_admin_*}.
 */
@Context
@Requires(property = "ledger.metrics.enabled", notEquals = "false")
public class KafkaMeters implements AutoCloseable {
  private final KafkaStreamsMetrics streamsMetrics;

  public KafkaMeters(KafkaStreams streams, LedgerMeters meters) {
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(meters.registry());
  }

  @Override
  @PreDestroy
  public void close() {
    streamsMetrics.close();
  }
}
