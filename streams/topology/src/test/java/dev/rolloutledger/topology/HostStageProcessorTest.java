package dev.rolloutledger.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.avro.Heartbeat;
import dev.rolloutledger.avro.HostSilent;
import dev.rolloutledger.avro.state.HostSlotState;
import dev.rolloutledger.avro.state.HostWatch;
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
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host stage's processor under the real topology: the tenant's row in the slots store, and a
 * slot let go after {@link HostStageProcessor#EVICT_AFTER_CONFIG} deleted from it.
 */
class HostStageProcessorTest {
  static final String T = "acme";
  static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

  @TempDir Path stateDir;
  SchemaRegistry registry = new InMemorySchemaRegistry();
  TopologyTestDriver driver;
  TestInputTopic<String, SpecificRecord> telemetry;
  TestInputTopic<String, SpecificRecord> hostWatch;
  TestOutputTopic<String, SpecificRecord> journal;
  KeyValueStore<String, HostSlotState> slots;

  @BeforeEach
  void start() {
    driver =
        new TopologyTestDriver(
            LedgerTopology.build(registry, EngineConfig.defaults(), CommandSigningKey.generate()),
            LedgerStreamsConfig.properties(
                "host-stage-test",
                "127.0.0.1:1",
                stateDir.toString(),
                registry,
                Map.of(HostStageProcessor.EVICT_AFTER_CONFIG, "60000")));
    StringSerializer keys = new StringSerializer();
    telemetry =
        driver.createInputTopic(
            Topics.TELEMETRY.name(), keys, Topics.TELEMETRY.valueSerde(registry).serializer());
    hostWatch =
        driver.createInputTopic(
            Topics.HOST_WATCH.name(), keys, Topics.HOST_WATCH.valueSerde(registry).serializer());
    journal =
        driver.createOutputTopic(
            Topics.INPUTS.name(),
            new StringDeserializer(),
            Topics.INPUTS.valueSerde(registry).deserializer());
    slots = driver.getKeyValueStore(LedgerTopology.HOST_SLOTS_STORE);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  void watch(List<String> rollouts) {
    hostWatch.pipeInput(
        T,
        HostWatch.newBuilder()
            .setTenant(T)
            .setSilenceAfterMillis(14_000L)
            .setLimits(Map.of("cpu", List.of(0.9)))
            .setRollouts(rollouts)
            .build());
  }

  void beat(String host, long s) {
    telemetry.pipeInput(
        Keys.of(T, host),
        Heartbeat.newBuilder()
            .setTenant(T)
            .setAt(T0.plusSeconds(s))
            .setHost(host)
            .setRelease("r1")
            .setMetrics(Map.of("cpu", 0.1))
            .build());
  }

  void tick(long s) {
    hostWatch.pipeInput("clock", new ClockTick(T0.plusSeconds(s)));
  }

  @Test
  void a_watch_that_changes_writes_its_tenants_row_with_a_new_version_and_the_same_one_does_not() {
    watch(List.of("r1"));
    HostSlotState row = slots.get(T);
    assertThat(row).isNotNull();
    assertThat(row.getSlotsLetGo()).isFalse();
    int first = row.getWatchVersion();

    watch(List.of("r1"));
    assertThat(slots.get(T).getWatchVersion()).isEqualTo(first);
    watch(List.of("r1", "r2"));
    assertThat(slots.get(T).getWatchVersion()).isEqualTo(first + 1);
  }

  @Test
  void a_host_reported_silent_and_unseen_past_evictAfter_is_deleted_and_is_news_when_back() {
    watch(List.of("r1"));
    beat("h1", 1);
    beat("h2", 1);
    // each host's first heartbeat is news: the engine learns it can be reached
    assertThat(journal.readValuesToList())
        .extracting(v -> ((Heartbeat) v).getHost())
        .containsExactly("h1", "h2");
    for (long s = 2; s <= 61; s++) {
      if (s % 10 == 0) {
        beat("h2", s);
      }
      tick(s);
    }
    assertThat(journal.readValuesToList())
        .singleElement()
        .isInstanceOfSatisfying(
            HostSilent.class, silent -> assertThat(silent.getHost()).isEqualTo("h1"));
    assertThat(slots.get(Keys.of(T, "h1")).getSilenceOwn()).isTrue();

    tick(62); // h1 last seen at 1 s: more than 60 s ago
    assertThat(slots.get(Keys.of(T, "h1"))).isNull();
    assertThat(slots.get(Keys.of(T, "h2"))).isNotNull();
    assertThat(slots.get(T).getSlotsLetGo()).isTrue();

    beat("h1", 100);
    assertThat(journal.readValuesToList())
        .singleElement()
        .isInstanceOfSatisfying(
            Heartbeat.class, back -> assertThat(back.getHost()).isEqualTo("h1"));
    assertThat(slots.get(Keys.of(T, "h1"))).isNotNull();
    beat("h1", 110);
    assertThat(journal.readValuesToList()).isEmpty();
  }
}
