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
 * after a restart); UNKNOWN while it starts, restores or rebalances; DOWN when it has stopped, with
 * the last stream thread failure and whether failures made it stop ({@link StreamThreadFailures}).
 */
@Singleton
public class StreamsHealthIndicator implements HealthIndicator {
  private final KafkaStreams streams;
  private final LedgerQueries queries;
  private final StreamThreadFailures failures;

  public StreamsHealthIndicator(
      KafkaStreams streams, LedgerQueries queries, StreamThreadFailures failures) {
    this.streams = streams;
    this.queries = queries;
    this.failures = failures;
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
    Map<String, String> details = new java.util.TreeMap<>();
    details.put("state", state.name());
    String last = failures.lastFailure();
    if (last != null) {
      details.put("lastFailure", last);
    }
    if (failures.stopped()) {
      status = HealthStatus.DOWN;
      details.put(
          "stopped", "after repeated failures: fix the cause and restart (docs/failures.md)");
    }
    return Publishers.just(HealthResult.builder("kafkaStreams", status).details(details).build());
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
