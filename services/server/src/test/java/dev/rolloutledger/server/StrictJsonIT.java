package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.server.auth.Role;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every HTTP body is strict JSON on the real server and broker: no trailing data, no unknown field,
 * no coercion between strings, numbers and booleans, every string capped; each refusal a 400
 * problem naming the field, never a 5xx and never a silent default.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StrictJsonIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA = "a".repeat(64);

  private TestServer server;
  private final String tenant = "strict" + UUID.randomUUID().toString().substring(0, 8);
  private String admin;

  @BeforeAll
  void start() throws Exception {
    server =
        new TestServer("it-strict-" + UUID.randomUUID(), Files.createTempDirectory("ledger-it"));
    admin = server.token(tenant, Role.ADMIN);
    assertThat(
            server
                .post(
                    admin,
                    api("/releases"),
                    "{\"release\": \"cf-1\", \"artifact\": \"a\", \"version\": \"1\", \"sha256\": \""
                        + SHA
                        + "\", \"publisher\": \"p\"}")
                .statusCode())
        .isEqualTo(202);
    assertThat(
            server
                .post(
                    admin,
                    api("/rollouts"),
                    "{\"rollout\": \"r1\", \"release\": \"cf-1\", \"plan\": {\"waves\": [{\"name\":"
                        + " \"canary\", \"percent\": 100, \"approval\": true}]}}")
                .statusCode())
        .isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.get(admin, api("/rollouts/r1")).statusCode() == 200);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private String api(String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  private static JsonNode problem(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    return JSON.readTree(r.body());
  }

  private static String field(JsonNode problem) {
    return problem.path("field").asText(null);
  }

  @Nested
  class TrailingData {
    @Test
    void data_after_the_json_value_is_refused_on_every_body() throws Exception {
      problem(server.post(admin, api("/hosts"), "[{\"host\": \"h1\"}] [{\"host\": \"h2\"}]"), 400);
      problem(server.post(admin, api("/releases"), "{\"release\": \"cf-2\"} x"), 400);
      problem(server.post(admin, api("/rollouts"), "{\"release\": \"cf-1\"}{}"), 400);
      problem(server.post(admin, api("/rollouts/r1/pause"), "{\"reason\": \"y\"} 1"), 400);
      problem(server.post(admin, api("/rollouts/r1/approvals"), "{\"wave\": \"canary\"}}"), 400);
      problem(server.post(admin, api("/telemetry"), "[] []"), 400);
      problem(server.put(admin, api("/policy"), "{\"paused\": false} true"), 400);
      problem(server.post(admin, api("/tokens"), "{\"name\": \"t\", \"role\": \"viewer\"} ,"), 400);
    }

    @Test
    void a_null_body_is_a_400_not_a_500() throws Exception {
      problem(server.post(admin, api("/releases"), "null"), 400);
      problem(server.post(admin, api("/telemetry"), "null"), 400);
    }
  }

  @Nested
  class UnknownFields {
    @Test
    void an_unknown_plan_field_is_refused_with_its_path() throws Exception {
      JsonNode p =
          problem(
              server.post(
                  admin,
                  api("/rollouts"),
                  "{\"release\": \"cf-1\", \"plan\": {\"waves\": [{\"name\": \"all\", \"percent\":"
                      + " 100, \"bakee\": \"PT1M\"}]}}"),
              400);
      assertThat(field(p)).isEqualTo("plan.waves[0].bakee");
      assertThat(p.get("detail").asText()).contains("plan.waves[0].bakee");
    }

    @Test
    void a_misspelt_policy_field_is_refused_and_leaves_the_policy_as_it_was() throws Exception {
      assertThat(
              server
                  .put(admin, api("/policy"), "{\"pin\": \"cf-1\", \"delay\": \"PT1H\"}")
                  .statusCode())
          .isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  "cf-1"
                      .equals(
                          JSON.readTree(server.get(admin, api("/policy")).body())
                              .path("pin")
                              .asText()));

      // "pinned" instead of "pin": before, the unknown field was dropped and the policy reset
      JsonNode p =
          problem(
              server.put(admin, api("/policy"), "{\"pinned\": \"cf-2\", \"delay\": \"PT1H\"}"),
              400);
      assertThat(field(p)).isEqualTo("pinned");

      // a later valid change is applied after it: had the refused one been published, it came first
      assertThat(
              server
                  .put(admin, api("/policy"), "{\"pin\": \"cf-1\", \"delay\": \"PT2H\"}")
                  .statusCode())
          .isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  "PT2H"
                      .equals(
                          JSON.readTree(server.get(admin, api("/policy")).body())
                              .path("delay")
                              .asText()));
      assertThat(JSON.readTree(server.get(admin, api("/policy")).body()).path("pin").asText())
          .isEqualTo("cf-1");
    }

    @Test
    void a_field_given_twice_is_refused_naming_it() throws Exception {
      assertThat(
              field(
                  problem(
                      server.post(
                          admin,
                          api("/rollouts/r1/pause"),
                          "{\"reason\": \"a\", \"reason\": \"b\"}"),
                      400)))
          .isEqualTo("reason");
    }

    @Test
    void an_unknown_field_of_any_body_is_named() throws Exception {
      assertThat(
              field(
                  problem(
                      server.post(admin, api("/hosts"), "[{\"host\": \"h1\", \"lables\": {}}]"),
                      400)))
          .isEqualTo("[0].lables");
      assertThat(
              field(
                  problem(
                      server.post(
                          admin,
                          api("/telemetry"),
                          "[{\"type\": \"heartbeat\", \"host\": \"h1\", \"metric\": {}}]"),
                      400)))
          .isEqualTo("[0].metric");
      assertThat(
              field(
                  problem(
                      server.post(
                          admin,
                          api("/rollouts/r1/halt"),
                          "{\"reason\": \"y\", \"by\": \"someone else\"}"),
                      400)))
          .isEqualTo("by");
      assertThat(
              field(
                  problem(
                      server.post(
                          admin,
                          api("/tokens"),
                          "{\"name\": \"t\", \"role\": \"viewer\", \"tenant\": \"other\"}"),
                      400)))
          .isEqualTo("tenant");
    }
  }

  @Nested
  class NoCoercion {
    @Test
    void a_number_or_boolean_where_an_id_is_expected_is_refused_naming_it() throws Exception {
      assertThat(field(problem(server.post(admin, api("/hosts"), "[{\"host\": 5}]"), 400)))
          .isEqualTo("[0].host");
      assertThat(field(problem(server.post(admin, api("/releases"), "{\"release\": true}"), 400)))
          .isEqualTo("release");
      assertThat(
              field(
                  problem(server.post(admin, api("/rollouts/r1/approvals"), "{\"wave\": 1}"), 400)))
          .isEqualTo("wave");
      assertThat(
              field(
                  problem(
                      server.post(
                          admin, api("/telemetry"), "[{\"type\": \"heartbeat\", \"host\": 1.5}]"),
                      400)))
          .isEqualTo("[0].host");
      assertThat(
              field(
                  problem(
                      server.post(
                          admin, api("/hosts"), "[{\"host\": \"h1\", \"labels\": {\"env\": 1}}]"),
                      400)))
          .isEqualTo("[0].labels.env");
    }

    @Test
    void a_string_where_a_number_or_boolean_is_expected_is_refused_naming_it() throws Exception {
      assertThat(
              field(
                  problem(
                      server.post(
                          admin,
                          api("/rollouts"),
                          "{\"release\": \"cf-1\", \"plan\": {\"waves\": [{\"name\": \"all\", \"percent\": \"100\"}]}}"),
                      400)))
          .isEqualTo("plan.waves[0].percent");
      assertThat(field(problem(server.put(admin, api("/policy"), "{\"paused\": \"true\"}"), 400)))
          .isEqualTo("paused");
      assertThat(
              field(
                  problem(
                      server.post(
                          admin,
                          api("/telemetry"),
                          "[{\"type\": \"heartbeat\", \"host\": \"h1\", \"metrics\": {\"cpu\": \"0.5\"}}]"),
                      400)))
          .isEqualTo("[0].metrics.cpu");
    }
  }

  @Nested
  class Caps {
    @Test
    void an_id_over_128_characters_is_refused_naming_it() throws Exception {
      assertThat(
              field(
                  problem(
                      server.post(
                          admin, api("/hosts"), "[{\"host\": \"" + "h".repeat(129) + "\"}]"),
                      400)))
          .isEqualTo("[0].host");
    }

    @Test
    void free_text_over_1024_characters_is_refused_naming_it() throws Exception {
      String big = "x".repeat(1025);
      assertThat(
              field(
                  problem(
                      server.post(
                          admin, api("/rollouts/r1/pause"), "{\"reason\": \"" + big + "\"}"),
                      400)))
          .isEqualTo("reason");
      assertThat(
              field(
                  problem(
                      server.post(
                          admin,
                          api("/hosts"),
                          "[{\"host\": \"h1\", \"labels\": {\"env\": \"" + big + "\"}}]"),
                      400)))
          .isEqualTo("[0].labels.env");
      assertThat(
              field(
                  problem(
                      server.post(
                          admin,
                          api("/releases"),
                          "{\"release\": \"cf-3\", \"artifact\": \"" + big + "\"}"),
                      400)))
          .isEqualTo("artifact");
    }

    @Test
    void a_label_or_metric_name_over_128_characters_is_refused() throws Exception {
      String key = "k".repeat(129);
      assertThat(
              field(
                  problem(
                      server.post(
                          admin,
                          api("/hosts"),
                          "[{\"host\": \"h1\", \"labels\": {\"" + key + "\": \"v\"}}]"),
                      400)))
          .startsWith("[0].labels");
      assertThat(
              field(
                  problem(
                      server.post(
                          admin,
                          api("/telemetry"),
                          "[{\"type\": \"heartbeat\", \"host\": \"h1\", \"metrics\": {\""
                              + key
                              + "\": 1}}]"),
                      400)))
          .startsWith("[0].metrics");
    }
  }

  @Nested
  class DoorRules {
    private String refusedField(HttpResponse<String> r) throws Exception {
      return field(problem(r, 400));
    }

    @Test
    void each_field_follows_the_rule_every_door_applies_and_a_refusal_names_it() throws Exception {
      assertThat(
              refusedField(
                  server.post(admin, api("/rollouts/r1/pause"), "{\"reason\": \"a\\u001bb\"}")))
          .isEqualTo("reason");
      assertThat(
              refusedField(
                  server.post(
                      admin,
                      api("/releases"),
                      "{\"release\": \"cf-9\", \"artifact\": \"a\", \"version\": \""
                          + "v".repeat(129)
                          + "\", \"sha256\": \""
                          + SHA
                          + "\", \"publisher\": \"p\"}")))
          .isEqualTo("version");
      assertThat(
              refusedField(
                  server.post(
                      admin,
                      api("/rollouts"),
                      "{\"rollout\": \"r9\", \"release\": \"cf-1\", \"plan\": {\"waves\":"
                          + " [{\"name\": \"w\", \"bake\": \"P3651D\"}]}}")))
          .isEqualTo("plan.waves[0].bake");
      assertThat(
              refusedField(
                  server.put(
                      admin,
                      api("/policy"),
                      "{\"allowedPublishers\": [\"" + "p".repeat(129) + "\"]}")))
          .isEqualTo("allowedPublishers[0]");
      assertThat(
              refusedField(
                  server.put(
                      admin,
                      api("/policy"),
                      "{\"windows\": [{\"days\": [null], \"start\": \"01:00\", \"end\":"
                          + " \"02:00\"}]}")))
          .isEqualTo("windows[0].days[0]");
    }

    @Test
    void a_dot_segment_is_not_an_id() throws Exception {
      assertThat(refusedField(server.post(admin, api("/hosts"), "[{\"host\": \"..\"}]")))
          .isEqualTo("[0].host");
    }
  }

  @Nested
  class Approvals {
    @Test
    void approving_a_wave_the_plan_does_not_name_answers_404_naming_the_wave() throws Exception {
      JsonNode p =
          problem(server.post(admin, api("/rollouts/r1/approvals"), "{\"wave\": \"canry\"}"), 404);
      assertThat(field(p)).isEqualTo("wave");
      assertThat(p.get("detail").asText()).contains("canry");
    }

    @Test
    void approving_a_wave_of_the_plan_is_still_accepted() throws Exception {
      assertThat(
              server
                  .post(admin, api("/rollouts/r1/approvals"), "{\"wave\": \"canary\"}")
                  .statusCode())
          .isEqualTo(202);
    }
  }
}
