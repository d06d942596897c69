package dev.rolloutledger.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.avro.EvidenceSnapshot;
import dev.rolloutledger.avro.Heartbeat;
import dev.rolloutledger.avro.HostRegistered;
import dev.rolloutledger.avro.PlanSpec;
import dev.rolloutledger.avro.ReleasePublished;
import dev.rolloutledger.avro.RolloutPlanned;
import dev.rolloutledger.avro.Severity;
import dev.rolloutledger.avro.SignalEvidence;
import dev.rolloutledger.avro.UpdateApplied;
import dev.rolloutledger.avro.WaveSpec;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.registry.InMemorySchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evidence path the engine records beside the ledger (EvidenceRecorder). */
class EvidenceRecorderTest {
  private static final String T = "acme";
  private static final Instant T0 = Instant.parse("2024-07-19T04:09:00Z");

  @TempDir Path stateDir;
  private SchemaRegistry registry;
  private TopologyTestDriver driver;
  private TestInputTopic<String, SpecificRecord> telemetry;
  private TestOutputTopic<String, SpecificRecord> ledger;
  private TestOutputTopic<String, EvidenceSnapshot> evidence;

  @BeforeEach
  void start() {
    registry = new InMemorySchemaRegistry();
    driver =
        new TopologyTestDriver(
            LedgerTopology.build(registry, EngineConfig.defaults(), CommandSigningKey.generate()),
            LedgerStreamsConfig.properties(
                "ledger-test", "127.0.0.1:1", stateDir.toString(), registry, Map.of()));
    StringSerializer keys = new StringSerializer();
    telemetry =
        driver.createInputTopic(
            Topics.TELEMETRY.name(), keys, Topics.TELEMETRY.valueSerde(registry).serializer());
    ledger =
        driver.createOutputTopic(
            Topics.LEDGER.name(),
            new StringDeserializer(),
            Topics.LEDGER.valueSerde(registry).deserializer());
    evidence =
        driver.createOutputTopic(
            Topics.EVIDENCE.name(),
            new StringDeserializer(),
            Topics.EVIDENCE.valueSerde(registry).deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  /**
   * 4 dev hosts in the canary, 16 prod hosts after it: both cohorts exist once the canary applies,
   * so each canary crash is evidence of a regression. The cap is 1.0: only the evidence decides.
   */
  private void givenRollout() {
    TestInputTopic<String, HostRegistered> hosts =
        driver.createInputTopic(
            Topics.HOSTS.name(),
            new StringSerializer(),
            Topics.HOSTS.valueSerde(registry).serializer());
    for (int i = 0; i < 20; i++) {
      String id = "h" + (i < 10 ? "0" : "") + i;
      hosts.pipeInput(
          Keys.of(T, id),
          HostRegistered.newBuilder()
              .setTenant(T)
              .setAt(T0)
              .setHost(id)
              .setLabels(Map.of("env", i < 4 ? "dev" : "prod"))
              .build());
      heartbeat(id, "cf-290", T0);
    }
    driver
        .createInputTopic(
            Topics.RELEASES.name(),
            new StringSerializer(),
            Topics.RELEASES.valueSerde(registry).serializer())
        .pipeInput(
            Keys.of(T, "cf-291"),
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
    driver
        .createInputTopic(
            Topics.ROLLOUT_CONTROL.name(),
            new StringSerializer(),
            Topics.ROLLOUT_CONTROL.valueSerde(registry).serializer())
        .pipeInput(
            Keys.of(T, "r1"),
            RolloutPlanned.newBuilder()
                .setTenant(T)
                .setAt(T0.plusSeconds(1))
                .setRollout("r1")
                .setRelease("cf-291")
                .setPlan(
                    PlanSpec.newBuilder()
                        .setWaves(
                            List.of(
                                WaveSpec.newBuilder()
                                    .setName("canary")
                                    .setSelector(Map.of("env", "dev"))
                                    .setMaxCrashFraction(1.0)
                                    .setMinCrashes(1)
                                    .build(),
                                WaveSpec.newBuilder()
                                    .setName("rest")
                                    .setSelector(Map.of())
                                    .build()))
                        .build())
                .build());
  }

  private void heartbeat(String host, String release, Instant at) {
    telemetry.pipeInput(
        Keys.of(T, host),
        Heartbeat.newBuilder()
            .setTenant(T)
            .setAt(at)
            .setHost(host)
            .setRelease(release)
            .setMetrics(Map.of())
            .build());
  }

  private void applied(String host, Instant at) {
    telemetry.pipeInput(
        Keys.of(T, host),
        UpdateApplied.newBuilder()
            .setTenant(T)
            .setAt(at)
            .setHost(host)
            .setRelease("cf-291")
            .setOk(true)
            .setError(null)
            .build());
  }

  private void crashed(String host, Instant at) {
    telemetry.pipeInput(
        Keys.of(T, host),
        CrashReport.newBuilder()
            .setTenant(T)
            .setAt(at)
            .setHost(host)
            .setRelease("cf-291")
            .setSignature("PAGE_FAULT")
            .setKind("BSOD")
            .build());
  }

  private void tick(Instant at) {
    driver
        .createInputTopic(
            Topics.CLOCK.name(),
            new StringSerializer(),
            Topics.CLOCK.valueSerde(registry).serializer())
        .pipeInput("clock", new ClockTick(at));
  }

  private static SignalEvidence crash(EvidenceSnapshot p) {
    return p.getSignals().stream()
        .filter(s -> s.getSignal().equals("CRASH"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void a_point_is_recorded_with_every_ledger_entry_and_when_the_evidence_changes() {
    givenRollout();
    for (String h : List.of("h00", "h01", "h02", "h03")) {
      applied(h, T0.plusSeconds(5));
    }
    crashed("h00", T0.plusSeconds(9));

    List<KeyValue<String, EvidenceSnapshot>> points = evidence.readKeyValuesToList();
    assertThat(points).allSatisfy(kv -> assertThat(kv.key).isEqualTo(Keys.of(T, "r1")));
    EvidenceSnapshot first = points.get(0).value;
    assertThat(first.getDecision()).isEqualTo("WaveStarted");
    assertThat(first.getDecisions()).last().isEqualTo("WaveStarted");
    assertThat(first.getN()).isZero();
    assertThat(first.getAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(first.getAssigned()).isEqualTo(20);
    assertThat(first.getWave()).isEqualTo("canary");
    assertThat(first.getSignals())
        .extracting(SignalEvidence::getSignal)
        .containsExactly("CRASH", "SILENCE", "METRICS");
    assertThat(first.getSignals())
        .allSatisfy(
            s -> {
              assertThat(s.getEValue()).isEqualTo(1.0);
              assertThat(s.getThreshold()).isGreaterThan(1.0);
            });
    // the applies at the same second: the first is recorded, the others wait for the interval
    EvidenceSnapshot applied = points.get(1).value;
    assertThat(applied.getDecision()).isNull();
    assertThat(applied.getDecisions()).isEmpty();
    assertThat(applied.getApplied()).isEqualTo(1);
    assertThat(applied.getAt()).isEqualTo(T0.plusSeconds(5));
    // the crash, 4 s later: recorded with every apply before it, and the evidence it added
    EvidenceSnapshot last = points.get(points.size() - 1).value;
    assertThat(last.getAt()).isEqualTo(T0.plusSeconds(9));
    assertThat(last.getApplied()).isEqualTo(4);
    assertThat(last.getFailed()).isEqualTo(1);
    assertThat(crash(last).getUpdatedFailures()).isEqualTo(1);
    assertThat(crash(last).getEValue()).isGreaterThan(1.0);
    assertThat(last.getBaselineHosts()).isEqualTo(16);
    // numbered from 0 without a gap
    for (int i = 0; i < points.size(); i++) {
      assertThat(points.get(i).value.getN()).isEqualTo(i);
    }
    assertThat(stored()).containsExactlyElementsOf(points.stream().map(kv -> kv.value).toList());
  }

  @Test
  void a_change_held_back_by_the_interval_is_recorded_at_the_next_tick() {
    givenRollout();
    for (String h : List.of("h00", "h01", "h02", "h03")) {
      applied(h, T0.plusSeconds(5));
    }
    crashed("h00", T0.plusSeconds(9));
    crashed("h01", T0.plusSeconds(9));
    List<EvidenceSnapshot> before = evidence.readValuesToList();
    assertThat(before.get(before.size() - 1).getFailed()).isEqualTo(1);

    tick(T0.plusSeconds(12));

    List<EvidenceSnapshot> after = evidence.readValuesToList();
    assertThat(after).hasSize(1);
    assertThat(after.get(0).getFailed()).isEqualTo(2);
    assertThat(after.get(0).getAt()).isEqualTo(T0.plusSeconds(12));
    assertThat(crash(after.get(0)).getEValue())
        .isGreaterThan(crash(before.get(before.size() - 1)).getEValue());
    // a tick that changes nothing records nothing
    tick(T0.plusSeconds(14));
    assertThat(evidence.readValuesToList()).isEmpty();
  }

  @Test
  void a_promotion_names_every_entry_its_input_wrote() {
    givenRollout();
    for (String h : List.of("h00", "h01", "h02", "h03")) {
      applied(h, T0.plusSeconds(5));
    }
    // every host beats, and the clock ticks, until the canary's bake (5 minutes) has passed
    for (Instant at = T0.plusSeconds(10);
        at.isBefore(T0.plusSeconds(330));
        at = at.plusSeconds(5)) {
      for (int i = 0; i < 20; i++) {
        heartbeat("h" + (i < 10 ? "0" : "") + i, i < 4 ? "cf-291" : "cf-290", at);
      }
      tick(at);
    }

    List<EvidenceSnapshot> promoted =
        evidence.readValuesToList().stream()
            .filter(p -> p.getDecisions().contains("WavePromoted"))
            .toList();
    assertThat(promoted).hasSize(1);
    // one input wrote both: the point names both, in ledger order; decision stays the last
    assertThat(promoted.get(0).getDecisions()).containsExactly("WavePromoted", "WaveStarted");
    assertThat(promoted.get(0).getDecision()).isEqualTo("WaveStarted");
  }

  @Test
  void the_halt_is_recorded_with_the_evidence_that_decided_it() {
    givenRollout();
    for (String h : List.of("h00", "h01", "h02", "h03")) {
      applied(h, T0.plusSeconds(5));
    }
    int second = 9;
    for (String h : List.of("h00", "h01", "h02", "h03")) {
      crashed(h, T0.plusSeconds(second));
      second += 2;
    }
    List<String> entries = new ArrayList<>();
    ledger.readValuesToList().forEach(e -> entries.add(e.getClass().getSimpleName()));
    assertThat(entries).contains("RolloutHalted");

    List<EvidenceSnapshot> points = evidence.readValuesToList();
    EvidenceSnapshot halted =
        points.stream()
            .filter(p -> "RolloutHalted".equals(p.getDecision()))
            .findFirst()
            .orElseThrow();
    assertThat(halted.getStatus()).isEqualTo("HALTED");
    // every point before the halt is under the threshold; the halt's point reached it, or the
    // halt was the cap's (then the evidence is whatever it was)
    for (EvidenceSnapshot p : points) {
      if (p.getN() < halted.getN()) {
        assertThat(p.getStatus()).isEqualTo("ACTIVE");
      }
    }
    assertThat(crash(halted).getUpdatedFailures()).isGreaterThanOrEqualTo(1);
  }

  private List<EvidenceSnapshot> stored() {
    KeyValueStore<String, EvidenceSnapshot> store =
        driver.getKeyValueStore(LedgerTopology.EVIDENCE_STORE);
    List<EvidenceSnapshot> out = new ArrayList<>();
    try (KeyValueIterator<String, EvidenceSnapshot> it = store.all()) {
      it.forEachRemaining(kv -> out.add(kv.value));
    }
    return out;
  }
}
