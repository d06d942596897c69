package dev.rolloutledger.reliability;

import dev.rolloutledger.avro.Apply;
import dev.rolloutledger.avro.RolloutHalted;
import dev.rolloutledger.avro.WaveStarted;
import dev.rolloutledger.domain.LedgerHash;
import dev.rolloutledger.replay.RolloutExport;
import dev.rolloutledger.replay.RolloutReplay;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.topology.AvroMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Checks, from the topics read {@code read_committed} from their beginning, what the run left: no
 * lost decision, no duplicate ledger entry or command, every hash chain intact, every exported
 * journal recomputed offline to what was emitted, every rollout ended as its scenario says.
 */
public final class Verifier {
  private static final String GENESIS = "0".repeat(64);

  /** What was found; {@code problems} is empty when everything holds. */
  public record Result(
      int rollouts,
      int halted,
      int completed,
      long entries,
      long commands,
      long exportedInputs,
      long exportedDecisions,
      List<String> problems) {}

  private final String bootstrap;
  private final SchemaRegistry registry;
  private final String applicationId;

  public Verifier(String bootstrap, SchemaRegistry registry, String applicationId) {
    this.bootstrap = bootstrap;
    this.registry = registry;
    this.applicationId = applicationId;
  }

  /**
   * @param unplannedAllowed whether a rollout the driver did not plan may be in the ledger (after
   *     the fuzz run, which may have made some); its log is exported and recomputed too
   */
  public Result verify(List<Expected> expected, boolean unplannedAllowed) {
    List<String> problems = new ArrayList<>();
    Map<String, List<SpecificRecord>> ledger = new TreeMap<>();
    long[] entries = {0};
    readAll(
        Topics.LEDGER.name(),
        Topics.LEDGER.valueSerde(registry).deserializer(),
        (key, v) -> {
          entries[0]++;
          ledger.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
        });
    Map<String, Integer> commandIds = new HashMap<>();
    Map<String, Integer> appliesPerHost = new HashMap<>();
    long[] commands = {0};
    readAll(
        Topics.COMMANDS.name(),
        Topics.COMMANDS.valueSerde(registry).deserializer(),
        (key, v) -> {
          commands[0]++;
          commandIds.merge(field(v, "commandId").toString(), 1, Integer::sum);
          if (v instanceof Apply a) {
            appliesPerHost.merge(
                a.getTenant() + "/" + a.getRollout() + "/" + a.getHost(), 1, Integer::sum);
          }
        });
    commandIds.forEach(
        (id, n) -> {
          if (n > 1) {
            problems.add("command " + id + " emitted " + n + " times");
          }
        });
    appliesPerHost.forEach(
        (host, n) -> {
          if (n > 1) {
            problems.add("host " + host + " sent Apply " + n + " times");
          }
        });
    ledger.forEach((key, list) -> checkChain(key, list, problems));

    int halted = 0;
    int completed = 0;
    Set<String> known = new HashSet<>();
    long exportedInputs = 0;
    long exportedDecisions = 0;
    for (Expected e : expected) {
      known.add(e.key());
      List<SpecificRecord> list = ledger.getOrDefault(e.key(), List.of());
      if (list.isEmpty()) {
        problems.add(e.key() + ": no ledger entry (a lost decision)");
        continue;
      }
      String last = list.get(list.size() - 1).getClass().getSimpleName();
      boolean anyHalt = list.stream().anyMatch(r -> r instanceof RolloutHalted);
      if (!last.equals(e.end()) || (!e.bad() && anyHalt)) {
        problems.add(
            e.key()
                + " ("
                + (e.bad() ? "bad" : "good")
                + " release) ended with "
                + last
                + ", expected "
                + e.end()
                + (e.bad() ? " (a missed halt)" : " (a false halt)")
                + describeHalt(list));
      }
      if (last.equals("RolloutHalted")) {
        halted++;
      } else if (last.equals("RolloutCompleted")) {
        completed++;
        for (SpecificRecord r : list) {
          if (r instanceof WaveStarted w) {
            for (String h : w.getHosts()) {
              if (!appliesPerHost.containsKey(e.key() + "/" + h)) {
                problems.add(e.key() + ": host " + h + " of a started wave got no Apply (lost)");
              }
            }
          }
        }
      }
      long[] x = exportAndRecompute(e.tenant(), e.rollout(), list.size(), problems);
      exportedInputs += x[0];
      exportedDecisions += x[1];
    }
    for (String key : ledger.keySet()) {
      if (known.contains(key)
          || expected.stream().noneMatch(e -> key.startsWith(e.tenant() + "/"))) {
        continue;
      }
      if (unplannedAllowed) {
        String tenant = key.substring(0, key.indexOf('/'));
        long[] x =
            exportAndRecompute(
                tenant, key.substring(key.indexOf('/') + 1), ledger.get(key).size(), problems);
        exportedInputs += x[0];
        exportedDecisions += x[1];
      } else {
        problems.add(key + ": ledger entries of a rollout the driver never planned");
      }
    }
    return new Result(
        expected.size(),
        halted,
        completed,
        entries[0],
        commands[0],
        exportedInputs,
        exportedDecisions,
        List.copyOf(problems));
  }

  /** Exports the rollout's log as `ledger export` does and verifies it as `ledger replay`. */
  private long[] exportAndRecompute(
      String tenant, String rollout, int emitted, List<String> problems) {
    String key = tenant + "/" + rollout;
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      RolloutExport.Exported x =
          RolloutExport.export(
              new RolloutExport.Source(
                  KafkaConnection.plaintext(bootstrap), registry, applicationId),
              tenant,
              rollout,
              out,
              (offset, end) -> {});
      RolloutReplay.Verified v =
          RolloutReplay.verify(new ByteArrayInputStream(out.toByteArray()), n -> {});
      if (v.decisions() != x.decisions() || x.decisions() < emitted) {
        problems.add(
            key
                + ": exported "
                + x.decisions()
                + " decisions, recomputed "
                + v.decisions()
                + ", emitted "
                + emitted);
      }
      return new long[] {v.inputs(), v.decisions()};
    } catch (RuntimeException ex) {
      problems.add(key + ": export or offline recompute failed: " + ex);
      return new long[] {0, 0};
    }
  }

  private static String describeHalt(List<SpecificRecord> list) {
    for (SpecificRecord r : list) {
      if (r instanceof RolloutHalted h) {
        return ", halt reason '" + h.getReason() + "' at seq " + h.getSeq();
      }
    }
    return "";
  }

  /** Seqs 1..n, each prevHash the hash before it, each hash recomputed from its fields. */
  static void checkChain(String key, List<SpecificRecord> list, List<String> problems) {
    String prev = GENESIS;
    long seq = 0;
    Set<String> hashes = new HashSet<>();
    for (SpecificRecord r : list) {
      long s = (Long) field(r, "seq");
      String hash = field(r, "hash").toString();
      if (!hashes.add(hash) || s <= seq) {
        problems.add(key + ": duplicate ledger entry seq " + s + " (" + hash + ")");
        continue;
      }
      if (s != seq + 1) {
        problems.add(key + ": seq " + s + " after " + seq + " (an entry is missing)");
      }
      if (!prev.equals(field(r, "prevHash").toString())) {
        problems.add(key + ": seq " + s + " prevHash does not name the entry before it");
      }
      String recomputed = LedgerHash.of(AvroMapper.entryToDomain(r));
      if (!recomputed.equals(hash)) {
        problems.add(key + ": seq " + s + " hash " + hash + " recomputes to " + recomputed);
      }
      prev = hash;
      seq = s;
    }
  }

  static Object field(SpecificRecord r, String name) {
    return r.get(r.getSchema().getField(name).pos());
  }

  private void readAll(
      String topic, Deserializer<SpecificRecord> values, BiConsumer<String, SpecificRecord> each) {
    try (KafkaConsumer<String, byte[]> consumer = Outputs.consumer(bootstrap)) {
      List<TopicPartition> tps = new ArrayList<>();
      consumer.partitionsFor(topic).forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      Deadline d = Deadline.in(Duration.ofMinutes(10));
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (d.passed()) {
          throw new Deadline.TimeBoundExceeded("reading " + topic + " took over 10 min");
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          each.accept(r.key(), values.deserialize(topic, r.value()));
        }
      }
    }
  }
}
