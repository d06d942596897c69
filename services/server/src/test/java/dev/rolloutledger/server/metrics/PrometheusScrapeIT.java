package dev.rolloutledger.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.server.TestServer;
import dev.rolloutledger.server.auth.Role;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real Prometheus (Debian's package) scrapes a real server whose /metrics is open to loopback:
 * promtool accepts the rules, their unit tests (alerts-test.yml: each alert fires when it should)
 * and the example configuration; Prometheus sees the ledger's decisions and halts (a halt series at
 * 0 before the halt), evaluates the rules of infra/observability/alerts.yml against them without
 * error, and fires LedgerRolloutHalted for the tenant's first halt. The checks and answers are
 * written to target/prometheus-check.txt (docs/metrics.md shows them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusScrapeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA = "d".repeat(64);

  private final HttpClient http = HttpClient.newHttpClient();
  private final String tenant = "prom" + UUID.randomUUID().toString().substring(0, 8);
  private final List<String> transcript = new ArrayList<>();
  private TestServer server;
  private Process prometheus;
  private Path dir;
  private int port;

  @BeforeAll
  void start() throws Exception {
    PromTools.ensureInstalled();
    dir = Files.createTempDirectory("ledger-it-prometheus");
    server =
        new TestServer(
            "it-prometheus-" + UUID.randomUUID(),
            dir.resolve("state"),
            Map.of("ledger.metrics.open-to", "127.0.0.1/32"));
  }

  @AfterAll
  void stop() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      prometheus.waitFor();
    }
    if (server != null) {
      server.close();
    }
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/prometheus-check.txt"), String.join("\n", transcript));
  }

  @Test
  void promtool_accepts_the_alert_rules_their_unit_tests_and_the_example_configuration()
      throws Exception {
    PromTools.Run rules = promtool("check", "rules", ObservabilityFiles.ALERTS.toString());
    assertThat(rules.exit()).as(rules.output()).isZero();
    assertThat(rules.output()).contains("SUCCESS: 9 rules found");

    PromTools.Run tests =
        promtool("test", "rules", ObservabilityFiles.DIR.resolve("alerts-test.yml").toString());
    assertThat(tests.exit()).as(tests.output()).isZero();
    assertThat(tests.output()).contains("SUCCESS");

    PromTools.Run config =
        promtool("check", "config", "--syntax-only", ObservabilityFiles.PROMETHEUS.toString());
    assertThat(config.exit()).as(config.output()).isZero();
  }

  @Test
  void a_network_in_open_to_reads_every_tenants_metrics_without_a_token() {
    String a = "opena" + UUID.randomUUID().toString().substring(0, 8);
    String b = "openb" + UUID.randomUUID().toString().substring(0, 8);
    server.bean(LedgerMeters.class).tenant(a);
    server.bean(LedgerMeters.class).tenant(b);
    HttpResponse<String> r = server.get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    Scrape all = Scrape.of(r.body());
    assertThat(all.has("ledger_halts_total", "tenant", a)).isTrue();
    assertThat(all.has("ledger_halts_total", "tenant", b)).isTrue();
    // the network decides, not a token it may carry: tenant a's admin token reads b's series too
    Scrape withToken = Scrape.of(server.get(server.token(a, Role.ADMIN), "/metrics").body());
    assertThat(withToken.has("ledger_halts_total", "tenant", b)).isTrue();
  }

  @Test
  void a_real_prometheus_scrapes_the_decisions_and_halts_evaluates_the_rules_and_alerts_the_halt()
      throws Exception {
    startPrometheus();
    String admin = server.token(tenant, Role.ADMIN);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> server.bean(DecisionReader.class).assigned());
    String api = startARollout(admin);
    // the tenant is seen (its first entry): each halt reason is at 0 before the halt, so the
    // halt is an increase that LedgerRolloutHalted sees
    JsonNode zero =
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(
                () -> query("ledger_halts_total{tenant=\"" + tenant + "\",reason=\"manual\"}"),
                r -> r.path("data").path("result").size() == 1);
    assertThat(zero.path("data").path("result").get(0).path("value").get(1).asText())
        .isEqualTo("0");
    transcript.add(
        "$ curl -s 'http://127.0.0.1:<prometheus>/api/v1/query?query=ledger_halts_total{tenant=\""
            + tenant
            + "\",reason=\"manual\"}' (before the halt)");
    transcript.add(zero.toPrettyString());
    assertThat(
            server
                .post(admin, api + "/rollouts/r1/halt", "{\"reason\": \"checking the alert\"}")
                .statusCode())
        .isEqualTo(202);

    String nonZero = "ledger_decisions_total{tenant=\"" + tenant + "\"} > 0";
    JsonNode decisions =
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> query(nonZero), r -> r.path("data").path("result").size() == 2);
    transcript.add("$ curl -s 'http://127.0.0.1:<prometheus>/api/v1/query?query=" + nonZero + "'");
    transcript.add(decisions.toPrettyString());
    List<String> types = new ArrayList<>();
    decisions
        .path("data")
        .path("result")
        .forEach(r -> types.add(r.path("metric").path("type").asText()));
    assertThat(types).containsExactlyInAnyOrder("WaveStarted", "RolloutHalted");

    JsonNode every = query("count(ledger_decisions_total{tenant=\"" + tenant + "\"})");
    assertThat(every.path("data").path("result").get(0).path("value").get(1).asText())
        .as("every entry type of the tenant, 0 included")
        .isEqualTo(String.valueOf(MetricLabels.ENTRY_TYPES.size()));

    String halted = "ledger_halts_total{tenant=\"" + tenant + "\"} > 0";
    JsonNode halts =
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> query(halted), r -> r.path("data").path("result").size() == 1);
    transcript.add("$ curl -s 'http://127.0.0.1:<prometheus>/api/v1/query?query=" + halted + "'");
    transcript.add(halts.toPrettyString());
    JsonNode halt = halts.path("data").path("result").get(0);
    assertThat(halt.path("metric").path("reason").asText()).isEqualTo("manual");
    assertThat(halt.path("value").get(1).asText()).isEqualTo("1");

    // the rules of alerts.yml are loaded and evaluate without error against the real series, and
    // the first halt of the tenant is alerted
    JsonNode rules =
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(
                () -> get("/api/v1/rules"),
                r ->
                    ruleHealth(r).equals(List.of("ok"))
                        && "firing".equals(state(r, "LedgerRolloutHalted")));
    assertThat(rules.path("data").path("groups").get(0).path("rules")).hasSize(9);
    List<String> states = new ArrayList<>();
    rules
        .path("data")
        .path("groups")
        .get(0)
        .path("rules")
        .forEach(
            r ->
                states.add(
                    r.path("name").asText()
                        + " "
                        + r.path("health").asText()
                        + " "
                        + r.path("state").asText()));
    transcript.add("$ curl -s 'http://127.0.0.1:<prometheus>/api/v1/rules' (name, health, state)");
    transcript.addAll(states);
  }

  private static String state(JsonNode rules, String alert) {
    for (JsonNode g : rules.path("data").path("groups")) {
      for (JsonNode r : g.path("rules")) {
        if (alert.equals(r.path("name").asText())) {
          return r.path("state").asText();
        }
      }
    }
    return "";
  }

  private static List<String> ruleHealth(JsonNode rules) {
    java.util.Set<String> health = new java.util.TreeSet<>();
    rules
        .path("data")
        .path("groups")
        .forEach(g -> g.path("rules").forEach(r -> health.add(r.path("health").asText())));
    return List.copyOf(health);
  }

  private void startPrometheus() throws Exception {
    int prometheusPort;
    try (ServerSocket s = new ServerSocket(0)) {
      prometheusPort = s.getLocalPort();
    }
    port = prometheusPort;
    String serverTarget = URI.create(server.url("/")).getAuthority();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files:
          - %s
        scrape_configs:
          - job_name: rollout-ledger
            metrics_path: /metrics
            static_configs:
              - targets: ['%s']
        """
            .formatted(ObservabilityFiles.ALERTS, serverTarget));
    PromTools.Run check = promtool("check", "config", config.toString());
    assertThat(check.exit()).as(check.output()).isZero();
    prometheus =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () -> {
              JsonNode targets = get("/api/v1/targets");
              for (JsonNode t : targets.path("data").path("activeTargets")) {
                if ("up".equals(t.path("health").asText())) {
                  return true;
                }
              }
              return false;
            });
    transcript.add(
        "prometheus "
            + PromTools.run(List.of("prometheus", "--version"), 30)
                .output()
                .lines()
                .findFirst()
                .orElse(""));
  }

  /** A rollout r1 of the tenant, started; the tenant's API path. */
  private String startARollout(String admin) {
    String api = "/api/v1/tenants/" + tenant;
    assertThat(
            server
                .post(admin, api + "/hosts", "[{\"host\": \"p1\", \"labels\": {\"env\": \"dev\"}}]")
                .statusCode())
        .isEqualTo(202);
    server.reachable(admin, tenant, "p1");
    assertThat(
            server
                .post(
                    admin,
                    api + "/releases",
                    """
                    {"release": "cf-300", "artifact": "channel-file", "version": "300", "sha256": "%s", "publisher": "vendor"}"""
                        .formatted(SHA))
                .statusCode())
        .isEqualTo(202);
    assertThat(
            server
                .post(
                    admin,
                    api + "/rollouts",
                    """
                    {"rollout": "r1", "release": "cf-300", "plan": {"waves": [{"name": "canary", "selector": {"env": "dev"}}]}}""")
                .statusCode())
        .isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.get(admin, api + "/rollouts/r1").statusCode() == 200);
    return api;
  }

  private PromTools.Run promtool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    PromTools.Run run = PromTools.run(command, 60);
    transcript.add(
        "$ "
            + String.join(" ", command)
                .replace(ObservabilityFiles.DIR + "/", "infra/observability/"));
    transcript.add(run.output().strip());
    return run;
  }

  private JsonNode query(String promql) throws Exception {
    return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }
}
