package dev.rolloutledger.server.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.TopicContract;
import dev.rolloutledger.server.TestServer;
import dev.rolloutledger.server.auth.Role;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The registry facade on a real server and broker: who may read and write, the topic contract
 * registered at start-up and guarded, and each Confluent route with its error codes.
 */
class RegistryFacadeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String TENANT = "registry-it";

  private static TestServer server;
  private static String admin;
  private static String viewer;
  private static String agent;

  private String subject;

  static final Schema V1 =
      SchemaBuilder.record("Probe").namespace("it").fields().requiredString("host").endRecord();
  static final Schema V2 =
      SchemaBuilder.record("Probe")
          .namespace("it")
          .fields()
          .requiredString("host")
          .name("region")
          .type()
          .stringType()
          .stringDefault("eu")
          .endRecord();

  @BeforeAll
  static void start() throws IOException {
    server =
        new TestServer(
            "it-registry-facade-" + UUID.randomUUID(),
            Files.createTempDirectory("ledger-it-state"));
    admin = server.token(TENANT, Role.ADMIN);
    viewer = server.token(TENANT, Role.VIEWER);
    agent = server.token(TENANT, Role.AGENT, "host-1");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void uniqueSubject() {
    subject = "it-" + UUID.randomUUID() + "-value";
  }

  @Nested
  class Authentication {
    @Test
    void refuses_an_anonymous_read_with_40101() {
      HttpResponse<String> r = server.get("/registry/subjects");
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(errorCode(r)).isEqualTo(40101);
      assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void refuses_an_unknown_token_with_40101() {
      HttpResponse<String> r = server.get("rl_nobody_secret", "/registry/subjects");
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(errorCode(r)).isEqualTo(40101);
    }

    @Test
    void lets_any_role_read() {
      assertThat(server.get(viewer, "/registry/subjects").statusCode()).isEqualTo(200);
      assertThat(server.get(agent, "/registry/subjects").statusCode()).isEqualTo(200);
    }

    @Test
    void takes_the_token_as_the_password_of_http_basic() {
      assertThat(basic("any-user:" + viewer, "/registry/subjects").statusCode()).isEqualTo(200);
      HttpResponse<String> wrong = basic("any-user:not-a-token", "/registry/subjects");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(errorCode(wrong)).isEqualTo(40101);
    }

    @Test
    void refuses_a_viewer_write_with_40301() {
      HttpResponse<String> r = register(viewer, subject, V1);
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(errorCode(r)).isEqualTo(40301);
      assertThat(server.get(admin, path(subject) + "/versions").statusCode()).isEqualTo(404);
    }

    @Test
    void refuses_a_viewer_delete_with_40301() {
      assertThat(register(admin, subject, V1).statusCode()).isEqualTo(200);
      HttpResponse<String> r = server.send("DELETE", viewer, path(subject) + "/versions/1", null);
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(errorCode(r)).isEqualTo(40301);
      assertThat(json(server.get(viewer, path(subject) + "/versions"))).hasSize(1);
    }

    @Test
    void lets_an_admin_write() {
      HttpResponse<String> r = register(admin, subject, V1);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(json(r).get("id").asInt()).isPositive();
    }

    @Test
    void answers_a_viewer_the_id_of_a_schema_already_registered() {
      // a Confluent serializer that auto-registers asks this on every start
      HttpResponse<String> r =
          register(viewer, Topics.TELEMETRY.valueSubject(), Topics.TELEMETRY.valueSchema());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(json(r).get("id").asInt())
          .isEqualTo(
              server.bean(ContractSubjects.class).ids().get(Topics.TELEMETRY.valueSubject()));
    }
  }

  @Nested
  class TopicContractSubjects {
    @Test
    void are_all_registered_right_after_start() {
      List<String> subjects = strings(json(server.get(viewer, "/registry/subjects")));
      assertThat(subjects).containsAll(TopicContract.subjects().keySet());
      for (Map.Entry<String, Schema> e : TopicContract.subjects().entrySet()) {
        HttpResponse<String> r = lookup(viewer, e.getKey(), e.getValue());
        assertThat(r.statusCode()).as(e.getKey()).isEqualTo(200);
        assertThat(json(r).get("id").asInt())
            .isEqualTo(server.bean(ContractSubjects.class).ids().get(e.getKey()));
      }
    }

    @Test
    void refuse_a_string_under_the_decisions_subject_even_from_an_admin() throws Exception {
      // issue 17: this registration left every later telemetry POST failing with 500
      String decisions = Topics.LEDGER.valueSubject();
      List<String> before = strings(json(server.get(viewer, path(decisions) + "/versions")));

      HttpResponse<String> r =
          server.post(admin, path(decisions) + "/versions", "{\"schema\": \"\\\"string\\\"\"}");

      assertThat(r.statusCode()).isEqualTo(409);
      assertThat(errorCode(r)).isEqualTo(409);
      assertThat(json(r).get("message").asText()).contains("topic contract");
      assertThat(strings(json(server.get(viewer, path(decisions) + "/versions"))))
          .isEqualTo(before);
      String telemetry = "[{\"type\": \"heartbeat\", \"host\": \"h-1\", \"release\": \"cf-290\"}]";
      assertThat(
              server
                  .post(admin, "/api/v1/tenants/" + TENANT + "/telemetry", telemetry)
                  .statusCode())
          .isEqualTo(202);
    }

    @Test
    void take_one_event_record_of_the_union() {
      HttpResponse<String> r =
          register(admin, Topics.TELEMETRY.valueSubject(), CrashReport.getClassSchema());
      assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void are_checked_for_compatibility_against_the_contract() {
      String telemetry = path(Topics.TELEMETRY.valueSubject()).replace("/registry/", "");
      String check = "/registry/compatibility/" + telemetry + "/versions/latest";
      HttpResponse<String> record =
          server.post(
              viewer,
              check,
              JSON.createObjectNode()
                  .put("schema", CrashReport.getClassSchema().toString())
                  .toString());
      assertThat(json(record).get("is_compatible").asBoolean()).isTrue();
      HttpResponse<String> string = server.post(viewer, check, "{\"schema\": \"\\\"string\\\"\"}");
      assertThat(json(string).get("is_compatible").asBoolean()).isFalse();
      assertThat(json(string).get("messages").get(0).asText()).contains("not an event");
    }

    @Test
    void keep_the_contract_schema_in_its_subject() {
      String decisions = Topics.LEDGER.valueSubject();
      JsonNode contract = json(lookup(viewer, decisions, Topics.LEDGER.valueSchema()));
      HttpResponse<String> r =
          server.send(
              "DELETE", admin, path(decisions) + "/versions/" + contract.get("version"), null);
      assertThat(r.statusCode()).isEqualTo(422);
      assertThat(errorCode(r)).isEqualTo(42205);
    }
  }

  @Nested
  class Routes {
    @Test
    void look_up_a_schema_under_a_subject() {
      int id = json(register(admin, subject, V1)).get("id").asInt();
      JsonNode found = json(lookup(viewer, subject, V1));
      assertThat(found.get("subject").asText()).isEqualTo(subject);
      assertThat(found.get("id").asInt()).isEqualTo(id);
      assertThat(found.get("version").asInt()).isEqualTo(1);
      assertThat(new Schema.Parser().parse(found.get("schema").asText())).isEqualTo(V1);

      HttpResponse<String> missing = lookup(viewer, subject, V2);
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(errorCode(missing)).isEqualTo(40403);
      HttpResponse<String> noSubject = lookup(viewer, subject + "-none", V1);
      assertThat(noSubject.statusCode()).isEqualTo(404);
      assertThat(errorCode(noSubject)).isEqualTo(40401);
    }

    @Test
    void answer_the_compatibility_level_globally_and_per_subject() {
      assertThat(json(server.get(viewer, "/registry/config")).get("compatibilityLevel").asText())
          .isEqualTo("BACKWARD");
      HttpResponse<String> subjectLevel = server.get(viewer, "/registry/config/" + subject);
      assertThat(subjectLevel.statusCode()).isEqualTo(404);
      assertThat(errorCode(subjectLevel)).isEqualTo(40408);
      assertThat(
              json(server.get(viewer, "/registry/config/" + subject + "?defaultToGlobal=true"))
                  .get("compatibilityLevel")
                  .asText())
          .isEqualTo("BACKWARD");
    }

    @Test
    void answer_a_change_to_the_level_in_force_and_refuse_any_other() {
      String path = "/registry/config/" + subject;
      HttpResponse<String> same = server.put(viewer, path, "{\"compatibility\": \"BACKWARD\"}");
      assertThat(same.statusCode()).isEqualTo(200);
      assertThat(json(same).get("compatibility").asText()).isEqualTo("BACKWARD");

      HttpResponse<String> byViewer = server.put(viewer, path, "{\"compatibility\": \"NONE\"}");
      assertThat(byViewer.statusCode()).isEqualTo(403);
      assertThat(errorCode(byViewer)).isEqualTo(40301);
      HttpResponse<String> byAdmin = server.put(admin, path, "{\"compatibility\": \"NONE\"}");
      assertThat(byAdmin.statusCode()).isEqualTo(422);
      assertThat(errorCode(byAdmin)).isEqualTo(42205);
      HttpResponse<String> unknown =
          server.put(admin, "/registry/config", "{\"compatibility\": \"SIDEWAYS\"}");
      assertThat(unknown.statusCode()).isEqualTo(422);
      assertThat(errorCode(unknown)).isEqualTo(42203);
      assertThat(json(server.get(viewer, "/registry/config")).get("compatibilityLevel").asText())
          .isEqualTo("BACKWARD");
    }

    @Test
    void list_the_schema_types() {
      assertThat(strings(json(server.get(viewer, "/registry/schemas/types"))))
          .containsExactly("AVRO");
    }

    @Test
    void find_a_schema_by_id_and_where_it_is_used() {
      int id = json(register(admin, subject, V1)).get("id").asInt();
      register(admin, subject + "-2", V1);

      JsonNode byId = json(server.get(viewer, "/registry/schemas/ids/" + id));
      assertThat(new Schema.Parser().parse(byId.get("schema").asText())).isEqualTo(V1);
      assertThat(
              server
                  .get(viewer, "/registry/schemas/ids/" + id + "?subject=" + subject)
                  .statusCode())
          .isEqualTo(200);
      HttpResponse<String> elsewhere =
          server.get(viewer, "/registry/schemas/ids/" + id + "?subject=" + subject + "-none");
      assertThat(elsewhere.statusCode()).isEqualTo(404);
      assertThat(errorCode(elsewhere)).isEqualTo(40403);

      List<String> usages = new ArrayList<>();
      json(server.get(viewer, "/registry/schemas/ids/" + id + "/versions"))
          .forEach(n -> usages.add(n.get("subject").asText() + "@" + n.get("version").asInt()));
      assertThat(usages).contains(subject + "@1", subject + "-2@1");

      HttpResponse<String> unknown = server.get(viewer, "/registry/schemas/ids/1/versions");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(errorCode(unknown)).isEqualTo(40403);
    }

    @Test
    void answer_a_version_wrapped_and_raw() {
      register(admin, subject, V1);
      register(admin, subject, V2);
      assertThat(
              json(server.get(viewer, path(subject) + "/versions/latest")).get("version").asInt())
          .isEqualTo(2);
      HttpResponse<String> raw = server.get(viewer, path(subject) + "/versions/1/schema");
      assertThat(raw.statusCode()).isEqualTo(200);
      assertThat(new Schema.Parser().parse(raw.body())).isEqualTo(V1);
    }

    @Test
    void name_a_missing_subject_version_or_a_bad_version() {
      assertThat(errorCode(server.get(viewer, path(subject) + "/versions/1"))).isEqualTo(40401);
      register(admin, subject, V1);
      HttpResponse<String> missing = server.get(viewer, path(subject) + "/versions/7");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(errorCode(missing)).isEqualTo(40402);
      HttpResponse<String> bad = server.get(viewer, path(subject) + "/versions/first");
      assertThat(bad.statusCode()).isEqualTo(422);
      assertThat(errorCode(bad)).isEqualTo(42202);
    }

    @Test
    void refuse_an_invalid_schema_with_42201() {
      HttpResponse<String> r =
          server.post(admin, path(subject) + "/versions", "{\"schema\": \"{not avro\"}");
      assertThat(r.statusCode()).isEqualTo(422);
      assertThat(errorCode(r)).isEqualTo(42201);
    }

    @Test
    void refuse_an_incompatible_change_with_409() {
      register(admin, subject, V1);
      Schema breaking =
          SchemaBuilder.record("Probe").namespace("it").fields().requiredInt("cores").endRecord();
      HttpResponse<String> r = register(admin, subject, breaking);
      assertThat(r.statusCode()).isEqualTo(409);
      assertThat(errorCode(r)).isEqualTo(409);
    }

    @Test
    void accept_normalize_on_register() {
      HttpResponse<String> r =
          server.post(
              admin,
              path(subject) + "/versions?normalize=true",
              JSON.createObjectNode().put("schema", V1.toString(true)).toString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(json(lookup(viewer, subject, V1)).get("id").asInt())
          .isEqualTo(json(r).get("id").asInt());
    }
  }

  @Nested
  class SoftDelete {
    @Test
    void hides_a_version_unless_deleted_versions_are_asked_for() {
      register(admin, subject, V1);
      int v2 = json(register(admin, subject, V2)).get("id").asInt();

      HttpResponse<String> deleted =
          server.send("DELETE", admin, path(subject) + "/versions/2", null);

      assertThat(deleted.statusCode()).isEqualTo(200);
      assertThat(deleted.body().trim()).isEqualTo("2");
      assertThat(strings(json(server.get(viewer, path(subject) + "/versions"))))
          .containsExactly("1");
      assertThat(strings(json(server.get(viewer, path(subject) + "/versions?deleted=true"))))
          .containsExactly("1", "2");
      assertThat(errorCode(server.get(viewer, path(subject) + "/versions/2"))).isEqualTo(40402);
      assertThat(server.get(viewer, path(subject) + "/versions/2?deleted=true").statusCode())
          .isEqualTo(200);
      assertThat(
              json(server.get(viewer, path(subject) + "/versions/latest")).get("version").asInt())
          .isEqualTo(1);
      assertThat(server.get(viewer, "/registry/schemas/ids/" + v2).statusCode()).isEqualTo(200);
      assertThat(errorCode(lookup(viewer, subject, V2))).isEqualTo(40403);
    }

    @Test
    void is_recorded_in_the_log_so_every_instance_agrees() {
      register(admin, subject, V1);
      register(admin, subject, V2);
      server.send("DELETE", admin, path(subject) + "/versions/2", null);
      try (var other =
          new dev.rolloutledger.schemas.registry.KafkaSchemaRegistry(
              dev.rolloutledger.server.TestKafka.bootstrapServers(),
              dev.rolloutledger.schemas.compat.Compatibility.Level.BACKWARD)) {
        assertThat(other.versions(subject)).containsExactly(1);
        assertThat(other.versions(subject, true)).containsExactly(1, 2);
      }
    }

    @Test
    void deletes_every_version_of_a_subject() {
      register(admin, subject, V1);
      register(admin, subject, V2);
      HttpResponse<String> r = server.send("DELETE", admin, path(subject), null);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(strings(json(r))).containsExactly("1", "2");
      assertThat(strings(json(server.get(viewer, "/registry/subjects")))).doesNotContain(subject);
      assertThat(strings(json(server.get(viewer, "/registry/subjects?deleted=true"))))
          .contains(subject);
    }

    @Test
    void refuses_a_permanent_delete() {
      register(admin, subject, V1);
      HttpResponse<String> r =
          server.send("DELETE", admin, path(subject) + "/versions/1?permanent=true", null);
      assertThat(r.statusCode()).isEqualTo(422);
      assertThat(errorCode(r)).isEqualTo(42205);
    }
  }

  private static String path(String subject) {
    return "/registry/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> register(String token, String subject, Schema schema) {
    return server.post(
        token,
        path(subject) + "/versions",
        JSON.createObjectNode().put("schema", schema.toString()).toString());
  }

  private static HttpResponse<String> lookup(String token, String subject, Schema schema) {
    return server.post(
        token, path(subject), JSON.createObjectNode().put("schema", schema.toString()).toString());
  }

  private static HttpResponse<String> basic(String userInfo, String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(server.url(path)))
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)))
            .GET()
            .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError(r.statusCode() + " " + r.body(), e);
    }
  }

  private static int errorCode(HttpResponse<String> r) {
    return json(r).path("error_code").asInt(-1);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
