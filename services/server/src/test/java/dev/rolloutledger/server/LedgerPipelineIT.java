package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.avro.Hold;
import dev.rolloutledger.avro.HostBack;
import dev.rolloutledger.avro.HostSilent;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.commands.CommandSignatures;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.auth.Role;
import dev.rolloutledger.topology.LedgerQueries;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole loop on a real KRaft broker: HTTP in, the topology, commands out to read_committed
 * consumers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerPipelineIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA = "b".repeat(64);

  private Path stateDir;
  private String applicationId;
  private TestServer server;
  private String tenant;
  private String admin; // a token of the tenant: the pipeline is exercised, not the roles

  @BeforeAll
  void startServer() throws java.io.IOException {
    stateDir = java.nio.file.Files.createTempDirectory("ledger-it-state");
    applicationId = "it-pipeline-" + UUID.randomUUID();
    server = new TestServer(applicationId, stateDir);
  }

  @AfterAll
  void stopServer() {
    server.close();
  }

  @BeforeEach
  void freshTenant() {
    tenant = "t" + UUID.randomUUID().toString().substring(0, 8);
    admin = server.token(tenant, Role.ADMIN);
  }

  private String api(String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  private HttpResponse<String> post(String path, String json) {
    return server.post(admin, path, json);
  }

  private HttpResponse<String> put(String path, String json) {
    return server.put(admin, path, json);
  }

  private HttpResponse<String> get(String path) {
    return server.get(admin, path);
  }

  private void givenARolloutOfThreeDevHosts(double cap) {
    assertThat(
            post(
                    api("/hosts"),
                    """
        [{"host": "h1", "labels": {"env": "dev"}},
         {"host": "h2", "labels": {"env": "dev"}},
         {"host": "h3", "labels": {"env": "dev"}}]""")
                .statusCode())
        .isEqualTo(202);
    server.reachable(admin, tenant, "h1", "h2", "h3");
    assertThat(
            post(
                    api("/releases"),
                    """
        {"release": "cf-291", "artifact": "channel-file", "version": "291", "sha256": "%s", "publisher": "vendor"}
        """
                        .formatted(SHA))
                .statusCode())
        .isEqualTo(202);
    HttpResponse<String> created =
        post(
            api("/rollouts"),
            """
        {"rollout": "r1", "release": "cf-291",
         "plan": {"waves": [{"name": "canary", "selector": {"env": "dev"}, "maxCrashFraction": %s}]}}
        """
                .formatted(cap));
    assertThat(created.statusCode()).isEqualTo(202);
    assertThat(created.headers().firstValue("Location")).hasValue(api("/rollouts/r1"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> get(api("/rollouts/r1")).statusCode() == 200);
  }

  private JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  @Nested
  class Halt {
    @Test
    void crash_reports_over_http_halt_the_rollout_and_hold_commands_reach_read_committed_consumers()
        throws Exception {
      givenARolloutOfThreeDevHosts(0.3);

      HttpResponse<String> posted =
          post(
              api("/telemetry"),
              """
          [{"type": "applied", "host": "h1", "release": "cf-291", "ok": true},
           {"type": "heartbeat", "host": "h1", "release": "cf-291", "metrics": {"cpu": 0.4}},
           {"type": "applied", "host": "h2", "release": "cf-291", "ok": true},
           {"type": "crash", "host": "h1", "release": "cf-291", "signature": "PAGE_FAULT", "kind": "BSOD"}]""");
      assertThat(posted.statusCode()).isEqualTo(202);
      assertThat(json(posted).get("accepted").asInt()).isEqualTo(4);

      List<String> holds = new ArrayList<>();
      try (KafkaConsumer<String, SpecificRecord> consumer =
          readCommitted(Topics.COMMANDS.valueSerde(registry()).deserializer())) {
        TestKafka.fromStart(consumer, Topics.COMMANDS.name());
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  for (ConsumerRecord<String, SpecificRecord> r :
                      consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() instanceof Hold h && h.getTenant().equals(tenant)) {
                      // every command is signed with the key the server publishes
                      assertThat(CommandSignatures.verify(h, publishedKey())).isTrue();
                      holds.add(r.key());
                    }
                  }
                  assertThat(holds)
                      .containsExactlyInAnyOrder(
                          Keys.of(tenant, "h1"), Keys.of(tenant, "h2"), Keys.of(tenant, "h3"));
                });
      }

      JsonNode ledger = json(get(api("/rollouts/r1/ledger")));
      assertThat(ledger.get("entries"))
          .extracting(e -> e.get("type").asText())
          .containsExactly("WaveStarted", "RolloutHalted");
      assertThat(ledger.get("entries").get(1).get("prevHash").asText())
          .isEqualTo(ledger.get("entries").get(0).get("hash").asText());
      assertThat(json(get(api("/rollouts/r1"))).get("status").asText()).isEqualTo("HALTED");

      // a restart of the server keeps the ledger (state is restored from Kafka) and the tokens
      server.close();
      server = new TestServer(applicationId, stateDir);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertThat(json(get(api("/rollouts/r1/ledger"))).get("entries")).hasSize(2));
    }
  }

  @Nested
  class Silence {
    @Test
    void hosts_that_apply_and_then_fall_silent_are_halted_by_the_recorded_clock() throws Exception {
      assertThat(
              post(
                      api("/hosts"),
                      """
          [{"host": "s1", "labels": {"env": "dev"}}, {"host": "s2", "labels": {"env": "dev"}}]""")
                  .statusCode())
          .isEqualTo(202);
      server.reachable(admin, tenant, "s1", "s2");
      post(
          api("/releases"),
          """
          {"release": "cf-291", "artifact": "channel-file", "version": "291", "sha256": "%s", "publisher": "vendor"}
          """
              .formatted(SHA));
      post(
          api("/rollouts"),
          """
          {"rollout": "r2", "release": "cf-291",
           "plan": {"heartbeatTimeout": "PT2S", "waves": [{"name": "canary", "selector": {"env": "dev"}}]}}""");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> get(api("/rollouts/r2")).statusCode() == 200);

      // both apply, then nothing: the CrowdStrike shape
      post(
          api("/telemetry"),
          """
          [{"type": "applied", "host": "s1", "release": "cf-291", "ok": true},
           {"type": "applied", "host": "s2", "release": "cf-291", "ok": true}]""");

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode entries = json(get(api("/rollouts/r2/ledger"))).get("entries");
                assertThat(entries)
                    .extracting(e -> e.get("type").asText())
                    .contains("RolloutHalted");
                assertThat(entries.get(entries.size() - 1).get("reason").asText())
                    .isEqualTo("silent hosts");
              });
    }
  }

  @Nested
  class ReportedLiveness {
    @Test
    void silent_and_back_items_over_http_reach_ledger_telemetry_and_the_pipeline_as_avro_records()
        throws Exception {
      Instant lastSeen = Instant.parse("2026-12-07T10:00:00Z");
      Instant reported = Instant.parse("2026-12-07T10:00:40Z");
      Instant back = Instant.parse("2026-12-07T10:01:00Z");

      String key = Keys.of(tenant, "d1");
      // ledger.telemetry also holds the poison records other tests send: read bytes, decode ours
      Deserializer<SpecificRecord> avro = Topics.TELEMETRY.valueSerde(registry()).deserializer();
      List<SpecificRecord> onTelemetry = new ArrayList<>();
      List<SpecificRecord> onInputs = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> telemetry = readCommitted(new ByteArrayDeserializer());
          KafkaConsumer<String, SpecificRecord> inputs =
              readCommitted(Topics.INPUTS.valueSerde(registry()).deserializer())) {
        // from here on: not through everything the suite's earlier tests wrote to these topics
        // (twice a reader from the start saw nothing in 60 s on a loaded machine)
        TestKafka.fromNow(telemetry, Topics.TELEMETRY.name());
        TestKafka.fromNow(inputs, Topics.INPUTS.name());
        HttpResponse<String> posted =
            post(
                api("/telemetry"),
                """
            [{"type": "silent", "host": "d1", "at": "%s", "lastSeenAt": "%s"},
             {"type": "back", "host": "d1", "at": "%s"}]"""
                    .formatted(reported, lastSeen, back));
        assertThat(posted.statusCode()).isEqualTo(202);
        assertThat(json(posted).get("accepted").asInt()).isEqualTo(2);
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  for (ConsumerRecord<String, byte[]> r : telemetry.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                      onTelemetry.add(avro.deserialize(r.topic(), r.value()));
                    }
                  }
                  for (ConsumerRecord<String, SpecificRecord> r :
                      inputs.poll(Duration.ofMillis(200))) {
                    if ((r.value() instanceof HostSilent x && x.getTenant().equals(tenant))
                        || (r.value() instanceof HostBack y && y.getTenant().equals(tenant))) {
                      onInputs.add(r.value());
                    }
                  }
                  assertThat(onTelemetry).hasSize(2);
                  assertThat(onInputs).hasSize(2);
                });
      }
      HostSilent expectedSilent =
          HostSilent.newBuilder()
              .setTenant(tenant)
              .setAt(reported)
              .setHost("d1")
              .setLastSeenAt(lastSeen)
              .build();
      HostBack expectedBack =
          HostBack.newBuilder().setTenant(tenant).setAt(back).setHost("d1").build();
      // in order, per host: the silence, then the host back
      assertThat(onTelemetry).containsExactly(expectedSilent, expectedBack);
      assertThat(onInputs).containsExactly(expectedSilent, expectedBack);
    }

    @Test
    void a_rollout_planned_with_reported_liveness_carries_it_and_halts_on_a_reported_silence()
        throws Exception {
      post(
          api("/hosts"),
          """
          [{"host": "q1", "labels": {"env": "dev"}}, {"host": "q2", "labels": {"env": "dev"}}]""");
      post(
          api("/releases"),
          """
          {"release": "cf-291", "artifact": "channel-file", "version": "291", "sha256": "%s", "publisher": "vendor"}
          """
              .formatted(SHA));
      HttpResponse<String> created =
          post(
              api("/rollouts"),
              """
          {"rollout": "r6", "release": "cf-291",
           "plan": {"heartbeatTimeout": "PT2S", "liveness": "reported",
                    "waves": [{"name": "canary", "selector": {"env": "dev"}}]}}""");
      assertThat(created.statusCode()).isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> get(api("/rollouts/r6")).statusCode() == 200);
      LedgerQueries queries = server.bean(LedgerQueries.class);
      assertThat(queries.rollout(tenant, "r6").orElseThrow().plan().liveness())
          .isEqualTo(Liveness.REPORTED);
      assertThat(queries.rollout(tenant, "r6").orElseThrow().plan().heartbeatTimeout())
          .isEqualTo(Duration.ofSeconds(2));

      // both apply, then no heartbeat at all: under heartbeats this halts within the timeout
      // (Silence above); a reported host is alive until the detector says otherwise
      post(
          api("/telemetry"),
          """
          [{"type": "applied", "host": "q1", "release": "cf-291", "ok": true},
           {"type": "applied", "host": "q2", "release": "cf-291", "ok": true}]""");
      await()
          .during(Duration.ofSeconds(6))
          .atMost(Duration.ofSeconds(15))
          .until(() -> json(get(api("/rollouts/r6"))).get("status").asText().equals("ACTIVE"));

      HttpResponse<String> silent =
          post(
              api("/telemetry"),
              """
          [{"type": "silent", "host": "q1", "lastSeenAt": "%s"}]"""
                  .formatted(Instant.now()));
      assertThat(silent.statusCode()).isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode entries = json(get(api("/rollouts/r6/ledger"))).get("entries");
                assertThat(entries)
                    .extracting(e -> e.get("type").asText())
                    .containsExactly("WaveStarted", "RolloutHalted");
                assertThat(entries.get(1).get("reason").asText()).isEqualTo("silent hosts");
                assertThat(entries.get(1).get("evidence").get("newlySilent").asText())
                    .isEqualTo("q1");
              });
    }
  }

  @Nested
  class Releases {
    @Test
    void published_releases_are_listed_as_the_engine_accepted_them_and_only_the_tenant_s()
        throws Exception {
      assertThat(
              post(
                      api("/releases"),
                      """
          {"release": "cf-292", "artifact": "channel-file", "version": "292", "sha256": "%s",
           "publisher": "vendor", "severity": "emergency"}"""
                          .formatted(SHA.toUpperCase(java.util.Locale.ROOT)))
                  .statusCode())
          .isEqualTo(202);
      assertThat(
              post(
                      api("/releases"),
                      """
          {"release": "cf-291", "artifact": "channel-file", "version": "291", "sha256": "%s",
           "publisher": "vendor"}"""
                          .formatted(SHA))
                  .statusCode())
          .isEqualTo(202);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(json(get(api("/releases")))).hasSize(2));
      JsonNode releases = json(get(api("/releases")));
      assertThat(releases.get(0).get("release").asText()).isEqualTo("cf-291");
      JsonNode emergency = releases.get(1);
      assertThat(emergency.get("release").asText()).isEqualTo("cf-292");
      assertThat(emergency.get("severity").asText()).isEqualTo("EMERGENCY");
      assertThat(emergency.get("sha256").asText()).isEqualTo(SHA); // stored lower case
      assertThat(emergency.get("publishedAt").asText()).isNotBlank();

      // another tenant sees none of them
      String other = "t" + UUID.randomUUID().toString().substring(0, 8);
      HttpResponse<String> theirs =
          server.get(server.token(other, Role.ADMIN), "/api/v1/tenants/" + other + "/releases");
      assertThat(theirs.statusCode()).isEqualTo(200);
      assertThat(json(theirs)).isEmpty();
    }
  }

  @Nested
  class OwnerPolicy {
    @Test
    void a_pin_set_over_http_is_enforced_and_readable() throws Exception {
      HttpResponse<String> put =
          put(
              api("/policy"),
              """
          {"pin": "cf-290", "windows": [{"days": ["MONDAY"], "start": "02:00", "end": "04:00"}],
           "delay": "PT1H"}""");
      assertThat(put.statusCode()).isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertThat(json(get(api("/policy"))).path("pin").asText()).isEqualTo("cf-290"));
      JsonNode policy = json(get(api("/policy")));
      assertThat(policy.get("windows").get(0).get("days").get(0).asText()).isEqualTo("MONDAY");
      assertThat(policy.get("delay").asText()).isEqualTo("PT1H");
      // who set it is the caller's token, not anything the body says
      assertThat(policy.get("by").asText()).startsWith(Role.ADMIN.id() + "-");
    }

    @Test
    void a_window_with_an_unknown_day_is_refused_naming_the_field() throws Exception {
      HttpResponse<String> r =
          put(
              api("/policy"),
              """
          {"windows": [{"days": ["FUNDAY"], "start": "02:00", "end": "04:00"}]}""");
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(json(r).get("field").asText()).isEqualTo("windows[0].days");
    }
  }

  @Nested
  class PoisonRecords {
    @Test
    void every_record_sent_to_the_kafka_door_is_either_accepted_or_dead_lettered()
        throws Exception {
      int sent = 300;
      int poison = 0;
      int invalid = 0;
      try (KafkaProducer<String, byte[]> producer = producer()) {
        var values = Topics.TELEMETRY.valueSerde(registry()).serializer();
        for (int i = 0; i < sent; i++) {
          String host = "acct-" + i;
          byte[] value;
          if (i % 10 == 3) {
            value = ("garbage " + i).getBytes(StandardCharsets.UTF_8);
            poison++;
          } else {
            // an apply is news, so the host stage forwards every valid one to the journal (a
            // heartbeat that says "still alive" would be absorbed: LedgerTopologyTest.HostStage)
            dev.rolloutledger.avro.UpdateApplied hb =
                dev.rolloutledger.avro.UpdateApplied.newBuilder()
                    .setTenant(tenant)
                    .setAt(Instant.now())
                    .setHost(i % 10 == 7 ? " " : host)
                    .setRelease("cf-291")
                    .setOk(true)
                    .setError(null)
                    .build();
            invalid += i % 10 == 7 ? 1 : 0;
            value = values.serialize(Topics.TELEMETRY.name(), hb);
          }
          producer.send(
              new ProducerRecord<>(Topics.TELEMETRY.name(), Keys.of(tenant, host), value));
        }
        producer.flush();
      }

      List<String> accepted = new ArrayList<>();
      List<String> deadLettered = new ArrayList<>();
      try (KafkaConsumer<String, SpecificRecord> inputs =
              readCommitted(Topics.INPUTS.valueSerde(registry()).deserializer());
          KafkaConsumer<String, DeadLetter> letters =
              readCommitted(Topics.DEAD_LETTERS.valueSerde(registry()).deserializer())) {
        TestKafka.fromStart(inputs, Topics.INPUTS.name());
        TestKafka.fromStart(letters, Topics.DEAD_LETTERS.name());
        int expected = sent;
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  for (ConsumerRecord<String, SpecificRecord> r :
                      inputs.poll(Duration.ofMillis(200))) {
                    if (tenant.equals(r.key())
                        && r.value() instanceof dev.rolloutledger.avro.UpdateApplied hb
                        && hb.getHost().startsWith("acct-")) {
                      accepted.add(hb.getHost());
                    }
                  }
                  for (ConsumerRecord<String, DeadLetter> r :
                      letters.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.key().startsWith(tenant + "/acct-")) {
                      deadLettered.add(r.key());
                    }
                  }
                  assertThat(accepted.size() + deadLettered.size()).isEqualTo(expected);
                });
      }
      assertThat(deadLettered).hasSize(poison + invalid);
      assertThat(accepted).hasSize(sent - poison - invalid).doesNotHaveDuplicates();
    }

    @Test
    void
        a_record_not_in_the_wire_format_and_an_invalid_event_become_dead_letters_and_processing_goes_on()
            throws Exception {
      givenARolloutOfThreeDevHosts(0.3);
      String poisonKey = Keys.of(tenant, "poison");
      String invalidKey = Keys.of(tenant, "invalid");
      try (KafkaProducer<String, byte[]> producer = producer()) {
        producer
            .send(
                new ProducerRecord<>(
                    Topics.TELEMETRY.name(),
                    poisonKey,
                    "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8)))
            .get();
        CrashReport blankHost =
            CrashReport.newBuilder()
                .setTenant(tenant)
                .setAt(Instant.now())
                .setHost(" ")
                .setRelease("cf-291")
                .setSignature("x")
                .setKind("BSOD")
                .build();
        producer
            .send(
                new ProducerRecord<>(
                    Topics.TELEMETRY.name(),
                    invalidKey,
                    Topics.TELEMETRY
                        .valueSerde(registry())
                        .serializer()
                        .serialize(Topics.TELEMETRY.name(), blankHost)))
            .get();
      }
      // processing goes on: a later crash still halts the rollout
      post(
          api("/telemetry"),
          """
          [{"type": "crash", "host": "h2", "release": "cf-291", "signature": "x", "kind": "BSOD"}]""");

      List<DeadLetter> letters = new ArrayList<>();
      try (KafkaConsumer<String, DeadLetter> consumer =
          readCommitted(Topics.DEAD_LETTERS.valueSerde(registry()).deserializer())) {
        TestKafka.fromStart(consumer, Topics.DEAD_LETTERS.name());
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  for (ConsumerRecord<String, DeadLetter> r :
                      consumer.poll(Duration.ofMillis(200))) {
                    if (poisonKey.equals(r.key()) || invalidKey.equals(r.key())) {
                      letters.add(r.value());
                    }
                  }
                  assertThat(letters).hasSize(2);
                });
      }
      assertThat(letters)
          .allSatisfy(d -> assertThat(d.getSourceTopic()).isEqualTo(Topics.TELEMETRY.name()));
      assertThat(letters).anySatisfy(d -> assertThat(d.getReason()).contains("magic byte"));
      assertThat(letters).anySatisfy(d -> assertThat(d.getReason()).contains("host"));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(json(get(api("/rollouts/r1"))).get("status").asText())
                      .isEqualTo("HALTED"));
    }
  }

  @Nested
  class BadInput {
    @Test
    void a_telemetry_item_without_a_host_is_refused_with_a_problem_naming_the_field()
        throws Exception {
      HttpResponse<String> r =
          post(
              api("/telemetry"),
              """
          [{"type": "heartbeat", "host": "h1"}, {"type": "crash", "release": "cf-291"}]""");
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
      assertThat(json(r).get("field").asText()).isEqualTo("[1].host");
    }

    @Test
    void a_plan_with_an_invalid_wave_is_refused_naming_the_wave_field() throws Exception {
      HttpResponse<String> r =
          post(
              api("/rollouts"),
              """
          {"rollout": "r9", "release": "x", "plan": {"waves": [{"name": "a", "percent": 0}]}}""");
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(json(r).get("field").asText()).isEqualTo("plan.waves[0].percent");
    }

    @Test
    void silent_and_back_items_are_refused_with_a_problem_naming_the_field_at_fault()
        throws Exception {
      assertBadTelemetry("[{\"type\": \"back\"}]", "[0].host");
      assertBadTelemetry(
          "[{\"type\": \"back\", \"host\": \"d1\"}, {\"type\": \"silent\", \"host\": \"d1\"}]",
          "[1].lastSeenAt");
      assertBadTelemetry(
          """
          [{"type": "silent", "host": "d1", "at": "2026-12-07T10:00:00Z",
            "lastSeenAt": "2026-12-07T10:00:01Z"}]""",
          "[0].lastSeenAt");
      assertBadTelemetry(
          "[{\"type\": \"silent\", \"host\": \"d1\", \"lastSeenAt\": \"yesterday\"}]",
          "[0].lastSeenAt");
      assertBadTelemetry("[{\"type\": \"back\", \"host\": \"d1\", \"at\": \"soon\"}]", "[0].at");
      assertBadTelemetry("[{\"type\": \"lost\", \"host\": \"d1\"}]", "[0].type");
    }

    private void assertBadTelemetry(String batch, String field) throws Exception {
      HttpResponse<String> r = post(api("/telemetry"), batch);
      assertThat(r.statusCode()).as(batch).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
      assertThat(json(r).get("field").asText()).as(batch).isEqualTo(field);
    }

    @Test
    void a_plan_with_an_unknown_liveness_is_refused_naming_the_field() throws Exception {
      HttpResponse<String> r =
          post(
              api("/rollouts"),
              """
          {"rollout": "r9", "release": "x",
           "plan": {"liveness": "gossip", "waves": [{"name": "a"}]}}""");
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
      assertThat(json(r).get("field").asText()).isEqualTo("plan.liveness");
      assertThat(json(r).get("detail").asText()).contains("heartbeats").contains("reported");
    }

    @Test
    void malformed_json_is_a_400_problem_not_a_500() throws Exception {
      HttpResponse<String> r = post(api("/telemetry"), "[{\"type\": ");
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    }

    @Test
    void an_unknown_rollout_is_a_404_problem() throws Exception {
      HttpResponse<String> r = get(api("/rollouts/nope"));
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(json(r).get("status").asInt()).isEqualTo(404);
    }
  }

  @Test
  void health_is_up_when_the_topology_runs() throws Exception {
    HttpResponse<String> r = server.get("/health");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).get("status").asText()).isEqualTo("UP");
  }

  private java.security.PublicKey publishedKey() throws Exception {
    JsonNode key = json(get("/api/v1/keys")).get("keys").get(0);
    return java.security.KeyFactory.getInstance("Ed25519")
        .generatePublic(
            new java.security.spec.X509EncodedKeySpec(
                java.util.Base64.getDecoder().decode(key.get("publicKey").asText())));
  }

  private SchemaRegistry registry() {
    return server.bean(SchemaRegistry.class);
  }

  private static <V> KafkaConsumer<String, V> readCommitted(Deserializer<V> values) {
    return TestKafka.readCommitted(values);
  }

  private static KafkaProducer<String, byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }
}
