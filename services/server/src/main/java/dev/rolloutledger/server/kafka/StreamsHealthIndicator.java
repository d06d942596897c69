package dev.rolloutledger.server.kafka;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.reactivestreams.Publisher;

/** {@code /health} is UP only when the topology is RUNNING (or rebalancing back to it). */
@Singleton
public class StreamsHealthIndicator implements HealthIndicator {
  private final KafkaStreams streams;

  public StreamsHealthIndicator(KafkaStreams streams) {
    this.streams = streams;
  }

  @Override
  public Publisher<HealthResult> getResult() {
    KafkaStreams.State state = streams.state();
    HealthStatus status =
        state == KafkaStreams.State.RUNNING
            ? HealthStatus.UP
            : state.isRunningOrRebalancing() ? HealthStatus.UNKNOWN : HealthStatus.DOWN;
    return Publishers.just(
        HealthResult.builder("kafkaStreams", status).details(Map.of("state", state.name())).build());
  }
}
