package dev.rolloutledger.server.kafka;

import dev.rolloutledger.topology.LedgerQueries;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.reactivestreams.Publisher;

/**
 * {@code /health} is UP only when the topology is RUNNING and its stores answer queries (restored
 * after a restart); UNKNOWN while it starts, restores or rebalances; DOWN when it has stopped.
 */
@Singleton
public class StreamsHealthIndicator implements HealthIndicator {
  private final KafkaStreams streams;
  private final LedgerQueries queries;

  public StreamsHealthIndicator(KafkaStreams streams, LedgerQueries queries) {
    this.streams = streams;
    this.queries = queries;
  }

  @Override
  public Publisher<HealthResult> getResult() {
    KafkaStreams.State state = streams.state();
    HealthStatus status;
    if (state == KafkaStreams.State.RUNNING) {
      status = queryable() ? HealthStatus.UP : HealthStatus.UNKNOWN;
    } else {
      status = state.isRunningOrRebalancing() ? HealthStatus.UNKNOWN : HealthStatus.DOWN;
    }
    return Publishers.just(
        HealthResult.builder("kafkaStreams", status)
            .details(Map.of("state", state.name()))
            .build());
  }

  private boolean queryable() {
    try {
      // touch every queryable store: each restores on its own
      queries.rollouts("health-probe");
      queries.ledger("health-probe", "health-probe", 1, 1);
      return true;
    } catch (InvalidStateStoreException e) {
      return false;
    }
  }
}
