package dev.rolloutledger.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.TestKafka;
import dev.rolloutledger.server.TestServer;
import dev.rolloutledger.server.auth.Role;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * /metrics on the real server and broker: a rollout driven to a halt shows in the ledger's counters
 * and gauges with the right labels and values; the board and the rules read only what is exported;
 * without a token /metrics is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {
  private static final String SHA = "c".repeat(64);

  private TestServer server;
  private final String tenant = "metrics" + UUID.randomUUID().toString().substring(0, 8);
  private String admin;
  private Scrape after; // /metrics once the rollout halted

  @BeforeAll
  void haltARollout() throws Exception {
    server =
        new TestServer("it-metrics-" + UUID.randomUUID(), Files.createTempDirectory("ledger-it"));
    admin = server.token(tenant, Role.ADMIN);
    // the metrics group starts at the end of the topics: it must be in before the decisions
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> server.bean(DecisionReader.class).assigned());
    double lettersBefore =
        scrape().value("ledger_dead_letters_total", "source", "ledger.telemetry");

    post(
        "/hosts",
        """
        [{"host": "h1", "labels": {"env": "dev"}},
         {"host": "h2", "labels": {"env": "dev"}},
         {"host": "h3", "labels": {"env": "dev"}}]""");
    server.reachable(admin, tenant, "h1", "h2", "h3");
    post(
        "/releases",
        """
        {"release": "cf-291", "artifact": "channel-file", "version": "291", "sha256": "%s", "publisher": "vendor"}"""
            .formatted(SHA));
    post(
        "/rollouts",
        """
        {"rollout": "r1", "release": "cf-291",
         "plan": {"waves": [{"name": "canary", "selector": {"env": "dev"}, "maxCrashFraction": 0.3}]}}""");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.get(admin, api("/rollouts/r1")).statusCode() == 200);
    post(
        "/telemetry",
        """
        [{"type": "applied", "host": "h1", "release": "cf-291", "ok": true},
         {"type": "applied", "host": "h2", "release": "cf-291", "ok": true},
         {"type": "heartbeat", "host": "h1", "release": "cf-291", "metrics": {"cpu": 0.4}},
         {"type": "crash", "host": "h1", "release": "cf-291", "signature": "PAGE_FAULT", "kind": "BSOD"}]""");
    HttpResponse<String> poll = server.get(admin, api("/hosts/h1/commands?after=0"));
    assertThat(poll.statusCode()).isEqualTo(200);
    produceANanHeartbeatStraightToKafka();

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Scrape s = scrape();
              assertThat(s.value("ledger_halts_total", "tenant", tenant)).isEqualTo(1);
              assertThat(s.value("ledger_rollouts", "tenant", tenant, "status", "HALTED"))
                  .isEqualTo(1);
              assertThat(s.value("ledger_dead_letters_total", "source", "ledger.telemetry"))
                  .isGreaterThan(lettersBefore);
              after = s;
            });
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/metrics-sample.txt"), after.text());
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private String api(String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  private void post(String path, String json) {
    HttpResponse<String> r = server.post(admin, api(path), json);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }

  private Scrape scrape() {
    HttpResponse<String> r = server.get(admin, "/metrics");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Scrape.of(r.body());
  }

  /** GET each path without a token: its status (printed, the evidence); never a metric line. */
  private Map<String, Integer> withoutAToken(List<String> paths) {
    Map<String, Integer> statuses = new java.util.LinkedHashMap<>();
    for (String path : paths) {
      HttpResponse<String> r = server.get(path);
      statuses.put(path, r.statusCode());
      assertThat(r.body()).as(path).doesNotContain("ledger_topology_running");
    }
    System.out.println("GET without a token: " + statuses);
    return statuses;
  }

  private void produceANanHeartbeatStraightToKafka() throws Exception {
    var values = Topics.TELEMETRY.valueSerde(server.bean(SchemaRegistry.class)).serializer();
    dev.rolloutledger.avro.Heartbeat hb =
        dev.rolloutledger.avro.Heartbeat.newBuilder()
            .setTenant(tenant)
            .setAt(Instant.now())
            .setHost("nan-1")
            .setRelease(null)
            .setMetrics(Map.of("cpu", Double.NaN))
            .build();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.TELEMETRY.name(),
                  Keys.of(tenant, "nan-1"),
                  values.serialize(Topics.TELEMETRY.name(), hb)))
          .get();
    }
  }

  @Nested
  class TheLedgerCounters {
    @Test
    void count_each_committed_entry_by_tenant_and_type() {
      assertThat(after.value("ledger_decisions_total", "tenant", tenant, "type", "WaveStarted"))
          .isEqualTo(1);
      assertThat(after.value("ledger_decisions_total", "tenant", tenant, "type", "RolloutHalted"))
          .isEqualTo(1);
      assertThat(after.value("ledger_decisions_total", "tenant", tenant)).isEqualTo(2);
    }

    @Test
    void hold_every_bounded_series_at_0_before_its_first_event() {
      for (String reason : MetricLabels.HALT_REASONS_ALL) {
        assertThat(after.has("ledger_halts_total", "tenant", tenant, "reason", reason))
            .as(reason)
            .isTrue();
      }
      assertThat(after.value("ledger_halts_total", "tenant", tenant, "reason", "manual")).isZero();
      for (String type : MetricLabels.ENTRY_TYPES) {
        assertThat(after.has("ledger_decisions_total", "tenant", tenant, "type", type))
            .as(type)
            .isTrue();
      }
      assertThat(after.value("ledger_decisions_total", "tenant", tenant, "type", "HaltLifted"))
          .isZero();
      for (String source : MetricLabels.DEAD_LETTER_SOURCES) {
        for (String reason : MetricLabels.DEAD_LETTER_REASONS) {
          assertThat(after.has("ledger_dead_letters_total", "source", source, "reason", reason))
              .as(source + " " + reason)
              .isTrue();
        }
      }
    }

    @Test
    void name_a_halt_by_the_cap_with_the_bounded_reason_cap() {
      assertThat(after.value("ledger_halts_total", "tenant", tenant, "reason", "cap")).isEqualTo(1);
    }

    @Test
    void time_every_live_decision_from_its_input() {
      assertThat(after.value("ledger_decision_latency_seconds_count")).isGreaterThanOrEqualTo(2);
      assertThat(after.value("ledger_decision_latency_seconds_sum")).isPositive();
      // this rollout's decisions come within seconds of their inputs, so in the 60 s bucket; the
      // broker is shared with other tests' servers, whose decisions this group also reads (some
      // from inputs of long ago: a restart's), so the bucket need not hold every one
      assertThat(after.value("ledger_decision_latency_seconds_bucket", "le", "60.0"))
          .isGreaterThanOrEqualTo(2);
    }

    @Test
    void count_a_record_dead_lettered_on_kafka_by_its_source_topic_and_kind() {
      assertThat(
              after.value(
                  "ledger_dead_letters_total",
                  "source",
                  "ledger.telemetry",
                  "reason",
                  "invalid_field"))
          .isGreaterThanOrEqualTo(1);
    }
  }

  @Nested
  class TheGauges {
    @Test
    void hold_the_rollouts_of_the_tenant_by_status_zeros_included() {
      assertThat(after.value("ledger_rollouts", "tenant", tenant, "status", "HALTED")).isEqualTo(1);
      assertThat(after.has("ledger_rollouts", "tenant", tenant, "status", "ACTIVE")).isTrue();
      assertThat(after.value("ledger_rollouts", "tenant", tenant, "status", "ACTIVE")).isZero();
    }

    @Test
    void say_the_topology_runs() {
      assertThat(after.value("ledger_topology_running")).isEqualTo(1);
    }
  }

  @Nested
  class TheDoors {
    @Test
    void count_items_accepted_over_http_per_door_and_the_polls_of_the_command_channel() {
      // 3 heartbeats (reachable) and a batch of 4; 3 hosts registered; 1 poll
      assertThat(after.value("ledger_telemetry_items_total", "door", "telemetry")).isEqualTo(7);
      assertThat(after.value("ledger_telemetry_items_total", "door", "registrations")).isEqualTo(3);
      assertThat(after.value("ledger_command_polls_total")).isEqualTo(1);
    }

    @Test
    void count_nothing_for_a_refused_batch() {
      double before = scrape().value("ledger_telemetry_items_total", "door", "telemetry");
      HttpResponse<String> refused =
          server.post(admin, api("/telemetry"), "[{\"type\": \"nonsense\", \"host\": \"h1\"}]");
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(scrape().value("ledger_telemetry_items_total", "door", "telemetry"))
          .isEqualTo(before);
    }
  }

  @Nested
  class Everything {
    @Test
    void includes_kafka_streams_kafka_client_and_jvm_metrics() {
      Set<String> names = PromQl.exportedNames(after.text());
      assertThat(names).anyMatch(n -> n.startsWith("kafka_stream_"));
      assertThat(names).anyMatch(n -> n.startsWith("kafka_consumer_"));
      assertThat(names).anyMatch(n -> n.startsWith("kafka_producer_"));
      assertThat(names).anyMatch(n -> n.startsWith("jvm_memory_"));
      assertThat(names).anyMatch(n -> n.startsWith("process_"));
    }

    @Test
    void carries_no_host_label() {
      assertThat(after.samples())
          .noneMatch(s -> s.labels().containsKey("host") || s.labels().containsKey("hostname"));
    }

    @Test
    void exports_every_metric_the_grafana_board_and_the_alert_rules_read() {
      assertThat(ObservabilityFiles.unexported(PromQl.exportedNames(after.text())))
          .as("read by infra/observability but not exported by the server")
          .isEmpty();
    }
  }

  @Nested
  class TenantScope {
    @Test
    void an_admin_token_reads_its_own_tenants_series_and_those_of_no_tenant_only() {
      String other = "other" + UUID.randomUUID().toString().substring(0, 8);
      server.bean(LedgerMeters.class).tenant(other); // its halt and decision series, at 0
      String otherAdmin = server.token(other, Role.ADMIN);

      Scrape mine = scrape();
      assertThat(mine.has("ledger_halts_total", "tenant", tenant)).isTrue();
      assertThat(mine.samples())
          .as("tenant %s's admin reads no other tenant's series", tenant)
          .allSatisfy(s -> assertThat(s.labels().getOrDefault("tenant", tenant)).isEqualTo(tenant));

      HttpResponse<String> r = server.get(otherAdmin, "/metrics");
      assertThat(r.statusCode()).isEqualTo(200);
      Scrape theirs = Scrape.of(r.body());
      assertThat(theirs.value("ledger_halts_total", "tenant", other, "reason", "cap")).isZero();
      assertThat(theirs.has("ledger_decisions_total", "tenant", other, "type", "RolloutHalted"))
          .isTrue();
      assertThat(theirs.samples())
          .allSatisfy(s -> assertThat(s.labels().getOrDefault("tenant", other)).isEqualTo(other));
      assertThat(r.body()).doesNotContain(tenant);
      // series of no tenant stay: the topology, the doors, dead letters, Kafka, the JVM
      assertThat(theirs.has("ledger_topology_running")).isTrue();
      assertThat(theirs.has("ledger_telemetry_items_total", "door", "telemetry")).isTrue();
      assertThat(theirs.has("ledger_dead_letters_total", "source", "ledger.telemetry")).isTrue();
      assertThat(PromQl.exportedNames(r.body())).anyMatch(n -> n.startsWith("jvm_memory_"));
    }
  }

  @Nested
  class OtherFilters {
    /**
     * The same class of bypass on /api/v1/** and /registry/**: a spelling of a path the router
     * serves but the filter's pattern misses. Nothing answers 2xx without a token.
     */
    @Test
    void no_spelling_of_an_api_or_registry_path_answers_without_a_token() {
      String t = "/api/v1/tenants/" + tenant;
      Map<String, Integer> statuses =
          withoutAToken(
              List.of(
                  "/api/v1",
                  "/api/v1/",
                  "/api/v1/whoami",
                  "/api/v1/whoami/",
                  "//api/v1/whoami",
                  "/api//v1/whoami",
                  "/api/v1//whoami",
                  "/API/V1/whoami",
                  "/api/v1/keys",
                  "/api/v1/keys/",
                  "/%61pi/v1/whoami",
                  t + "/rollouts",
                  t + "/rollouts/",
                  t + "//rollouts",
                  "/" + t + "/rollouts",
                  "/registry",
                  "/registry/",
                  "/registry/subjects",
                  "/registry/subjects/",
                  "//registry/subjects",
                  "/registry//subjects",
                  "/REGISTRY/subjects",
                  "/%72egistry/subjects",
                  "/registry/schemas/types",
                  "/registry/config"));
      assertThat(statuses)
          .allSatisfy((path, status) -> assertThat(status).as(path).isGreaterThanOrEqualTo(400));
    }
  }

  @Nested
  class Access {
    @Test
    void without_a_token_is_401_problem_json() throws Exception {
      HttpResponse<String> r = server.get("/metrics");
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
      assertThat(new ObjectMapper().readTree(r.body()).get("status").asInt()).isEqualTo(401);
    }

    @Test
    void an_unknown_token_is_401_and_a_viewer_token_403() {
      assertThat(server.get("not-a-token", "/metrics").statusCode()).isEqualTo(401);
      assertThat(server.get(server.token(tenant, Role.VIEWER), "/metrics").statusCode())
          .isEqualTo(403);
    }

    /** Every spelling of /metrics the router might serve: none answers without a token. */
    @Test
    void no_spelling_of_the_path_reads_metrics_without_a_token() {
      Map<String, Integer> statuses =
          withoutAToken(
              List.of(
                  "/metrics",
                  "/metrics/",
                  "/metrics//",
                  "/metrics?x",
                  "/metrics/?x",
                  "/METRICS",
                  "/Metrics/",
                  "//metrics",
                  "/metrics;x",
                  "/%6Detrics",
                  "/metrics%2F",
                  "/./metrics",
                  "/metrics/."));
      assertThat(statuses)
          .allSatisfy((path, status) -> assertThat(status).as(path).isIn(400, 401, 404));
      assertThat(statuses.get("/metrics/")).isEqualTo(401);
    }

    /** Defence in depth: the route refuses by itself, whatever filter ran or did not. */
    @Test
    void the_route_itself_refuses_a_request_no_filter_checked() {
      MetricsController route = server.bean(MetricsController.class);
      assertThat(route.scrape(io.micronaut.http.HttpRequest.GET("/metrics/")).getStatus().getCode())
          .isEqualTo(401);
      var viewer =
          io.micronaut.http.HttpRequest.GET("/metrics/")
              .bearerAuth(server.token(tenant, Role.VIEWER));
      assertThat(route.scrape(viewer).getStatus().getCode()).isEqualTo(403);
      var own = io.micronaut.http.HttpRequest.GET("/metrics/").bearerAuth(admin);
      var answer = route.scrape(own);
      assertThat(answer.getStatus().getCode()).isEqualTo(200);
      assertThat(Scrape.of(String.valueOf(answer.body())).samples())
          .allSatisfy(s -> assertThat(s.labels().getOrDefault("tenant", tenant)).isEqualTo(tenant));
    }

    @Test
    void a_viewer_token_reads_no_spelling_of_the_path() {
      String viewer = server.token(tenant, Role.VIEWER);
      for (String path : List.of("/metrics/", "/metrics//", "/metrics?x", "/METRICS")) {
        HttpResponse<String> r = server.get(viewer, path);
        assertThat(r.statusCode()).as(path).isIn(403, 404);
      }
    }

    @Test
    void an_admin_token_reads_the_text_format() {
      HttpResponse<String> r = server.get(admin, "/metrics");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
    }
  }
}
