package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.server.auth.Role;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The seed's plans over HTTP, through the real broker and topology: named templates ({@code "plan":
 * "NAME"}, {@code GET /plans/templates}), waves in batches and spread over a label, maintenance
 * windows in a time zone; and bad input answered 400 naming the field.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlansIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA = "c".repeat(64);

  private TestServer server;
  private String tenant;
  private String admin;

  @BeforeAll
  void startServer() throws Exception {
    server =
        new TestServer("it-plans-" + UUID.randomUUID(), Files.createTempDirectory("ledger-it"));
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

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  /**
   * Six prod hosts over three branches (b3 has one), two prod hosts without a branch, two pilot
   * hosts, one dev host.
   */
  private void fleetAndRelease() {
    StringBuilder hosts = new StringBuilder("[");
    String[] branches = {"b1", "b1", "b1", "b2", "b2", "b3"};
    for (int i = 0; i < branches.length; i++) {
      hosts.append(
          "{\"host\": \"p%d\", \"labels\": {\"env\": \"prod\", \"branch\": \"%s\"}},"
              .formatted(i + 1, branches[i]));
    }
    hosts.append("{\"host\": \"p7\", \"labels\": {\"env\": \"prod\"}},");
    hosts.append("{\"host\": \"p8\", \"labels\": {\"env\": \"prod\"}},");
    hosts.append("{\"host\": \"q1\", \"labels\": {\"ring\": \"pilot\"}},");
    hosts.append("{\"host\": \"q2\", \"labels\": {\"ring\": \"pilot\"}},");
    hosts.append("{\"host\": \"d1\", \"labels\": {\"env\": \"dev\"}}]");
    assertThat(server.post(admin, api("/hosts"), hosts.toString()).statusCode()).isEqualTo(202);
    assertThat(
            server
                .post(
                    admin,
                    api("/releases"),
                    """
        {"release": "kb-1", "artifact": "patch", "version": "1", "sha256": "%s", "publisher": "it"}"""
                        .formatted(SHA))
                .statusCode())
        .isEqualTo(202);
  }

  /**
   * Waits until the engine knows every host of {@link #fleetAndRelease}: hosts, releases and
   * rollouts come on different topics, and a rollout that starts before some of its hosts arrive
   * gets them as late joiners, not in the batches its start fixes. A probe rollout whose one wave
   * takes every host counts them (late ones join it), then is halted, which frees them.
   */
  private void fleetKnown() throws Exception {
    // every host's agent beats: a host never heard from is sent no Apply
    server.reachable(
        admin, tenant, "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "q1", "q2", "d1");
    assertThat(
            server
                .post(
                    admin,
                    api("/rollouts"),
                    "{\"rollout\": \"probe\", \"release\": \"kb-1\","
                        + " \"plan\": {\"waves\": [{\"name\": \"all\"}]}}")
                .statusCode())
        .isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              HttpResponse<String> r = server.get(admin, api("/rollouts/probe"));
              return r.statusCode() == 200
                  && json(r).get("waves").get(0).get("assigned").asInt() == 11;
            });
    assertThat(
            server.post(admin, api("/rollouts/probe/halt"), "{\"reason\": \"probe\"}").statusCode())
        .isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                json(server.get(admin, api("/rollouts/probe")))
                    .get("status")
                    .asText()
                    .equals("HALTED"));
  }

  /** The rollout once it is ACTIVE: its waves as the engine expanded them. */
  private JsonNode activeRollout(String rollout) {
    JsonNode[] view = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              HttpResponse<String> r = server.get(admin, api("/rollouts/" + rollout));
              if (r.statusCode() != 200) {
                return false;
              }
              view[0] = json(r);
              return view[0].get("status").asText().equals("ACTIVE");
            });
    return view[0];
  }

  private static List<String> waves(JsonNode rollout, String field) {
    List<String> out = new ArrayList<>();
    rollout.get("waves").forEach(w -> out.add(w.get(field).asText()));
    return out;
  }

  @Nested
  class Templates {
    @Test
    void are_listed_with_their_waves_and_total_bake_per_severity() throws Exception {
      HttpResponse<String> r = server.get(admin, api("/plans/templates"));

      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode all = json(r);
      assertThat(all.findValuesAsText("name")).contains("dba", "patch-server", "classic");
      JsonNode patch = all.get(1);
      assertThat(patch.get("name").asText()).isEqualTo("patch-server");
      assertThat(patch.get("totalBake").get("NORMAL").asText()).isEqualTo("PT288H");
      assertThat(patch.get("totalBake").get("EMERGENCY").asText()).isEqualTo("PT3H");
      assertThat(patch.get("waves").get(0).get("spread").get("by").asText()).isEqualTo("branch");
      assertThat(patch.get("waves").get(2).get("batches").asInt()).isEqualTo(3);
      assertThat(patch.get("description").asText()).isNotBlank();
    }

    @Test
    void a_rollout_named_after_one_follows_it_with_its_batches_and_spread() throws Exception {
      fleetAndRelease();
      fleetKnown();

      HttpResponse<String> created =
          server.post(
              admin,
              api("/rollouts"),
              "{\"rollout\": \"r1\", \"release\": \"kb-1\", \"plan\": \"patch-server\"}");

      assertThat(created.statusCode()).isEqualTo(202);
      JsonNode r1 = activeRollout("r1");
      assertThat(waves(r1, "name"))
          .containsExactly(
              "branch-canaries", "pilot", "production.1", "production.2", "production.3");
      // two of b1, two of b2, the one of b3; then the rest of prod (p3, p7, p8) in three batches
      assertThat(waves(r1, "assigned")).containsExactly("5", "2", "1", "1", "1");
      assertThat(r1.get("waves").get(0).get("bake").asText()).isEqualTo("PT48H");
      assertThat(r1.get("currentWave").asText()).isEqualTo("branch-canaries");
    }

    @Test
    void an_unknown_name_is_a_400_naming_plan_and_listing_the_known_ones() throws Exception {
      HttpResponse<String> r =
          server.post(
              admin,
              api("/rollouts"),
              "{\"rollout\": \"r1\", \"release\": \"kb-1\", \"plan\": \"nightly\"}");

      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
      assertThat(json(r).get("field").asText()).isEqualTo("plan");
      assertThat(json(r).get("detail").asText()).contains("dba", "patch-server", "classic");
    }
  }

  @Nested
  class Written_plans {
    @Test
    void take_batches_and_a_spread_and_show_each_batch_as_a_wave() throws Exception {
      fleetAndRelease();
      fleetKnown();

      HttpResponse<String> created =
          server.post(
              admin,
              api("/rollouts"),
              """
          {"rollout": "r2", "release": "kb-1", "plan": {"waves": [
            {"name": "one-per-branch", "selector": {"env": "prod"}, "spread": {"by": "branch", "hosts": 1}},
            {"name": "prod", "selector": {"env": "prod"}, "batchSize": 2, "batchBake": "PT1H", "bake": "PT2H"}]}}""");

      assertThat(created.statusCode()).isEqualTo(202);
      JsonNode r2 = activeRollout("r2");
      assertThat(waves(r2, "name")).containsExactly("one-per-branch", "prod.1", "prod.2", "prod.3");
      // one of each branch (p1, p4, p6); the other five prod hosts in batches of two
      assertThat(waves(r2, "assigned")).containsExactly("3", "2", "2", "1");
      assertThat(waves(r2, "bake")).containsExactly("PT5M", "PT1H", "PT1H", "PT2H");
    }

    @Test
    void refuse_bad_batches_and_spreads_naming_the_field() throws Exception {
      assertRefused(
          "{\"waves\": [{\"name\": \"a\", \"batches\": 2, \"batchSize\": 3}]}",
          "plan.waves[0].batchSize");
      assertRefused(
          "{\"waves\": [{\"name\": \"a\", \"batches\": 2, \"spread\": {\"by\": \"b\", \"hosts\": 1}}]}",
          "plan.waves[0].spread");
      assertRefused(
          "{\"waves\": [{\"name\": \"a\", \"spread\": {\"by\": \"branch\"}}]}",
          "plan.waves[0].spread.hosts");
      assertRefused(
          "{\"waves\": [{\"name\": \"a\", \"batchBake\": \"PT1H\"}]}", "plan.waves[0].batchBake");
      assertRefused("{\"waves\": [{\"name\": \"a\", \"bakee\": \"PT1H\"}]}", "plan.waves[0].bakee");
      assertRefused(
          "{\"waves\": [{\"name\": \"a\", \"batches\": 2}, {\"name\": \"a.1\"}]}",
          "plan.waves[1].name");
      assertRefused("7", "plan");
    }

    private void assertRefused(String plan, String field) throws Exception {
      HttpResponse<String> r =
          server.post(
              admin,
              api("/rollouts"),
              "{\"rollout\": \"r9\", \"release\": \"kb-1\", \"plan\": " + plan + "}");
      assertThat(r.statusCode()).as(plan).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
      assertThat(json(r).get("field").asText()).as(plan).isEqualTo(field);
    }
  }

  @Nested
  class Windows {
    @Test
    void keep_their_zone_and_read_back_in_it() throws Exception {
      HttpResponse<String> put =
          server.put(
              admin,
              api("/policy"),
              """
          {"windows": [{"start": "02:00", "end": "04:00", "zone": "Europe/Paris"},
                       {"days": ["SUNDAY"], "start": "10:00", "end": "12:00"}]}""");
      assertThat(put.statusCode()).isEqualTo(202);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertThat(json(server.get(admin, api("/policy"))).get("windows")).hasSize(2));
      JsonNode windows = json(server.get(admin, api("/policy"))).get("windows");
      assertThat(windows.get(0).get("zone").asText()).isEqualTo("Europe/Paris");
      assertThat(windows.get(1).get("zone").asText()).isEqualTo("UTC");
    }

    @Test
    void in_an_unknown_zone_are_refused_naming_the_field() throws Exception {
      HttpResponse<String> r =
          server.put(
              admin,
              api("/policy"),
              "{\"windows\": [{\"start\": \"02:00\", \"end\": \"04:00\", \"zone\": \"Paris\"}]}");

      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(json(r).get("field").asText()).isEqualTo("windows[0].zone");
    }
  }
}
