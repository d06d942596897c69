package dev.rolloutledger.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.avro.Apply;
import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.avro.Heartbeat;
import dev.rolloutledger.avro.HostRegistered;
import dev.rolloutledger.avro.PlanSpec;
import dev.rolloutledger.avro.ReleasePublished;
import dev.rolloutledger.avro.RolloutPlanned;
import dev.rolloutledger.avro.Severity;
import dev.rolloutledger.avro.WaveSpec;
import dev.rolloutledger.avro.WaveStarted;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.registry.SchemaRegistryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic or not at all (docs/failures.md), on the real topology: an input whose outputs cannot all
 * be written changes no store; it is dead-lettered when its data is the cause, and stops the stream
 * when the operator must fix something, the same input then decided normally once it is.
 */
class AtomicOutputsTest {
  private static final String T = "acme";
  private static final String SHA = "a".repeat(64);
  private static final CommandSigningKey SIGNING_KEY = CommandSigningKey.generate();
  private static final Instant T0 = Instant.parse("2026-12-07T09:00:00Z");

  /** Every store of the topology: all must be as they were after an input that failed. */
  private static final List<String> STORES =
      List.of(
          LedgerTopology.HOSTS_STORE,
          LedgerTopology.ROLLOUTS_STORE,
          LedgerTopology.RELEASES_STORE,
          LedgerTopology.LEDGER_STORE,
          LedgerTopology.POLICIES_STORE,
          LedgerTopology.WATCHES_SENT_STORE,
          LedgerTopology.EVIDENCE_STORE,
          LedgerTopology.HOST_SLOTS_STORE,
          LedgerTopology.HOST_WATCHES_STORE);

  @TempDir Path stateDir;
  private final FaultyRegistry registry = new FaultyRegistry();
  private TopologyTestDriver driver;
  private TestInputTopic<String, HostRegistered> hosts;
  private TestInputTopic<String, ReleasePublished> releases;
  private TestInputTopic<String, SpecificRecord> control;
  private TestInputTopic<String, SpecificRecord> telemetry;
  private TestOutputTopic<String, SpecificRecord> ledger;
  private TestOutputTopic<String, SpecificRecord> commands;
  private TestOutputTopic<String, DeadLetter> deadLetters;
  private TestOutputTopic<String, SpecificRecord> journal;

  private void start(Map<String, Object> overrides) {
    driver =
        new TopologyTestDriver(
            LedgerTopology.build(registry, EngineConfig.defaults(), SIGNING_KEY),
            LedgerStreamsConfig.properties(
                "atomic-test", "127.0.0.1:1", stateDir.toString(), registry, overrides));
    StringSerializer keys = new StringSerializer();
    hosts =
        driver.createInputTopic(
            Topics.HOSTS.name(), keys, Topics.HOSTS.valueSerde(registry).serializer());
    releases =
        driver.createInputTopic(
            Topics.RELEASES.name(), keys, Topics.RELEASES.valueSerde(registry).serializer());
    control =
        driver.createInputTopic(
            Topics.ROLLOUT_CONTROL.name(),
            keys,
            Topics.ROLLOUT_CONTROL.valueSerde(registry).serializer());
    telemetry =
        driver.createInputTopic(
            Topics.TELEMETRY.name(), keys, Topics.TELEMETRY.valueSerde(registry).serializer());
    StringDeserializer keyDe = new StringDeserializer();
    ledger =
        driver.createOutputTopic(
            Topics.LEDGER.name(), keyDe, Topics.LEDGER.valueSerde(registry).deserializer());
    commands =
        driver.createOutputTopic(
            Topics.COMMANDS.name(), keyDe, Topics.COMMANDS.valueSerde(registry).deserializer());
    deadLetters =
        driver.createOutputTopic(
            Topics.DEAD_LETTERS.name(),
            keyDe,
            Topics.DEAD_LETTERS.valueSerde(registry).deserializer());
    journal =
        driver.createOutputTopic(
            Topics.INPUTS.name(), keyDe, Topics.INPUTS.valueSerde(registry).deserializer());
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  /** Every key and value of every store, by store. */
  private Map<String, Map<String, Object>> stores() {
    Map<String, Map<String, Object>> all = new TreeMap<>();
    for (String name : STORES) {
      KeyValueStore<String, Object> store = driver.getKeyValueStore(name);
      Map<String, Object> content = new TreeMap<>();
      try (KeyValueIterator<String, Object> it = store.all()) {
        // Avro's equals fails on arrays of timestamps (a rollout's), so compare the text
        it.forEachRemaining(kv -> content.put(kv.key, String.valueOf(kv.value)));
      }
      all.put(name, content);
    }
    return all;
  }

  /** A host registered by its agent, which beats once: it can be reached. */
  private void givenHost(String id, Map<String, String> labels) {
    hosts.pipeInput(
        Keys.of(T, id),
        HostRegistered.newBuilder().setTenant(T).setAt(T0).setHost(id).setLabels(labels).build());
    telemetry.pipeInput(
        Keys.of(T, id),
        Heartbeat.newBuilder()
            .setTenant(T)
            .setAt(T0)
            .setHost(id)
            .setRelease("cf-290")
            .setMetrics(Map.of())
            .build());
  }

  private void givenRelease() {
    releases.pipeInput(
        Keys.of(T, "cf-291"),
        ReleasePublished.newBuilder()
            .setTenant(T)
            .setAt(T0)
            .setRelease("cf-291")
            .setArtifact("channel-file")
            .setVersion("291")
            .setSha256(SHA)
            .setPublisher("vendor")
            .setSeverity(Severity.NORMAL)
            .build());
  }

  private RolloutPlanned plan(String rollout, Map<String, String> selector) {
    return RolloutPlanned.newBuilder()
        .setTenant(T)
        .setAt(T0.plusSeconds(1))
        .setRollout(rollout)
        .setRelease("cf-291")
        .setPlan(
            PlanSpec.newBuilder()
                .setWaves(
                    List.of(
                        WaveSpec.newBuilder()
                            .setName("canary")
                            .setSelector(selector)
                            .setMaxCrashFraction(0.5)
                            .setMinCrashes(1)
                            .build()))
                .build())
        .build();
  }

  /** 40 hosts of 100-character ids, 3 of them in the "small" group. */
  private List<String> givenFleet() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String id = "h%03d-".formatted(i) + "x".repeat(95);
      ids.add(id);
      givenHost(id, Map.of("group", i < 3 ? "small" : "large"));
    }
    givenRelease();
    return ids;
  }

  private static String causes(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable c = e; c != null; c = c.getCause()) {
      s.append(c).append('\n');
    }
    return s.toString();
  }

  @Nested
  class DataThatCannotBeWritten {
    @Test
    void a_wave_too_large_for_its_topic_is_dead_lettered_and_changes_no_store() {
      // the producer takes records of at most 2,000 bytes: a wave of 40 such hosts is over 4,000
      start(Map.of("producer.max.request.size", 2000));
      List<String> ids = givenFleet();
      Map<String, Map<String, Object>> before = stores();

      control.pipeInput(Keys.of(T, "r1"), plan("r1", Map.of()));

      assertThat(stores()).isEqualTo(before);
      assertThat(ledger.isEmpty()).isTrue();
      assertThat(commands.isEmpty()).isTrue();
      DeadLetter dead = deadLetters.readValue();
      assertThat(dead.getReason())
          .startsWith("not decided, nothing changed")
          .contains("WaveStarted", Topics.LEDGER.name(), "over the 2000 bytes");
      assertThat(dead.getSourceTopic()).isEqualTo(Topics.ROLLOUT_CONTROL.name());
      assertThat(dead.getTenant()).isEqualTo(T);
      assertThat(deadLetters.isEmpty()).isTrue();

      // the rollout id was never used: the same id, with a wave that fits, starts normally
      control.pipeInput(Keys.of(T, "r1"), plan("r1", Map.of("group", "small")));

      assertThat(ledger.readValuesToList())
          .singleElement()
          .isInstanceOfSatisfying(
              WaveStarted.class,
              w -> assertThat(w.getHosts()).containsExactlyElementsOf(ids.subList(0, 3)));
      assertThat(commands.readValuesToList())
          .hasSize(3)
          .allSatisfy(c -> assertThat(c).isInstanceOf(Apply.class));
      assertThat(deadLetters.isEmpty()).isTrue();
      KeyValueStore<String, dev.rolloutledger.avro.state.HostState> hostStore =
          driver.getKeyValueStore(LedgerTopology.HOSTS_STORE);
      assertThat(hostStore.get(Keys.of(T, ids.get(3))).getRollout()).isNull();
      assertThat(hostStore.get(Keys.of(T, ids.get(0))).getRollout()).isEqualTo("r1");
    }
  }

  @Nested
  class Faults {
    @Test
    void
        a_registry_holding_an_incompatible_decisions_schema_stops_the_stream_and_changes_nothing() {
      start(Map.of());
      givenFleet();
      // another application registered its own, incompatible schema for the ledger's subject
      registry.register(
          Topics.LEDGER.name() + "-value",
          new Schema.Parser()
              .parse(
                  "{\"type\":\"record\",\"name\":\"Other\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}"));
      Map<String, Map<String, Object>> before = stores();

      assertThatThrownBy(() -> control.pipeInput(Keys.of(T, "r1"), plan("r1", Map.of())))
          .isInstanceOf(StreamsException.class)
          .satisfies(
              e ->
                  assertThat(causes(e))
                      .contains("schema registry holds a schema this release cannot write after")
                      .contains(Topics.LEDGER.name() + "-value"));

      assertThat(stores()).isEqualTo(before);
      assertThat(ledger.isEmpty()).isTrue();
      assertThat(commands.isEmpty()).isTrue();
      assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void a_registry_out_of_reach_stops_the_stream_and_the_input_is_decided_once_it_is_back() {
      start(Map.of());
      List<String> ids = givenFleet();
      registry.cutOff(Topics.COMMANDS.name() + "-value");
      Map<String, Map<String, Object>> before = stores();
      RolloutPlanned plan = plan("r1", Map.of("group", "small"));

      assertThatThrownBy(() -> control.pipeInput(Keys.of(T, "r1"), plan))
          .isInstanceOf(StreamsException.class)
          .satisfies(
              e ->
                  assertThat(causes(e))
                      .contains("the schema registry cannot be used")
                      .contains("make it reachable"));
      assertThat(stores()).isEqualTo(before);
      assertThat(ledger.isEmpty()).isTrue();
      assertThat(commands.isEmpty()).isTrue();
      assertThat(deadLetters.isEmpty()).isTrue();

      // under exactly_once_v2 the aborted input is read again once the thread is replaced
      registry.heal();
      control.pipeInput(Keys.of(T, "r1"), plan);

      assertThat(ledger.readValuesToList())
          .singleElement()
          .isInstanceOfSatisfying(
              WaveStarted.class,
              w -> assertThat(w.getHosts()).containsExactlyElementsOf(ids.subList(0, 3)));
      assertThat(commands.readValuesToList()).hasSize(3);
      assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void the_host_stage_changes_no_slot_when_its_news_cannot_reach_the_journal() {
      start(Map.of());
      registry.cutOff(Topics.INPUTS.name() + "-value");
      String host = "h1";
      CrashReport crash =
          CrashReport.newBuilder()
              .setTenant(T)
              .setAt(T0)
              .setHost(host)
              .setRelease("cf-291")
              .setSignature("PAGE_FAULT")
              .setKind("BSOD")
              .build();
      Map<String, Map<String, Object>> before = stores();

      assertThatThrownBy(() -> telemetry.pipeInput(Keys.of(T, host), crash))
          .isInstanceOf(StreamsException.class)
          .satisfies(e -> assertThat(causes(e)).contains("could not be absorbed"));
      assertThat(stores()).isEqualTo(before);
      assertThat(deadLetters.isEmpty()).isTrue();

      // the stage forgot the crash too: the host's first heartbeat is news only as a first
      // sight (it can be reached), not as the answer to a report
      registry.heal();
      telemetry.pipeInput(
          Keys.of(T, host),
          Heartbeat.newBuilder()
              .setTenant(T)
              .setAt(T0.plusSeconds(5))
              .setHost(host)
              .setRelease("cf-291")
              .setMetrics(Map.of())
              .build());
      assertThat(journal.readValuesToList()).singleElement().isInstanceOf(Heartbeat.class);
      telemetry.pipeInput(
          Keys.of(T, host),
          Heartbeat.newBuilder()
              .setTenant(T)
              .setAt(T0.plusSeconds(15))
              .setHost(host)
              .setRelease("cf-291")
              .setMetrics(Map.of())
              .build());
      assertThat(journal.isEmpty()).isTrue();
      // while the crash, read again, is news as it was the first time
      telemetry.pipeInput(Keys.of(T, host), crash);
      assertThat(journal.readValuesToList()).singleElement().isInstanceOf(CrashReport.class);
    }
  }

  @Nested
  class ProcessingHandler {
    private ProcessingExceptionHandler.Result answer(Exception e) {
      DeadLetterHandlers.Processing handler = new DeadLetterHandlers.Processing();
      handler.configure(Map.of(DeadLetterHandlers.REGISTRY_CONFIG, registry));
      return handler.handleError(context(), null, e).result();
    }

    @Test
    void dead_letters_what_the_record_caused_before_anything_was_written() {
      assertThat(answer(new dev.rolloutledger.domain.InvalidFieldException("host", "is blank")))
          .isEqualTo(ProcessingExceptionHandler.Result.RESUME);
      assertThat(
              answer(
                  new org.apache.kafka.common.errors.SerializationException(
                      "could not write", new NullPointerException())))
          .isEqualTo(ProcessingExceptionHandler.Result.RESUME);
      // a bug this record runs into: nothing was written, and retrying would fail again
      assertThat(answer(new NullPointerException("a bug")))
          .isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    }

    @Test
    void stops_for_what_the_operator_must_fix_and_for_work_left_half_done() {
      SchemaRegistryException unreachable =
          new SchemaRegistryException(SchemaRegistryException.UNAVAILABLE, "connection refused");
      assertThat(
              answer(
                  new org.apache.kafka.common.errors.SerializationException(
                      "could not register schema", unreachable)))
          .isEqualTo(ProcessingExceptionHandler.Result.FAIL);
      // what a sink throws when its serializer fails: the processor may have written its state
      assertThat(
              answer(
                  new StreamsException(
                      "Unable to serialize record",
                      new org.apache.kafka.common.errors.SerializationException("x"))))
          .isEqualTo(ProcessingExceptionHandler.Result.FAIL);
      assertThat(
              answer(
                  new Failures.HalfDoneException(
                      "half done", new IllegalArgumentException("late"))))
          .isEqualTo(ProcessingExceptionHandler.Result.FAIL);
      assertThat(
              answer(
                  new Failures.FaultException(
                      "the command signing key cannot sign",
                      new IllegalStateException("cannot sign with Ed25519"))))
          .isEqualTo(ProcessingExceptionHandler.Result.FAIL);
    }

    private ErrorHandlerContext context() {
      return new ErrorHandlerContext() {
        @Override
        public String topic() {
          return Topics.INPUTS.name();
        }

        @Override
        public int partition() {
          return 0;
        }

        @Override
        public long offset() {
          return 7;
        }

        @Override
        public org.apache.kafka.common.header.Headers headers() {
          return new RecordHeaders();
        }

        @Override
        public String processorNodeId() {
          return "rollout-engine";
        }

        @Override
        public TaskId taskId() {
          return new TaskId(0, 0);
        }

        @Override
        public long timestamp() {
          return T0.toEpochMilli();
        }

        @Override
        public byte[] sourceRawKey() {
          return null;
        }

        @Override
        public byte[] sourceRawValue() {
          return null;
        }
      };
    }
  }
}
