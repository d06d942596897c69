package dev.rolloutledger.loadtests;

import dev.rolloutledger.schemas.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * What the pipeline writes to Kafka beyond the telemetry it is given: end offsets of every ledger
 * topic and of the topology's changelogs, before and after a stretch of load. Offsets count records
 * and, under exactly-once, transaction markers, so the figure is an upper bound on records.
 */
final class KafkaWrites {
  private KafkaWrites() {}

  /** End offsets by topic: the ledger's topics but telemetry, schemas and tokens, and appId's. */
  static Map<String, Long> snapshot(Admin admin, String appId) throws Exception {
    List<String> topics =
        admin.listTopics().names().get().stream()
            .filter(
                t ->
                    (t.startsWith("ledger.")
                            && !t.equals(Topics.TELEMETRY.name())
                            && !t.equals(Topics.SCHEMAS.name())
                            && !t.equals(Topics.TOKENS.name()))
                        || t.startsWith(appId + "-"))
            .sorted()
            .collect(Collectors.toList());
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    for (var d : admin.describeTopics(topics).allTopicNames().get().values()) {
      for (var p : d.partitions()) {
        ask.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
      }
    }
    Map<String, Long> ends = new TreeMap<>();
    for (var e : admin.listOffsets(ask).all().get().entrySet()) {
      ends.merge(e.getKey().topic(), e.getValue().offset(), Long::sum);
    }
    return ends;
  }

  /**
   * One report line: offsets written per 1,000 telemetry records between two snapshots, in all and
   * for each topic that grew.
   */
  static String perThousand(Map<String, Long> before, Map<String, Long> after, long telemetry) {
    Map<String, Long> grew = new TreeMap<>();
    long total = 0;
    for (var e : after.entrySet()) {
      long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      if (d > 0) {
        grew.put(e.getKey(), d);
        total += d;
      }
    }
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "written to Kafka beyond the telemetry, per 1,000 telemetry records: %.1f"
                    + " (offsets, transaction markers included; %,d telemetry records):",
                telemetry == 0 ? 0 : 1000.0 * total / telemetry,
                telemetry));
    grew.forEach(
        (t, d) ->
            b.append(
                String.format(
                    Locale.ROOT, " %s %.1f;", t, telemetry == 0 ? 0 : 1000.0 * d / telemetry)));
    return b.toString();
  }
}
