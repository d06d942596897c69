package dev.rolloutledger.topology;

import dev.rolloutledger.avro.ClockTick;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Partitions the by-tenant topic: an event goes to the partition of its tenant (murmur2, as the
 * default partitioner), a clock tick to every partition (multicast), so that every task sees time
 * pass in the same log as its tenants' events.
 */
final class TenantPartitioner implements StreamPartitioner<String, SpecificRecord> {

  @Override
  public Optional<Set<Integer>> partitions(
      String topic, String key, SpecificRecord value, int numPartitions) {
    if (value instanceof ClockTick) {
      return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
    }
    return Optional.of(Set.of(partitionOf(key, numPartitions)));
  }

  /** The partition of a key (a tenant on the journal, tenant/rollout on the decisions topic). */
  static int partitionOf(String key, int numPartitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % numPartitions;
  }
}
