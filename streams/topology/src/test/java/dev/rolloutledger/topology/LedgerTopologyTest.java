package dev.rolloutledger.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.avro.Apply;
import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.avro.Hold;
import dev.rolloutledger.avro.HostRegistered;
import dev.rolloutledger.avro.PlanSpec;
import dev.rolloutledger.avro.ReleasePublished;
import dev.rolloutledger.avro.RolloutHalted;
import dev.rolloutledger.avro.RolloutPlanned;
import dev.rolloutledger.avro.Severity;
import dev.rolloutledger.avro.UpdateApplied;
import dev.rolloutledger.avro.WaveSpec;
import dev.rolloutledger.avro.WaveStarted;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.LedgerHash;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.commands.CommandSignatures;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.registry.InMemorySchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LedgerTopologyTest {
  private static final String T = "acme";
  private static final String SHA = "a".repeat(64);
  private static final CommandSigningKey SIGNING_KEY = CommandSigningKey.generate();
  private final Instant t0 = Instant.parse("2024-07-19T04:09:00Z");

  @TempDir Path stateDir;
  private SchemaRegistry registry;
  private TopologyTestDriver driver;
  private TestInputTopic<String, HostRegistered> hosts;
  private TestInputTopic<String, ReleasePublished> releases;
  private TestInputTopic<String, SpecificRecord> control;
  private TestInputTopic<String, SpecificRecord> telemetry;
  private TestInputTopic<String, byte[]> rawTelemetry;
  private TestOutputTopic<String, SpecificRecord> ledger;
  private TestOutputTopic<String, SpecificRecord> commands;
  private TestOutputTopic<String, DeadLetter> deadLetters;

  @BeforeEach
  void start() {
    startWith(EngineConfig.defaults());
  }

  /** A fresh driver over a topology built with {@code config}, and its topics. */
  private void startWith(EngineConfig config) {
    registry = new InMemorySchemaRegistry();
    driver =
        new TopologyTestDriver(
            LedgerTopology.build(registry, config, SIGNING_KEY),
            LedgerStreamsConfig.properties(
                "ledger-test", "127.0.0.1:1", stateDir.toString(), registry, Map.of()));
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
    rawTelemetry =
        driver.createInputTopic(Topics.TELEMETRY.name(), keys, new ByteArraySerializer());
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
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  /** Hosts registered by their agents, each beating once: they can be reached. */
  private void givenHosts(String... ids) {
    for (String id : ids) {
      hosts.pipeInput(
          Keys.of(T, id),
          HostRegistered.newBuilder()
              .setTenant(T)
              .setAt(t0)
              .setHost(id)
              .setLabels(Map.of("env", "dev"))
              .build());
      heartbeat(id, t0, Map.of(), "cf-290");
    }
  }

  /**
   * Hosts registered but never heard from: sent no Apply when their wave starts (recorded
   * unreachable), and never reported silent by the host stage, which has not seen them.
   */
  private void givenUnseenHosts(String... ids) {
    for (String id : ids) {
      hosts.pipeInput(
          Keys.of(T, id),
          HostRegistered.newBuilder()
              .setTenant(T)
              .setAt(t0)
              .setHost(id)
              .setLabels(Map.of("env", "dev"))
              .build());
    }
  }

  private void givenRelease() {
    releases.pipeInput(
        Keys.of(T, "cf-291"),
        ReleasePublished.newBuilder()
            .setTenant(T)
            .setAt(t0)
            .setRelease("cf-291")
            .setArtifact("channel-file")
            .setVersion("291")
            .setSha256(SHA)
            .setPublisher("vendor")
            .setSeverity(Severity.NORMAL)
            .build());
  }

  private void givenRolloutWithCap(double cap) {
    givenRelease();
    control.pipeInput(
        Keys.of(T, "r1"),
        RolloutPlanned.newBuilder()
            .setTenant(T)
            .setAt(t0.plusSeconds(1))
            .setRollout("r1")
            .setRelease("cf-291")
            .setPlan(
                PlanSpec.newBuilder()
                    .setWaves(
                        List.of(
                            WaveSpec.newBuilder()
                                .setName("canary")
                                .setSelector(Map.of("env", "dev"))
                                .setMaxCrashFraction(cap)
                                .setMinCrashes(1)
                                .build(),
                            WaveSpec.newBuilder().setName("rest").setSelector(Map.of()).build()))
                    .build())
            .build());
  }

  private void applied(String host) {
    telemetry.pipeInput(
        Keys.of(T, host),
        UpdateApplied.newBuilder()
            .setTenant(T)
            .setAt(t0.plusSeconds(5))
            .setHost(host)
            .setRelease("cf-291")
            .setOk(true)
            .setError(null)
            .build());
  }

  private void crashed(String host) {
    telemetry.pipeInput(
        Keys.of(T, host),
        CrashReport.newBuilder()
            .setTenant(T)
            .setAt(t0.plusSeconds(9))
            .setHost(host)
            .setRelease("cf-291")
            .setSignature("PAGE_FAULT")
            .setKind("BSOD")
            .build());
  }

  @Nested
  class LargeWaves {
    // 12,000 hosts of 120-character ids: a WaveStarted of about 1.45 MB, over Kafka's 1 MB default
    private static final int HOSTS = 12_000;

    private String longHost(int i) {
      return "h%07d-".formatted(i) + "x".repeat(111);
    }

    @Test
    void
        a_wave_over_the_default_message_size_fits_the_limits_of_its_topic_changelog_and_producer() {
      String[] ids = new String[HOSTS];
      for (int i = 0; i < HOSTS; i++) {
        ids[i] = longHost(i);
      }
      givenHosts(ids);
      givenRolloutWithCap(0.5);

      WaveStarted started = (WaveStarted) ledger.readKeyValuesToList().get(0).value;
      assertThat(started.getHosts()).hasSize(HOSTS);
      int bytes =
          Topics.LEDGER
              .valueSerde(registry)
              .serializer()
              .serialize(Topics.LEDGER.name(), started)
              .length;
      assertThat(bytes).isGreaterThan(1 << 20);
      // what the broker and the producer will accept for it
      assertThat(Integer.parseInt(Topics.LEDGER.configs().get("max.message.bytes")))
          .isGreaterThanOrEqualTo(bytes);
      assertThat(Integer.parseInt(LedgerTopology.LEDGER_CHANGELOG_CONFIG.get("max.message.bytes")))
          .isGreaterThanOrEqualTo(bytes);
      var streamsConfig =
          LedgerStreamsConfig.properties("x", "127.0.0.1:1", "/tmp", registry, Map.of());
      assertThat((Integer) streamsConfig.get("producer.max.request.size"))
          .isGreaterThanOrEqualTo(bytes);
      assertThat((Long) streamsConfig.get("producer.buffer.memory"))
          .isGreaterThanOrEqualTo((long) bytes);
    }

    @Test
    void a_halt_of_thousands_of_hosts_sends_each_a_hold_signed_in_host_order() throws Exception {
      String[] ids = new String[HOSTS];
      for (int i = 0; i < HOSTS; i++) {
        ids[i] = "h%05d".formatted(i);
      }
      givenHosts(ids);
      givenRolloutWithCap(0.5);
      commands.readKeyValuesToList();

      control.pipeInput(
          Keys.of(T, "r1"),
          dev.rolloutledger.avro.ManualHalt.newBuilder()
              .setTenant(T)
              .setAt(t0.plusSeconds(30))
              .setRollout("r1")
              .setBy("ops")
              .setReason("test")
              .build());

      // signed on several threads, forwarded in the engine's order, each signature SunEC's
      List<KeyValue<String, SpecificRecord>> holds = commands.readKeyValuesToList();
      assertThat(holds).hasSize(HOSTS);
      for (int i = 0; i < HOSTS; i++) {
        Hold h = (Hold) holds.get(i).value;
        assertThat(h.getHost()).isEqualTo(ids[i]);
        if (i % 997 == 0) {
          java.security.Signature jdk = java.security.Signature.getInstance("Ed25519", "SunEC");
          jdk.initSign(SIGNING_KEY.privateKey());
          jdk.update(CommandSignatures.canonical(CommandSignatures.fields(h), SIGNING_KEY.keyId()));
          assertThat(h.getSignature()).isEqualTo(java.nio.ByteBuffer.wrap(jdk.sign()));
        }
      }
    }
  }

  @Nested
  class Dispatch {
    @Test
    void starts_the_first_wave_and_sends_apply_to_its_hosts() {
      givenHosts("h1", "h2", "h3");
      givenRolloutWithCap(0.5);

      List<KeyValue<String, SpecificRecord>> entries = ledger.readKeyValuesToList();
      assertThat(entries)
          .singleElement()
          .satisfies(
              kv -> {
                assertThat(kv.key).isEqualTo("acme/r1");
                assertThat(kv.value)
                    .isInstanceOfSatisfying(
                        WaveStarted.class,
                        w -> {
                          assertThat(w.getWave()).isEqualTo("canary");
                          assertThat(w.getHosts()).containsExactly("h1", "h2", "h3");
                          assertThat(w.getSeq()).isEqualTo(1);
                          assertThat(w.getPrevHash()).isEqualTo(LedgerHash.GENESIS);
                        });
              });
      List<KeyValue<String, SpecificRecord>> sent = commands.readKeyValuesToList();
      assertThat(sent)
          .allSatisfy(
              kv ->
                  assertThat(CommandSignatures.verify(kv.value, SIGNING_KEY.publicKey())).isTrue());
      assertThat(sent)
          .extracting(kv -> kv.key, kv -> kv.value.getClass(), kv -> ((Apply) kv.value).getSha256())
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("acme/h1", Apply.class, SHA),
              org.assertj.core.groups.Tuple.tuple("acme/h2", Apply.class, SHA),
              org.assertj.core.groups.Tuple.tuple("acme/h3", Apply.class, SHA));
    }
  }

  private void heartbeat(String host, Instant at, Map<String, Double> metrics, String release) {
    telemetry.pipeInput(
        Keys.of(T, host),
        dev.rolloutledger.avro.Heartbeat.newBuilder()
            .setTenant(T)
            .setAt(at)
            .setHost(host)
            .setRelease(release)
            .setMetrics(metrics)
            .build());
  }

  /** Three hosts of a one-wave rollout (cap 0.3) applied at t0 + 5 s, the ledger read. */
  private void givenThreeAppliedHosts() {
    givenHosts("h1", "h2", "h3");
    givenRolloutWithCap(0.3);
    applied("h1");
    applied("h2");
    applied("h3");
    ledger.readValuesToList();
  }

  /**
   * Ticks every 5 s after {@code after} up to {@code to}, as a running server records them (every
   * second in production): a longer gap in the recorded clock is the system's own outage (ADR
   * 0008).
   */
  private void ticksUntil(Instant after, Instant to) {
    for (Instant at = after.plusSeconds(5); at.isBefore(to); at = at.plusSeconds(5)) {
      tick(at);
    }
    tick(to);
  }

  private void tick(Instant at) {
    driver
        .createInputTopic(
            Topics.CLOCK.name(),
            new StringSerializer(),
            Topics.CLOCK.valueSerde(registry).serializer())
        .pipeInput("clock", new dev.rolloutledger.avro.ClockTick(at));
  }

  /**
   * A two-wave plan over dev hosts: canary (2 hosts, bake PT10M, cap 0.3), then the rest; cpu limit
   * 0.95.
   */
  private void givenCanaryOfTwo() {
    givenHosts("h1", "h2");
    givenUnseenHosts("h3", "h4"); // the baseline: nothing heard of them until a test says so
    givenRelease();
    control.pipeInput(
        Keys.of(T, "r1"),
        RolloutPlanned.newBuilder()
            .setTenant(T)
            .setAt(t0.plusSeconds(1))
            .setRollout("r1")
            .setRelease("cf-291")
            .setPlan(
                PlanSpec.newBuilder()
                    .setLimits(Map.of("cpu", 0.95))
                    .setWaves(
                        List.of(
                            WaveSpec.newBuilder()
                                .setName("canary")
                                .setSelector(Map.of("env", "dev"))
                                .setHosts(2)
                                .setBake("PT10M")
                                .setMaxCrashFraction(0.3)
                                .build(),
                            WaveSpec.newBuilder().setName("rest").setSelector(Map.of()).build()))
                    .build())
            .build());
    applied("h1");
    applied("h2");
  }

  @Nested
  class Signals {
    @Test
    void hot_but_alive_hosts_halt_the_wave() {
      givenCanaryOfTwo();
      heartbeat("h1", t0.plusSeconds(30), Map.of("cpu", 1.0), "cf-291");

      assertThat(ledger.readValuesToList())
          .filteredOn(v -> v instanceof RolloutHalted)
          .singleElement()
          .satisfies(
              v -> assertThat(((RolloutHalted) v).getReason()).isEqualTo("metrics over limits"));
    }

    @Test
    void a_failure_that_starts_after_the_first_look_is_caught_inside_the_bake() {
      // Azure Front Door 2025: healthy at first, crashing minutes after apply.
      givenCanaryOfTwo();
      heartbeat("h1", t0.plusSeconds(120), Map.of("cpu", 0.2), "cf-291");
      heartbeat("h2", t0.plusSeconds(120), Map.of("cpu", 0.2), "cf-291");
      tick(t0.plusSeconds(150));
      assertThat(ledger.readValuesToList()).noneMatch(v -> v instanceof RolloutHalted);

      telemetry.pipeInput(
          Keys.of(T, "h2"),
          CrashReport.newBuilder()
              .setTenant(T)
              .setAt(t0.plusSeconds(8 * 60))
              .setHost("h2")
              .setRelease("cf-291")
              .setSignature("AV")
              .setKind("crash")
              .build());

      assertThat(ledger.readValuesToList()).anyMatch(v -> v instanceof RolloutHalted);
      assertThat(commands.readValuesToList())
          .filteredOn(v -> v instanceof Apply)
          .extracting(v -> ((Apply) v).getHost())
          .containsOnly("h1", "h2");
    }

    @Test
    void a_shock_that_silences_updated_and_baseline_hosts_alike_does_not_halt() {
      givenCanaryOfTwo();
      heartbeat(
          "h3", t0.plusSeconds(6), Map.of(), "cf-290"); // baseline hosts, on the previous release
      heartbeat("h4", t0.plusSeconds(6), Map.of(), "cf-290");
      // the region goes dark: nobody reports any more, and the clock ticks every second (the host
      // stage reports each quiet host a tick before the shock rule counts it, ADR 0007)
      for (int s = 7; s <= 60; s++) {
        tick(t0.plusSeconds(s));
      }

      assertThat(ledger.readValuesToList()).noneMatch(v -> v instanceof RolloutHalted);
      assertThat(commands.readValuesToList()).noneMatch(v -> v instanceof Hold);
    }

    @Test
    void a_halt_holds_while_the_signal_comes_and_goes() {
      // Cloudflare 2025: good and bad files alternate; a HALT must not be undone by a good spell.
      givenCanaryOfTwo();
      heartbeat("h1", t0.plusSeconds(30), Map.of("cpu", 1.0), "cf-291");
      ledger.readValuesToList();
      commands.readValuesToList();

      heartbeat("h1", t0.plusSeconds(60), Map.of("cpu", 0.1), "cf-291");
      heartbeat("h2", t0.plusSeconds(60), Map.of("cpu", 0.1), "cf-291");
      tick(t0.plusSeconds(3600));

      assertThat(ledger.readValuesToList()).isEmpty();
      assertThat(commands.readValuesToList()).noneMatch(v -> v instanceof Apply);
      assertThat(
              ((KeyValueStore<String, dev.rolloutledger.avro.state.RolloutSnapshot>)
                      driver.<String, dev.rolloutledger.avro.state.RolloutSnapshot>getKeyValueStore(
                          LedgerTopology.ROLLOUTS_STORE))
                  .get("acme/r1")
                  .getStatus()
                  .name())
          .isEqualTo("HALTED");
    }
  }

  @Nested
  class Silence {
    /** Three hosts of a one-wave rollout (cap 0.3) applied at t0 + 5 s; the clock topic. */
    private TestInputTopic<String, dev.rolloutledger.avro.ClockTick> threeAppliedHosts() {
      givenThreeAppliedHosts();
      TestInputTopic<String, dev.rolloutledger.avro.ClockTick> clock =
          driver.createInputTopic(
              Topics.CLOCK.name(),
              new StringSerializer(),
              Topics.CLOCK.valueSerde(registry).serializer());
      return clock;
    }

    @Test
    void a_clock_tick_past_the_heartbeat_timeout_halts_a_wave_whose_hosts_went_silent() {
      TestInputTopic<String, dev.rolloutledger.avro.ClockTick> clock = threeAppliedHosts();

      ticksUntil(t0, t0.plusSeconds(20));
      assertThat(ledger.readValuesToList()).isEmpty();
      ticksUntil(t0.plusSeconds(20), t0.plusSeconds(40));

      assertThat(ledger.readValuesToList())
          .singleElement()
          .isInstanceOfSatisfying(
              RolloutHalted.class,
              h -> {
                assertThat(h.getReason()).isEqualTo("silent hosts");
                assertThat(h.getEvidence()).containsEntry("silent", "3");
              });
      assertThat(commands.readValuesToList()).filteredOn(v -> v instanceof Hold).hasSize(3);
    }

    @Test
    void a_flapping_signal_that_comes_back_does_not_undo_the_halt() {
      // Cloudflare 2025: a bad artifact comes and goes; hosts die, then beat again.
      TestInputTopic<String, dev.rolloutledger.avro.ClockTick> clock = threeAppliedHosts();
      // the host stage reports the quiet hosts at one tick, the engine judges them at a later one
      ticksUntil(t0, t0.plusSeconds(40));
      assertThat(ledger.readValuesToList()).singleElement().isInstanceOf(RolloutHalted.class);
      commands.readValuesToList();

      // the signal goes away: every host is back, healthy, long past any bake
      for (String h : List.of("h1", "h2", "h3")) {
        heartbeat(h, t0.plus(Duration.ofHours(3)), Map.of(), "cf-291");
      }
      clock.pipeInput(
          "clock",
          new dev.rolloutledger.avro.ClockTick(t0.plus(Duration.ofHours(3)).plusSeconds(1)));

      assertThat(ledger.readValuesToList()).isEmpty(); // no promotion, no second entry
      assertThat(commands.readValuesToList()).noneMatch(v -> v instanceof Apply);
    }
  }

  @Nested
  class Outage {
    @Test
    void a_gap_in_the_recorded_clock_is_recorded_in_the_ledger_and_judges_no_host() {
      givenThreeAppliedHosts();
      for (int sec = 5; sec <= 60; sec += 5) {
        for (String h : List.of("h1", "h2", "h3")) {
          heartbeat(h, t0.plusSeconds(sec), Map.of(), "cf-291");
        }
        tick(t0.plusSeconds(sec));
      }
      assertThat(ledger.readValuesToList()).isEmpty();

      // the system was down from 60 to 300: nothing recorded, then the clock goes on
      tick(t0.plusSeconds(300));

      List<SpecificRecord> entries = ledger.readValuesToList();
      assertThat(entries)
          .singleElement()
          .isInstanceOfSatisfying(
              dev.rolloutledger.avro.OutageRecorded.class,
              o -> {
                assertThat(o.getFrom()).isEqualTo(t0.plusSeconds(60));
                assertThat(o.getAt()).isEqualTo(t0.plusSeconds(300));
                assertThat(o.getGraceUntil()).isEqualTo(t0.plusSeconds(330));
                assertThat(o.getSeq()).isEqualTo(2);
              });
      // the hosts are heard again within the grace: no verdict, no Hold
      for (int sec = 305; sec <= 400; sec += 5) {
        if (sec % 10 == 0) {
          for (String h : List.of("h1", "h2", "h3")) {
            heartbeat(h, t0.plusSeconds(sec), Map.of(), "cf-291");
          }
        }
        tick(t0.plusSeconds(sec));
      }
      assertThat(ledger.readValuesToList()).isEmpty();
      assertThat(commands.readValuesToList()).noneMatch(v -> v instanceof Hold);
    }
  }

  @Nested
  class HostStage {
    private TestOutputTopic<String, SpecificRecord> journal() {
      return driver.createOutputTopic(
          Topics.INPUTS.name(),
          new StringDeserializer(),
          Topics.INPUTS.valueSerde(registry).deserializer());
    }

    @Test
    void a_heartbeat_that_says_still_alive_is_absorbed_and_news_reaches_the_journal() {
      givenCanaryOfTwo();
      TestOutputTopic<String, SpecificRecord> journal = journal();
      journal.readValuesToList();

      heartbeat("h1", t0.plusSeconds(10), Map.of("cpu", 0.2), "cf-291");
      heartbeat("h1", t0.plusSeconds(20), Map.of("cpu", 0.3), "cf-291");
      assertThat(journal.readValuesToList()).isEmpty();

      heartbeat("h1", t0.plusSeconds(30), Map.of("cpu", 0.99), "cf-291"); // over the 0.95 ceiling
      assertThat(journal.readKeyValuesToList())
          .singleElement()
          .satisfies(
              kv -> {
                assertThat(kv.key).isEqualTo(T); // re-keyed by tenant for the decision stage
                assertThat(kv.value).isInstanceOf(dev.rolloutledger.avro.Heartbeat.class);
              });
    }

    @Test
    void the_host_stage_reports_a_host_whose_heartbeats_stopped_and_the_engine_halts() {
      givenCanaryOfTwo();
      TestOutputTopic<String, SpecificRecord> journal = journal();
      for (int s = 6; s <= 21; s++) {
        tick(t0.plusSeconds(s));
      }
      assertThat(journal.readValuesToList())
          .filteredOn(v -> v instanceof dev.rolloutledger.avro.HostSilent)
          .extracting(v -> ((dev.rolloutledger.avro.HostSilent) v).getDetector())
          .containsOnly("host-stage")
          .hasSize(2);
      for (int s = 22; s <= 40; s++) {
        tick(t0.plusSeconds(s));
      }
      assertThat(ledger.readValuesToList())
          .filteredOn(v -> v instanceof RolloutHalted)
          .singleElement()
          .satisfies(h -> assertThat(((RolloutHalted) h).getReason()).isEqualTo("silent hosts"));
    }

    @Test
    void a_producer_cannot_report_in_the_host_stages_name() {
      telemetry.pipeInput(
          Keys.of(T, "h1"),
          dev.rolloutledger.avro.HostSilent.newBuilder()
              .setTenant(T)
              .setAt(t0.plusSeconds(10))
              .setHost("h1")
              .setLastSeenAt(t0)
              .setDetector("host-stage")
              .build());
      assertThat(deadLetters.readValuesToList())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.getReason()).contains("detector");
                assertThat(d.getSourceTopic()).isEqualTo(Topics.TELEMETRY.name());
              });
    }
  }

  @Nested
  class FanOut {
    /** What the decision stage reads: the journal, continuations included. */
    private TestOutputTopic<String, SpecificRecord> journal() {
      return driver.createOutputTopic(
          Topics.INPUTS.name(),
          new StringDeserializer(),
          Topics.INPUTS.valueSerde(registry).deserializer());
    }

    @Test
    void a_halt_sends_its_entry_and_first_chunk_then_the_rest_through_the_journal() {
      driver.close();
      startWith(EngineConfig.defaults().withFanOutChunk(2));
      TestOutputTopic<String, SpecificRecord> journal = journal();
      givenHosts("h1", "h2", "h3", "h4", "h5");
      givenRolloutWithCap(0.3);
      commands.readValuesToList();
      ledger.readValuesToList();
      control.pipeInput(
          Keys.of(T, "r1"),
          dev.rolloutledger.avro.ManualHalt.newBuilder()
              .setTenant(T)
              .setAt(t0.plusSeconds(10))
              .setRollout("r1")
              .setBy("alice")
              .setReason("drill")
              .build());

      assertThat(ledger.readValuesToList()).singleElement().isInstanceOf(RolloutHalted.class);
      assertThat(commands.readKeyValuesToList())
          .allSatisfy(kv -> assertThat(kv.value).isInstanceOf(Hold.class))
          .extracting(kv -> kv.key)
          .containsExactly(
              Keys.of(T, "h1"),
              Keys.of(T, "h2"),
              Keys.of(T, "h3"),
              Keys.of(T, "h4"),
              Keys.of(T, "h5"));
      // two continuations, each in the journal between the chunks it separates
      assertThat(journal.readValuesToList())
          .filteredOn(v -> v instanceof dev.rolloutledger.avro.FanOutContinued)
          .extracting(v -> ((dev.rolloutledger.avro.FanOutContinued) v).getAfter())
          .containsExactly("h2", "h4");
    }

    @Test
    void a_plan_binds_its_hosts_chunk_by_chunk_through_the_journal_then_starts() {
      driver.close();
      startWith(EngineConfig.defaults().withAssignChunk(2));
      TestOutputTopic<String, SpecificRecord> journal = journal();
      givenHosts("h1", "h2", "h3", "h4", "h5");
      givenRolloutWithCap(0.3);

      // 5 hosts, 2 a transaction: two continuations, then the first wave starts with all five
      assertThat(journal.readValuesToList())
          .filteredOn(v -> v instanceof dev.rolloutledger.avro.AssignmentContinued)
          .extracting(v -> ((dev.rolloutledger.avro.AssignmentContinued) v).getAfter())
          .containsExactly("h2", "h4");
      assertThat(ledger.readValuesToList())
          .first()
          .isInstanceOfSatisfying(
              dev.rolloutledger.avro.WaveStarted.class,
              w -> assertThat(w.getHosts()).containsExactly("h1", "h2", "h3", "h4", "h5"));
    }
  }

  @Nested
  class Promotion {
    private void beatAndTick(int sec) {
      if (sec % 10 == 0) {
        heartbeat("h1", t0.plusSeconds(sec), Map.of(), "cf-291");
        heartbeat("h2", t0.plusSeconds(sec), Map.of(), "cf-291");
      }
      tick(t0.plusSeconds(sec));
    }

    @Test
    void promotes_the_wave_at_the_first_tick_once_its_bake_has_passed_in_event_time() {
      givenHosts("h1", "h2");
      hosts.pipeInput(
          Keys.of(T, "p1"),
          HostRegistered.newBuilder()
              .setTenant(T)
              .setAt(t0)
              .setHost("p1")
              .setLabels(Map.of("env", "prod"))
              .build());
      givenRolloutWithCap(0.5); // canary bakes PT5M (the schema default)
      applied("h1");
      applied("h2");
      ledger.readValuesToList();

      // both hosts beat every 10 s and the clock ticks every 5 s: nothing before the bake passed
      for (int sec = 5; sec <= 4 * 60; sec += 5) {
        beatAndTick(sec);
      }
      assertThat(ledger.readValuesToList()).isEmpty();

      // heartbeats after the bake are absorbed by the host stage (ADR 0007): time moves on with
      // the clock, so the wave promotes at the first tick after its bake
      for (int sec = 4 * 60 + 5; sec <= 6 * 60; sec += 5) {
        beatAndTick(sec);
      }
      List<SpecificRecord> entries = ledger.readValuesToList();
      assertThat(entries)
          .extracting(e -> e.getSchema().getName())
          .containsExactly("WavePromoted", "WaveStarted");
      assertThat(((WaveStarted) entries.get(1)).getHosts()).containsExactly("p1");
      // what the wave had shown is recorded with the promotion
      assertThat(((dev.rolloutledger.avro.WavePromoted) entries.get(0)).getEvidence())
          .containsEntry("applied", "2")
          .containsEntry("failed", "0")
          .containsKeys("crash.safetyEvidence", "silence.eValue");
      // at the first tick once the bake (PT5M, the schema default) has passed
      Instant bakePassed = ((WaveStarted) entries.get(1)).getAt();
      assertThat(bakePassed)
          .isAfterOrEqualTo(t0.plusSeconds(5 * 60))
          .isBefore(t0.plusSeconds(5 * 60 + 10));
    }
  }

  @Nested
  class Halt {
    @Test
    void halts_and_holds_every_host_when_the_crash_fraction_passes_the_cap() {
      givenHosts("h1", "h2", "h3");
      givenRolloutWithCap(0.3);
      applied("h1");
      applied("h2");
      ledger.readKeyValuesToList();
      commands.readKeyValuesToList();

      crashed("h1"); // 1 crashed of 2 applied = 0.5 > 0.3

      List<SpecificRecord> entries = ledger.readValuesToList();
      assertThat(entries)
          .singleElement()
          .isInstanceOfSatisfying(
              RolloutHalted.class,
              h -> {
                assertThat(h.getWave()).isEqualTo("canary");
                assertThat(h.getSeq()).isEqualTo(2);
                assertThat(h.getEvidence()).containsEntry("crashed", "1");
              });
      assertThat(commands.readKeyValuesToList())
          .allSatisfy(kv -> assertThat(kv.value).isInstanceOf(Hold.class))
          .extracting(kv -> kv.key)
          .containsExactly("acme/h1", "acme/h2", "acme/h3");
    }

    @Test
    void does_not_halt_while_the_crash_fraction_is_within_the_cap() {
      givenHosts("h1", "h2", "h3");
      givenRolloutWithCap(0.5);
      applied("h1");
      applied("h2");
      ledger.readKeyValuesToList();
      commands.readKeyValuesToList();

      crashed("h1"); // 1 of 2 = 0.5, not past 0.5

      assertThat(ledger.readValuesToList()).noneMatch(v -> v instanceof RolloutHalted);
      assertThat(commands.readValuesToList()).noneMatch(v -> v instanceof Hold);
    }

    @Test
    void chains_each_entry_to_the_hash_of_the_previous_one() {
      givenHosts("h1", "h2");
      givenRolloutWithCap(0.1);
      crashed("h2");

      List<SpecificRecord> entries = ledger.readValuesToList();
      assertThat(entries).hasSize(2);
      WaveStarted first = (WaveStarted) entries.get(0);
      RolloutHalted second = (RolloutHalted) entries.get(1);
      assertThat(second.getPrevHash()).isEqualTo(first.getHash());
      assertThat(first.getHash()).isEqualTo(LedgerHash.of(AvroMapper.entryToDomain(first)));
    }

    @Test
    void a_person_resuming_a_halted_rollout_is_recorded_in_the_ledger_before_anything_moves() {
      givenHosts("h1", "h2");
      givenRolloutWithCap(0.1);
      crashed("h1");
      ledger.readValuesToList();

      control.pipeInput(
          Keys.of(T, "r1"),
          dev.rolloutledger.avro.RolloutResumed.newBuilder()
              .setTenant(T)
              .setAt(t0.plusSeconds(60))
              .setRollout("r1")
              .setBy("alice")
              .setReason("false alarm")
              .build());

      List<SpecificRecord> entries = ledger.readValuesToList();
      assertThat(entries.get(0))
          .isInstanceOfSatisfying(
              dev.rolloutledger.avro.HaltLifted.class,
              h -> {
                assertThat(h.getBy()).isEqualTo("alice");
                assertThat(h.getSeq()).isEqualTo(3);
              });
    }

    @Test
    void keeps_the_rollout_state_in_the_rollouts_store() {
      givenHosts("h1");
      givenRolloutWithCap(0.1);
      crashed("h1");
      KeyValueStore<String, dev.rolloutledger.avro.state.RolloutSnapshot> store =
          driver.getKeyValueStore(LedgerTopology.ROLLOUTS_STORE);
      assertThat(store.get("acme/r1").getStatus().name()).isEqualTo("HALTED");
    }
  }

  @Nested
  class PoisonRecords {
    @Test
    void skips_a_record_that_is_not_in_the_wire_format_and_keeps_going() {
      // The dead letter the deserialization handler writes for it is asserted on the real broker
      // (LedgerPipelineIT): TopologyTestDriver 4.4 does not capture handler dead-letter records.
      givenHosts("h1", "h2");
      givenRolloutWithCap(0.4);
      rawTelemetry.pipeInput(
          Keys.of(T, "h1"), "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8));
      crashed("h1");

      assertThat(ledger.readValuesToList()).anyMatch(v -> v instanceof RolloutHalted);
    }

    @Test
    void dead_letters_an_event_with_an_invalid_field_naming_the_field() {
      telemetry.pipeInput(
          Keys.of(T, "h1"),
          CrashReport.newBuilder()
              .setTenant(T)
              .setAt(t0)
              .setHost(" ")
              .setRelease("cf-291")
              .setSignature("x")
              .setKind("BSOD")
              .build());

      DeadLetter dead = deadLetters.readValue();
      assertThat(dead.getReason()).contains("host");
      assertThat(dead.getTenant()).isEqualTo(T);
      assertThat(dead.getSourceTopic()).isEqualTo(Topics.TELEMETRY.name());
      assertThat(dead.getOffset()).isZero();
    }

    @Test
    void a_rollout_the_owner_pinned_away_is_halted_in_its_ledger_and_dispatches_nothing() {
      givenHosts("h1");
      control.pipeInput(
          Keys.of(T, "policy"),
          dev.rolloutledger.avro.PolicySet.newBuilder()
              .setTenant(T)
              .setAt(t0)
              .setPolicy(
                  dev.rolloutledger.avro.OwnerPolicySpec.newBuilder()
                      .setPin("cf-290")
                      .setBy("owner")
                      .build())
              .build());
      givenRolloutWithCap(0.4);

      // a decision of the owner's policy, not bad input: the ledger says why
      assertThat(ledger.readValuesToList())
          .singleElement()
          .isInstanceOfSatisfying(
              RolloutHalted.class,
              h ->
                  assertThat(h.getEvidence().get("refusal").toString())
                      .contains("pinned to release cf-290"));
      assertThat(deadLetters.isEmpty()).isTrue();
      assertThat(commands.isEmpty()).isTrue();
    }

    @Test
    void dead_letters_a_rejected_input_with_its_original_coordinates() {
      givenHosts("h1");
      givenRolloutWithCap(0.4);
      givenRolloutWithCap(0.4); // same rollout id again: rejected by the engine

      DeadLetter dead = deadLetters.readValue();
      assertThat(dead.getReason()).startsWith("rejected");
      assertThat(dead.getSourceTopic()).isEqualTo(Topics.ROLLOUT_CONTROL.name());
      assertThat(dead.getOffset()).isEqualTo(1);
    }
  }

  /** Ids every door refuses: a '/', a NUL, a tab, and 200 characters. */
  static java.util.stream.Stream<String> badIds() {
    return java.util.stream.Stream.of("h/1", "h\u00001", "h\t1", "h".repeat(200));
  }

  /** A heartbeat, then a crash report of h1: the stream still runs when a halt comes out. */
  private void streamStillRuns() {
    deadLetters.readValuesToList();
    givenHosts("h1", "h2");
    givenRolloutWithCap(0.4);
    applied("h1");
    crashed("h1");
    assertThat(ledger.readValuesToList()).anyMatch(v -> v instanceof RolloutHalted);
  }

  private DeadLetter onlyDeadLetter() {
    List<DeadLetter> dead = deadLetters.readValuesToList();
    assertThat(dead).hasSize(1);
    return dead.get(0);
  }

  private dev.rolloutledger.avro.ManualHalt halt(
      String tenant, Instant at, String rollout, String by) {
    return dev.rolloutledger.avro.ManualHalt.newBuilder()
        .setTenant(tenant)
        .setAt(at)
        .setRollout(rollout)
        .setBy(by)
        .setReason("stop")
        .build();
  }

  private dev.rolloutledger.avro.Heartbeat beat(String tenant, Instant at, String host) {
    return dev.rolloutledger.avro.Heartbeat.newBuilder()
        .setTenant(tenant)
        .setAt(at)
        .setHost(host)
        .setRelease(null)
        .setMetrics(Map.of())
        .build();
  }

  @Nested
  class KafkaDoors {
    @ParameterizedTest
    @MethodSource("dev.rolloutledger.topology.LedgerTopologyTest#badIds")
    void a_host_id_the_http_api_refuses_is_dead_lettered_on_ledger_hosts(String id) {
      hosts.pipeInput(
          T + "/" + id,
          HostRegistered.newBuilder()
              .setTenant(T)
              .setAt(t0)
              .setHost(id)
              .setLabels(Map.of())
              .build());

      DeadLetter dead = onlyDeadLetter();
      assertThat(dead.getReason()).startsWith("invalid field host:");
      assertThat(dead.getSourceTopic()).isEqualTo(Topics.HOSTS.name());
      streamStillRuns();
    }

    @ParameterizedTest
    @MethodSource("dev.rolloutledger.topology.LedgerTopologyTest#badIds")
    void a_release_id_the_http_api_refuses_is_dead_lettered_on_ledger_releases(String id) {
      releases.pipeInput(
          T + "/" + id,
          ReleasePublished.newBuilder()
              .setTenant(T)
              .setAt(t0)
              .setRelease(id)
              .setArtifact("channel-file")
              .setVersion("291")
              .setSha256(SHA)
              .setPublisher("vendor")
              .setSeverity(Severity.NORMAL)
              .build());

      assertThat(onlyDeadLetter().getReason()).startsWith("invalid field release:");
      streamStillRuns();
    }

    @ParameterizedTest
    @MethodSource("dev.rolloutledger.topology.LedgerTopologyTest#badIds")
    void rollout_and_by_ids_the_http_api_refuses_are_dead_lettered_on_rollout_control(String id) {
      control.pipeInput(T + "/" + id, halt(T, t0, id, "ops"));
      assertThat(onlyDeadLetter().getReason()).startsWith("invalid field rollout:");

      control.pipeInput(Keys.of(T, "r9"), halt(T, t0, "r9", id));
      assertThat(onlyDeadLetter().getReason()).startsWith("invalid field by:");

      control.pipeInput(
          Keys.of(T, "r9"),
          dev.rolloutledger.avro.ApprovalGranted.newBuilder()
              .setTenant(T)
              .setAt(t0)
              .setRollout("r9")
              .setWave(id)
              .setBy("ops")
              .build());
      assertThat(onlyDeadLetter().getReason()).startsWith("invalid field wave:");
      streamStillRuns();
    }

    @ParameterizedTest
    @MethodSource("dev.rolloutledger.topology.LedgerTopologyTest#badIds")
    void a_wave_name_the_http_api_refuses_is_dead_lettered_in_a_plan(String id) {
      givenRelease();
      control.pipeInput(
          Keys.of(T, "r9"),
          RolloutPlanned.newBuilder()
              .setTenant(T)
              .setAt(t0)
              .setRollout("r9")
              .setRelease("cf-291")
              .setPlan(
                  PlanSpec.newBuilder()
                      .setWaves(
                          List.of(WaveSpec.newBuilder().setName(id).setSelector(Map.of()).build()))
                      .build())
              .build());

      assertThat(onlyDeadLetter().getReason()).startsWith("invalid field plan.waves[0].name:");
    }

    @ParameterizedTest
    @MethodSource("dev.rolloutledger.topology.LedgerTopologyTest#badIds")
    void a_host_id_the_http_api_refuses_is_dead_lettered_on_ledger_telemetry(String id) {
      telemetry.pipeInput(T + "/" + id, beat(T, t0, id));

      DeadLetter dead = onlyDeadLetter();
      assertThat(dead.getReason()).startsWith("invalid field host:");
      assertThat(dead.getSourceTopic()).isEqualTo(Topics.TELEMETRY.name());
      streamStillRuns();
    }

    @ParameterizedTest
    @MethodSource("dev.rolloutledger.topology.LedgerTopologyTest#badIds")
    void a_release_id_the_http_api_refuses_is_dead_lettered_on_ledger_telemetry(String id) {
      telemetry.pipeInput(
          Keys.of(T, "h1"),
          UpdateApplied.newBuilder()
              .setTenant(T)
              .setAt(t0)
              .setHost("h1")
              .setRelease(id)
              .setOk(true)
              .setError(null)
              .build());

      assertThat(onlyDeadLetter().getReason()).startsWith("invalid field release:");
      streamStillRuns();
    }

    @Test
    void a_time_before_1970_is_dead_lettered_on_every_input_topic() {
      Instant before = Instant.parse("1969-12-31T23:59:59Z");
      telemetry.pipeInput(Keys.of(T, "h1"), beat(T, before, "h1"));
      assertThat(onlyDeadLetter().getReason()).startsWith("invalid field at:");

      control.pipeInput(Keys.of(T, "r9"), halt(T, before, "r9", "ops"));
      assertThat(onlyDeadLetter().getReason()).startsWith("invalid field at:");

      tick(before);
      assertThat(onlyDeadLetter().getReason()).startsWith("invalid field at:");
      streamStillRuns();
    }

    @Test
    void a_key_naming_another_tenant_is_dead_lettered_on_every_input_topic() {
      hosts.pipeInput(
          "other/h1",
          HostRegistered.newBuilder()
              .setTenant(T)
              .setAt(t0)
              .setHost("h1")
              .setLabels(Map.of())
              .build());
      assertThat(onlyDeadLetter().getReason())
          .isEqualTo("invalid field key: tenant 'other' differs from the value's tenant 'acme'");

      control.pipeInput("other/r9", halt(T, t0, "r9", "ops"));
      assertThat(onlyDeadLetter().getReason()).startsWith("invalid field key: tenant 'other'");

      telemetry.pipeInput("other/h1", beat(T, t0, "h1"));
      assertThat(onlyDeadLetter().getReason()).startsWith("invalid field key: tenant 'other'");

      telemetry.pipeInput(null, beat(T, t0, "h1"));
      assertThat(onlyDeadLetter().getReason()).startsWith("invalid field key:");
      streamStillRuns();
    }

    @Test
    void a_key_naming_another_host_of_the_tenant_is_dead_lettered() {
      telemetry.pipeInput(Keys.of(T, "h2"), beat(T, t0, "h1"));

      assertThat(onlyDeadLetter().getReason())
          .isEqualTo("invalid field key: must be acme/h1, was acme/h2");
      streamStillRuns();
    }
  }
}
