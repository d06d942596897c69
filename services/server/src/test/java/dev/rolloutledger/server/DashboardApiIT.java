package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.server.auth.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the dashboard reads: a rollout's evidence path, the live events of a tenant, and a what-if
 * of a recorded rollout, on a real server and broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA = "c".repeat(64);

  private TestServer server;
  private final String tenant = "t" + UUID.randomUUID().toString().substring(0, 8);
  private String admin;
  private final List<String> eventLines = new CopyOnWriteArrayList<>();
  private CompletableFuture<HttpResponse<Stream<String>>> stream;

  @BeforeAll
  void start() throws Exception {
    Path stateDir = Files.createTempDirectory("ledger-it-dashboard");
    server = new TestServer("it-dashboard-" + UUID.randomUUID(), stateDir);
    admin = server.token(tenant, Role.ADMIN);
    // the live stream first: everything the rollout below decides must reach it
    HttpRequest events =
        HttpRequest.newBuilder(URI.create(server.url(api("/events"))))
            .header("Authorization", "Bearer " + server.token(tenant, Role.VIEWER))
            .build();
    stream =
        HttpClient.newHttpClient()
            .sendAsync(events, HttpResponse.BodyHandlers.ofLines())
            .thenApply(
                r -> {
                  assertThat(r.statusCode()).isEqualTo(200);
                  assertThat(r.headers().firstValue("Content-Type"))
                      .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
                  r.body().forEach(eventLines::add);
                  return r;
                });
    await().atMost(Duration.ofSeconds(30)).until(() -> eventLines.contains("event: hello"));
    haltedRollout();
  }

  @AfterAll
  void stop() {
    stream.cancel(true);
    server.close();
  }

  private String api(String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  private JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  /** Three dev hosts, a canary with a cap of 0.3: one crash of three applied halts it. */
  private void haltedRollout() throws Exception {
    assertThat(
            server
                .post(
                    admin,
                    api("/hosts"),
                    """
        [{"host": "h1", "labels": {"env": "dev"}},
         {"host": "h2", "labels": {"env": "dev"}},
         {"host": "h3", "labels": {"env": "dev"}}]""")
                .statusCode())
        .isEqualTo(202);
    server.reachable(admin, tenant, "h1", "h2", "h3");
    assertThat(
            server
                .post(
                    admin,
                    api("/releases"),
                    """
        {"release": "cf-291", "artifact": "channel-file", "version": "291", "sha256": "%s", "publisher": "vendor"}
        """
                        .formatted(SHA))
                .statusCode())
        .isEqualTo(202);
    assertThat(
            server
                .post(
                    admin,
                    api("/rollouts"),
                    """
        {"rollout": "r1", "release": "cf-291",
         "plan": {"waves": [{"name": "canary", "selector": {"env": "dev"}, "maxCrashFraction": 0.3}]}}
        """)
                .statusCode())
        .isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.get(admin, api("/rollouts/r1")).statusCode() == 200);
    assertThat(
            server
                .post(
                    admin,
                    api("/telemetry"),
                    """
          [{"type": "applied", "host": "h1", "release": "cf-291", "ok": true},
           {"type": "applied", "host": "h2", "release": "cf-291", "ok": true},
           {"type": "crash", "host": "h1", "release": "cf-291", "signature": "PAGE_FAULT", "kind": "BSOD"}]""")
                .statusCode())
        .isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> json(server.get(admin, api("/rollouts/r1"))).get("status").asText(),
            "HALTED"::equals);
  }

  @Test
  void the_evidence_path_holds_a_point_for_each_decision_with_the_counts_that_decided_it()
      throws Exception {
    JsonNode page = json(server.get(admin, api("/rollouts/r1/evidence")));
    JsonNode points = page.get("points");
    assertThat(page.get("rollout").asText()).isEqualTo("r1");
    assertThat(page.has("next")).isFalse();
    assertThat(points.get(0).get("decision").asText()).isEqualTo("WaveStarted");
    assertThat(points.get(0).get("assigned").asInt()).isEqualTo(3);
    List<String> decisions = new ArrayList<>();
    // a point without a decision leaves the field out
    points.forEach(p -> decisions.add(p.has("decision") ? p.get("decision").asText() : null));
    assertThat(decisions).contains("RolloutHalted");
    JsonNode halt = points.get(decisions.indexOf("RolloutHalted"));
    assertThat(halt.get("status").asText()).isEqualTo("HALTED");
    // every entry type written with a point, in ledger order, the last being `decision`
    assertThat(points.get(0).get("decisions"))
        .extracting(JsonNode::asText)
        .containsExactly("WaveStarted");
    assertThat(halt.get("decisions")).extracting(JsonNode::asText).endsWith("RolloutHalted");
    assertThat(halt.get("failed").asInt()).isEqualTo(1);
    assertThat(halt.get("applied").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(halt.get("signals"))
        .extracting(s -> s.get("signal").asText())
        .containsExactly("CRASH", "SILENCE", "METRICS");
    assertThat(halt.get("signals").get(0).get("threshold").asDouble()).isGreaterThan(1.0);
    for (int i = 0; i < points.size(); i++) {
      assertThat(points.get(i).get("n").asInt()).isEqualTo(i);
    }
    // paged: the second page starts where the first said
    JsonNode first = json(server.get(admin, api("/rollouts/r1/evidence?limit=1")));
    assertThat(first.get("points")).hasSize(1);
    assertThat(first.get("next").asInt()).isEqualTo(1);
  }

  @Test
  void the_evidence_is_refused_clearly_for_bad_queries_and_other_tenants() throws Exception {
    HttpResponse<String> badLimit = server.get(admin, api("/rollouts/r1/evidence?limit=0"));
    assertThat(badLimit.statusCode()).isEqualTo(400);
    assertThat(badLimit.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    assertThat(badLimit.body()).contains("limit");
    assertThat(server.get(admin, api("/rollouts/nope/evidence")).statusCode()).isEqualTo(404);
    // another tenant's token: the answer for what does not exist (TenancyIT)
    String stranger = server.token("other" + tenant, Role.ADMIN);
    assertThat(server.get(stranger, api("/rollouts/r1/evidence")).statusCode()).isEqualTo(404);
    assertThat(server.get(stranger, api("/events")).statusCode()).isEqualTo(404);
    assertThat(server.get(api("/events")).statusCode()).isEqualTo(401);
  }

  @Test
  void the_live_stream_carried_the_decisions_and_evidence_as_they_were_committed() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<String> data = eventLines.stream().filter(l -> l.startsWith("data:")).toList();
              assertThat(eventLines).contains("event: decision", "event: evidence");
              assertThat(data).anySatisfy(d -> assertThat(d).contains("\"RolloutHalted\""));
              assertThat(data).anySatisfy(d -> assertThat(d).contains("\"signals\""));
              assertThat(data)
                  .filteredOn(d -> d.contains("\"rollout\""))
                  .allSatisfy(d -> assertThat(d).contains("\"tenant\":\"" + tenant + "\""));
            });
  }

  @Test
  void a_what_if_replays_the_recorded_rollout_under_another_plan() throws Exception {
    HttpResponse<String> r =
        server.post(
            admin,
            api("/whatif"),
            """
        {"rollout": "r1",
         "plan": {"waves": [{"name": "canary", "selector": {"env": "dev"}, "maxCrashFraction": 1.0}]},
         "horizon": "PT1H"}""");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode result = json(r);
    // what happened: the cap of 0.3 halted it; under a cap of 1.0 one crash of three does not
    assertThat(result.get("actual").get("halted").asBoolean()).isTrue();
    assertThat(result.get("actual").get("haltReason").asText()).isEqualTo("crash fraction cap");
    assertThat(result.get("whatIf").get("haltReason").asText(""))
        .isNotEqualTo("crash fraction cap");
    assertThat(result.get("assumedHealthy").isInt()).isTrue();
  }

  @Test
  void a_what_if_names_the_field_it_refuses() throws Exception {
    record Case(String body, String field) {}
    for (Case c :
        List.of(
            new Case("{}", "rollout"),
            new Case("{\"rollout\": \"r1\", \"log\": \"x\"}", "log"),
            new Case("{\"rollout\": \"r1\", \"colour\": 1}", "colour"),
            new Case("{\"rollout\": \"r1\", \"horizon\": \"soon\"}", "horizon"),
            new Case("{\"log\": \"not a log\"}", "log"),
            new Case("{\"rollout\": \"r1\", \"plan\": {\"waves\": 3}}", "plan"))) {
      HttpResponse<String> r = server.post(admin, api("/whatif"), c.body());
      assertThat(r.statusCode()).as(c.body() + " -> " + r.body()).isEqualTo(400);
      assertThat(r.body()).as(c.body()).contains(c.field());
    }
    assertThat(server.post(admin, api("/whatif"), "{\"rollout\": \"nope\"}").statusCode())
        .isEqualTo(400);
  }
}
