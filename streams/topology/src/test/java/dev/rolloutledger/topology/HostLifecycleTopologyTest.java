package dev.rolloutledger.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.avro.Apply;
import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.avro.HostLifecycleChanged;
import dev.rolloutledger.avro.HostRegistered;
import dev.rolloutledger.avro.PlanSpec;
import dev.rolloutledger.avro.ReleasePublished;
import dev.rolloutledger.avro.RolloutPlanned;
import dev.rolloutledger.avro.Severity;
import dev.rolloutledger.avro.WaveSpec;
import dev.rolloutledger.avro.WaveStarted;
import dev.rolloutledger.avro.state.HostLifecycleState;
import dev.rolloutledger.avro.state.HostState;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.registry.InMemorySchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's {@code HostLifecycleChanged} on {@code ledger.rollout-control} (key tenant/host),
 * under the real topology: a valid one reaches the journal and the engine (a cordoned host is in no
 * wave and is sent nothing), a malformed one is dead-lettered naming the field.
 */
class HostLifecycleTopologyTest {
  private static final String T = "acme";
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  @TempDir Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, HostRegistered> hosts;
  private TestInputTopic<String, SpecificRecord> control;
  private TestOutputTopic<String, SpecificRecord> journal;
  private TestOutputTopic<String, SpecificRecord> ledger;
  private TestOutputTopic<String, SpecificRecord> commands;
  private TestOutputTopic<String, DeadLetter> deadLetters;

  @BeforeEach
  void start() {
    SchemaRegistry registry = new InMemorySchemaRegistry();
    driver =
        new TopologyTestDriver(
            LedgerTopology.build(registry, EngineConfig.defaults(), CommandSigningKey.generate()),
            LedgerStreamsConfig.properties(
                "lifecycle-test", "127.0.0.1:1", stateDir.toString(), registry, Map.of()));
    StringSerializer keys = new StringSerializer();
    hosts =
        driver.createInputTopic(
            Topics.HOSTS.name(), keys, Topics.HOSTS.valueSerde(registry).serializer());
    control =
        driver.createInputTopic(
            Topics.ROLLOUT_CONTROL.name(),
            keys,
            Topics.ROLLOUT_CONTROL.valueSerde(registry).serializer());
    TestInputTopic<String, ReleasePublished> releases =
        driver.createInputTopic(
            Topics.RELEASES.name(), keys, Topics.RELEASES.valueSerde(registry).serializer());
    StringDeserializer keyDe = new StringDeserializer();
    journal =
        driver.createOutputTopic(
            Topics.INPUTS.name(), keyDe, Topics.INPUTS.valueSerde(registry).deserializer());
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
    for (String id : List.of("h1", "h2", "h3")) {
      hosts.pipeInput(
          Keys.of(T, id),
          HostRegistered.newBuilder()
              .setTenant(T)
              .setAt(T0)
              .setHost(id)
              .setLabels(Map.of("env", "dev"))
              .build());
    }
    releases.pipeInput(
        Keys.of(T, "cf-1"),
        ReleasePublished.newBuilder()
            .setTenant(T)
            .setAt(T0)
            .setRelease("cf-1")
            .setArtifact("a")
            .setVersion("1")
            .setSha256("a".repeat(64))
            .setPublisher("vendor")
            .setSeverity(Severity.NORMAL)
            .build());
    // each host's agent beats once: a host never heard from is sent no Apply (version 5)
    TestInputTopic<String, org.apache.avro.specific.SpecificRecord> telemetry =
        driver.createInputTopic(
            Topics.TELEMETRY.name(), keys, Topics.TELEMETRY.valueSerde(registry).serializer());
    for (String id : List.of("h1", "h2", "h3")) {
      telemetry.pipeInput(
          Keys.of(T, id),
          dev.rolloutledger.avro.Heartbeat.newBuilder()
              .setTenant(T)
              .setAt(T0)
              .setHost(id)
              .setRelease("cf-0")
              .setMetrics(Map.of())
              .build());
    }
    journal.readValuesToList(); // their first sights: the tests read what comes after
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private static HostLifecycleChanged change(String host, String lifecycle, String by) {
    return HostLifecycleChanged.newBuilder()
        .setTenant(T)
        .setAt(T0.plusSeconds(1))
        .setHost(host)
        .setLifecycle(lifecycle)
        .setBy(by)
        .build();
  }

  private void plan() {
    control.pipeInput(
        Keys.of(T, "r1"),
        RolloutPlanned.newBuilder()
            .setTenant(T)
            .setAt(T0.plusSeconds(2))
            .setRollout("r1")
            .setRelease("cf-1")
            .setPlan(
                PlanSpec.newBuilder()
                    .setWaves(
                        List.of(
                            WaveSpec.newBuilder()
                                .setName("canary")
                                .setSelector(Map.of("env", "dev"))
                                .build()))
                    .build())
            .build());
  }

  private HostLifecycleState lifecycleOf(String host) {
    KeyValueStore<String, HostState> store = driver.getKeyValueStore(LedgerTopology.HOSTS_STORE);
    return store.get(StoreKeys.of(T, host)).getLifecycle();
  }

  @Nested
  class Valid {
    @Test
    void a_cordon_reaches_the_journal_and_the_engine_leaves_the_host_out_of_every_wave() {
      control.pipeInput(Keys.of(T, "h2"), change("h2", "cordoned", "erin"));
      plan();

      assertThat(deadLetters.isEmpty()).isTrue();
      assertThat(journal.readValuesToList())
          .filteredOn(v -> v instanceof HostLifecycleChanged)
          .singleElement()
          .isEqualTo(change("h2", "cordoned", "erin"));
      assertThat(lifecycleOf("h2")).isEqualTo(HostLifecycleState.CORDONED);
      assertThat(ledger.readValuesToList())
          .singleElement()
          .isInstanceOfSatisfying(
              WaveStarted.class, w -> assertThat(w.getHosts()).containsExactly("h1", "h3"));
      List<KeyValue<String, SpecificRecord>> sent = commands.readKeyValuesToList();
      assertThat(sent).allSatisfy(kv -> assertThat(kv.value).isInstanceOf(Apply.class));
      assertThat(sent).extracting(kv -> kv.key).containsExactly("acme/h1", "acme/h3");
    }

    @Test
    void a_retired_host_made_active_again_takes_part_in_the_next_rollout() {
      control.pipeInput(Keys.of(T, "h1"), change("h1", "retired", "erin"));
      assertThat(lifecycleOf("h1")).isEqualTo(HostLifecycleState.RETIRED);
      control.pipeInput(Keys.of(T, "h1"), change("h1", "active", "erin"));
      plan();

      assertThat(lifecycleOf("h1")).isEqualTo(HostLifecycleState.ACTIVE);
      assertThat(commands.readKeyValuesToList())
          .extracting(kv -> kv.key)
          .containsExactly("acme/h1", "acme/h2", "acme/h3");
    }
  }

  @Nested
  class Malformed {
    @Test
    void an_unknown_lifecycle_is_dead_lettered_naming_the_field_and_changes_nothing() {
      control.pipeInput(Keys.of(T, "h2"), change("h2", "deleted", "erin"));

      DeadLetter dead = deadLetters.readValue();
      assertThat(dead.getReason())
          .isEqualTo(
              "invalid field lifecycle: must be one of active, cordoned, retired, was 'deleted'");
      assertThat(dead.getSourceTopic()).isEqualTo(Topics.ROLLOUT_CONTROL.name());
      assertThat(journal.readValuesToList()).noneMatch(v -> v instanceof HostLifecycleChanged);
      assertThat(lifecycleOf("h2")).isEqualTo(HostLifecycleState.ACTIVE);
    }

    @Test
    void a_key_naming_another_host_or_a_by_no_door_accepts_is_dead_lettered_naming_it() {
      control.pipeInput(Keys.of(T, "h1"), change("h2", "cordoned", "erin"));
      control.pipeInput(Keys.of(T, "h2"), change("h2", "cordoned", "e/rin"));

      List<DeadLetter> dead = deadLetters.readValuesToList();
      assertThat(dead)
          .extracting(DeadLetter::getReason)
          .satisfiesExactly(
              r -> assertThat(r).startsWith("invalid field key: must be acme/h2"),
              r -> assertThat(r).startsWith("invalid field by:"));
      assertThat(lifecycleOf("h2")).isEqualTo(HostLifecycleState.ACTIVE);
    }

    @Test
    void a_host_the_tenant_never_registered_is_rejected_by_the_engine_and_the_stream_goes_on() {
      control.pipeInput(Keys.of(T, "h9"), change("h9", "cordoned", "erin"));
      plan();

      assertThat(deadLetters.readValue().getReason())
          .startsWith("rejected")
          .contains("host not registered");
      assertThat(commands.readKeyValuesToList()).hasSize(3);
    }
  }
}
