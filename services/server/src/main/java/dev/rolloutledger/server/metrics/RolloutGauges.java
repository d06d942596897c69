package dev.rolloutledger.server.metrics;

import dev.rolloutledger.avro.state.RolloutSnapshot;
import dev.rolloutledger.domain.RolloutStatus;
import dev.rolloutledger.topology.LedgerTopology;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code ledger_rollouts{tenant,status}} from the rollouts store of this instance (its active tasks
 * only, no standby copy, so the sum over the instances is the deployment's count), counted when
 * {@code /metrics} is read; every status of a tenant is written, 0 included, so a rollout that
 * leaves ACTIVE takes the ACTIVE series down to 0 rather than ending it. While the store cannot be
 * read (a rebalance), the last counts stay. A tenant seen here gets its {@code ledger_halts_total}
 * and {@code ledger_decisions_total} series at 0 ({@link LedgerMeters#tenant}). Also {@code
 * ledger_topology_running}.
 */
@Singleton
@Requires(property = "ledger.metrics.enabled", notEquals = "false")
public class RolloutGauges {
  private final KafkaStreams streams;
  private final LedgerMeters meters;
  private final MultiGauge rollouts;

  public RolloutGauges(KafkaStreams streams, LedgerMeters meters) {
    this.streams = streams;
    this.meters = meters;
    this.rollouts =
        MultiGauge.builder(LedgerMeters.ROLLOUTS)
            .description("Rollouts held by this instance, by tenant and status")
            .register(meters.registry());
    Gauge.builder(
            LedgerMeters.TOPOLOGY_RUNNING, streams, s -> s.state().isRunningOrRebalancing() ? 1 : 0)
        .description("1 while the topology runs or rebalances; 0 when it stopped or failed")
        .register(meters.registry());
  }

  /** Counts the rollouts of this instance now. */
  public synchronized void refresh() {
    Map<String, Map<RolloutStatus, Integer>> counts = new TreeMap<>();
    try {
      ReadOnlyKeyValueStore<String, RolloutSnapshot> store =
          streams.store(
              StoreQueryParameters.fromNameAndType(
                  LedgerTopology.ROLLOUTS_STORE, QueryableStoreTypes.keyValueStore()));
      try (KeyValueIterator<String, RolloutSnapshot> it = store.all()) {
        while (it.hasNext()) {
          KeyValue<String, RolloutSnapshot> kv = it.next();
          RolloutStatus status = RolloutStatus.valueOf(kv.value.getStatus().name());
          counts
              .computeIfAbsent(kv.value.getTenant(), t -> new EnumMap<>(RolloutStatus.class))
              .merge(status, 1, Integer::sum);
        }
      }
    } catch (InvalidStateStoreException e) {
      return; // starting or rebalancing: the last counts stay until the store answers
    }
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    counts.forEach(
        (tenant, byStatus) -> {
          meters.tenant(tenant); // its halts and decisions at 0 before the first of them
          for (RolloutStatus status : RolloutStatus.values()) {
            rows.add(
                MultiGauge.Row.of(
                    Tags.of("tenant", tenant, "status", status.name()),
                    byStatus.getOrDefault(status, 0)));
          }
        });
    rollouts.register(rows, true);
  }
}
