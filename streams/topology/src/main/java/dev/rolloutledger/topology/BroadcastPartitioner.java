package dev.rolloutledger.topology;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Sends every record of {@code ledger.host-watch} to every partition: a tenant's hosts are spread
 * over all host-stage tasks, and each of them needs the tenant's watch and every clock tick.
 */
final class BroadcastPartitioner implements StreamPartitioner<String, SpecificRecord> {
  @Override
  public Optional<Set<Integer>> partitions(
      String topic, String key, SpecificRecord value, int numPartitions) {
    return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
  }
}
