package dev.rolloutledger.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.avro.ApprovalGranted;
import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.avro.Heartbeat;
import dev.rolloutledger.avro.HostRegistered;
import dev.rolloutledger.avro.ManualHalt;
import dev.rolloutledger.avro.OwnerPolicySpec;
import dev.rolloutledger.avro.PlanSpec;
import dev.rolloutledger.avro.ReleasePublished;
import dev.rolloutledger.avro.RolloutPaused;
import dev.rolloutledger.avro.RolloutPlanned;
import dev.rolloutledger.avro.RolloutResumed;
import dev.rolloutledger.avro.Severity;
import dev.rolloutledger.avro.UpdateApplied;
import dev.rolloutledger.avro.WaveSpec;
import dev.rolloutledger.avro.state.HostState;
import dev.rolloutledger.avro.state.HostWatch;
import dev.rolloutledger.avro.state.RolloutSnapshot;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.registry.InMemorySchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.schemas.serde.ConfluentAvroSerde;
import java.io.File;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ledger processor on its own, a seeded property: a random sequence of inputs, with one input
 * that cannot be completed (a wave too large for the ledger topic) put at a random place, leaves
 * the same stores and sends the same outputs as the sequence without it, plus one dead letter; and
 * the engine's derived index matches the stores after every input.
 */
class LedgerProcessorAtomicityTest {
  private static final String T = "acme";
  private static final CommandSigningKey KEY = CommandSigningKey.generate();
  private static final Instant T0 = Instant.parse("2026-12-07T09:00:00Z");

  /** Records the ledger producer takes: every wave fits but the one of the large group. */
  private static final int MAX_RECORD = 3000;

  private static final int SMALL_HOSTS = 24;
  private static final int LARGE_HOSTS = 80;

  @TempDir Path stateDir;

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 25);
  }

  /** A ledger processor over in-memory stores, driven input by input. */
  private final class Harness {
    final MockProcessorContext<String, SpecificRecord> context;
    final LedgerProcessor processor;
    final List<KeyValueStore<String, ?>> stores = new ArrayList<>();
    long offset;

    Harness(String name, SchemaRegistry registry) {
      File dir = stateDir.resolve(name).toFile();
      context =
          new MockProcessorContext<>(
              LedgerStreamsConfig.properties(
                  "atomic-" + name,
                  "127.0.0.1:1",
                  dir.toString(),
                  registry,
                  Map.of("producer.max.request.size", MAX_RECORD)),
              new TaskId(0, 0),
              dir);
      store(
          LedgerTopology.HOSTS_STORE, avro(registry, HostState.getClassSchema(), HostState.class));
      store(
          LedgerTopology.ROLLOUTS_STORE,
          avro(registry, RolloutSnapshot.getClassSchema(), RolloutSnapshot.class));
      store(LedgerTopology.RELEASES_STORE, Topics.RELEASES.valueSerde(registry));
      store(LedgerTopology.LEDGER_STORE, Topics.LEDGER.valueSerde(registry));
      store(
          LedgerTopology.POLICIES_STORE,
          avro(registry, OwnerPolicySpec.getClassSchema(), OwnerPolicySpec.class));
      store(
          LedgerTopology.WATCHES_SENT_STORE,
          avro(registry, HostWatch.getClassSchema(), HostWatch.class));
      store(LedgerTopology.EVIDENCE_STORE, Topics.EVIDENCE.valueSerde(registry));
      processor =
          new LedgerProcessor(LedgerTopology.journalConfig(EngineConfig.defaults()), () -> KEY);
      processor.init(context);
    }

    private <V> Serde<V> avro(SchemaRegistry registry, org.apache.avro.Schema schema, Class<V> t) {
      return ConfluentAvroSerde.of(registry, schema, t);
    }

    private <V> void store(String name, Serde<V> avro) {
      // the mock context names every store's topic "changelog": one registry subject per store
      Serde<V> serde =
          Serdes.serdeFrom(
              (topic, v) -> avro.serializer().serialize(name + "-changelog", v),
              (topic, bytes) -> avro.deserializer().deserialize(name + "-changelog", bytes));
      KeyValueStore<String, V> store =
          Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), serde)
              .withLoggingDisabled()
              .build();
      store.init(context.getStateStoreContext(), store);
      context.addStateStore(store);
      stores.add(store);
    }

    void process(SpecificRecord input) {
      context.setRecordMetadata(Topics.INPUTS.name(), 0, offset++);
      processor.process(new Record<>(T, input, T0.toEpochMilli()));
    }

    Map<String, Map<String, Object>> content() {
      Map<String, Map<String, Object>> all = new TreeMap<>();
      for (KeyValueStore<String, ?> store : stores) {
        Map<String, Object> content = new TreeMap<>();
        try (KeyValueIterator<String, ?> it = store.all()) {
          // Avro's equals fails on arrays of timestamps (a rollout's), so compare the text
          it.forEachRemaining(kv -> content.put(kv.key, String.valueOf(kv.value)));
        }
        all.put(store.name(), content);
      }
      return all;
    }

    /** What was forwarded, key and value, dead letters apart. */
    List<Map.Entry<String, Object>> outputs() {
      List<Map.Entry<String, Object>> out = new ArrayList<>();
      for (var f : context.forwarded()) {
        if (!(f.record().value() instanceof DeadLetter)) {
          out.add(Map.entry(f.record().key(), String.valueOf(f.record().value())));
        }
      }
      return out;
    }

    List<DeadLetter> deadLetters() {
      List<DeadLetter> out = new ArrayList<>();
      for (var f : context.forwarded()) {
        if (f.record().value() instanceof DeadLetter d) {
          out.add(d);
        }
      }
      return out;
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void an_input_that_cannot_be_completed_leaves_the_state_of_the_run_without_it(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<SpecificRecord> inputs = new Inputs(random).sequence(60);
    // after the hosts and the release: the large plan is refused for its size, not rejected
    int at = Inputs.PREFIX + random.nextInt(inputs.size() - Inputs.PREFIX + 1);
    SpecificRecord bad = Inputs.largePlan(T0.plusSeconds(at));
    Harness clean = new Harness("clean-" + seed, new InMemorySchemaRegistry());
    Harness faulty = new Harness("faulty-" + seed, new InMemorySchemaRegistry());

    for (int i = 0; i <= inputs.size(); i++) {
      if (i == at) {
        int before = faulty.deadLetters().size();
        faulty.process(bad);
        assertThat(faulty.deadLetters().subList(before, faulty.deadLetters().size()))
            .as("seed %d: the large plan at %d is dead-lettered", seed, at)
            .singleElement()
            .satisfies(d -> assertThat(d.getReason()).contains("WaveStarted", "bytes"));
      }
      if (i < inputs.size()) {
        clean.process(inputs.get(i));
        faulty.process(inputs.get(i));
      }
      assertThat(faulty.content())
          .as("seed %d, after input %d (bad one at %d)", seed, i, at)
          .isEqualTo(clean.content());
      assertThat(faulty.processor.engine().indexMatchesStore(T))
          .as("seed %d: index after input %d", seed, i)
          .isTrue();
    }
    assertThat(faulty.outputs()).as("seed %d", seed).isEqualTo(clean.outputs());
    assertThat(faulty.deadLetters()).hasSize(clean.deadLetters().size() + 1);
    // the sequences did decide something: the property is not about empty runs
    assertThat(clean.outputs()).isNotEmpty();
  }

  /** Random inputs of one tenant: hosts, a release, small plans and what happens to them. */
  private static final class Inputs {
    /** Inputs before the random ones: the hosts and the release. */
    static final int PREFIX = LARGE_HOSTS + SMALL_HOSTS - 4 + 1;

    private final SplittableRandom random;
    private final List<String> rollouts = new ArrayList<>();

    Inputs(SplittableRandom random) {
      this.random = random;
    }

    static String smallHost(int i) {
      return "s%03d-".formatted(i) + "x".repeat(35);
    }

    static String largeHost(int i) {
      return "l%03d-".formatted(i) + "x".repeat(35);
    }

    /** A plan over the large group: its WaveStarted is about 3,300 bytes, over the limit. */
    static RolloutPlanned largePlan(Instant at) {
      return plan("big", at, Map.of("group", "large"), false);
    }

    static RolloutPlanned plan(
        String rollout, Instant at, Map<String, String> selector, boolean approval) {
      return RolloutPlanned.newBuilder()
          .setTenant(T)
          .setAt(at)
          .setRollout(rollout)
          .setRelease("cf-291")
          .setPlan(
              PlanSpec.newBuilder()
                  .setWaves(
                      List.of(
                          WaveSpec.newBuilder()
                              .setName("canary")
                              .setSelector(selector)
                              .setHosts(selector.containsKey("env") ? 3 : null)
                              .setBake("PT1M")
                              .setMaxCrashFraction(0.3)
                              .setMinCrashes(2)
                              .build(),
                          WaveSpec.newBuilder()
                              .setName("rest")
                              .setSelector(selector)
                              .setApproval(approval)
                              .build()))
                  .build())
          .build();
    }

    List<SpecificRecord> sequence(int n) {
      List<SpecificRecord> out = new ArrayList<>();
      for (int i = 0; i < LARGE_HOSTS; i++) {
        out.add(registered(largeHost(i), Map.of("group", "large"), T0));
      }
      for (int i = 0; i < SMALL_HOSTS - 4; i++) {
        out.add(registered(smallHost(i), Map.of("group", "small", "env", env(i)), T0));
      }
      out.add(
          ReleasePublished.newBuilder()
              .setTenant(T)
              .setAt(T0)
              .setRelease("cf-291")
              .setArtifact("channel-file")
              .setVersion("291")
              .setSha256("a".repeat(64))
              .setPublisher("vendor")
              .setSeverity(Severity.NORMAL)
              .build());
      int late = SMALL_HOSTS - 4;
      for (int i = 0; i < n; i++) {
        Instant at = T0.plusSeconds(10L * (i + 1));
        int kind = random.nextInt(10);
        String host = smallHost(random.nextInt(late));
        switch (kind) {
          case 0 -> {
            String id = "r" + rollouts.size();
            rollouts.add(id);
            out.add(plan(id, at, Map.of("env", env(random.nextInt(2))), random.nextBoolean()));
          }
          case 1 ->
              out.add(
                  late < SMALL_HOSTS
                      ? registered(smallHost(late), Map.of("env", env(late++)), at)
                      : new ClockTick(at));
          case 2, 3 ->
              out.add(
                  UpdateApplied.newBuilder()
                      .setTenant(T)
                      .setAt(at)
                      .setHost(host)
                      .setRelease("cf-291")
                      .setOk(random.nextInt(5) > 0)
                      .setError(null)
                      .build());
          case 4 ->
              out.add(
                  CrashReport.newBuilder()
                      .setTenant(T)
                      .setAt(at)
                      .setHost(host)
                      .setRelease("cf-291")
                      .setSignature("PAGE_FAULT")
                      .setKind("BSOD")
                      .build());
          case 5 ->
              out.add(
                  Heartbeat.newBuilder()
                      .setTenant(T)
                      .setAt(at)
                      .setHost(host)
                      .setRelease("cf-291")
                      .setMetrics(Map.of("cpu", random.nextDouble()))
                      .build());
          case 6 -> out.add(new ClockTick(at.plusSeconds(random.nextInt(3600))));
          case 7 -> out.add(control(at));
          default -> out.add(new ClockTick(at));
        }
      }
      return out;
    }

    private SpecificRecord control(Instant at) {
      if (rollouts.isEmpty()) {
        return new ClockTick(at);
      }
      String rollout = rollouts.get(random.nextInt(rollouts.size()));
      switch (random.nextInt(4)) {
        case 0:
          return ManualHalt.newBuilder()
              .setTenant(T)
              .setAt(at)
              .setRollout(rollout)
              .setBy("ops")
              .setReason("drill")
              .build();
        case 1:
          return RolloutPaused.newBuilder()
              .setTenant(T)
              .setAt(at)
              .setRollout(rollout)
              .setBy("ops")
              .setReason("look")
              .build();
        case 2:
          return RolloutResumed.newBuilder()
              .setTenant(T)
              .setAt(at)
              .setRollout(rollout)
              .setBy("ops")
              .setReason("go")
              .build();
        default:
          return ApprovalGranted.newBuilder()
              .setTenant(T)
              .setAt(at)
              .setRollout(rollout)
              .setWave("rest")
              .setBy("owner")
              .build();
      }
    }

    private static String env(int i) {
      return i % 2 == 0 ? "dev" : "prod";
    }

    private static HostRegistered registered(String id, Map<String, String> labels, Instant at) {
      return HostRegistered.newBuilder()
          .setTenant(T)
          .setAt(at)
          .setHost(id)
          .setLabels(labels)
          .build();
    }
  }
}
