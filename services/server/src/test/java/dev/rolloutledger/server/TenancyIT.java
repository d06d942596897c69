package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.server.auth.Role;
import io.micronaut.web.router.Router;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tenancy and roles on the real broker. Tenant B has hosts, a release, a rollout, a policy and
 * tokens; a token of tenant A, even an admin's, reaches none of them through any route: a foreign
 * path tenant answers 404 (the answer for an object that does not exist), and B's ids under A's own
 * path are A's objects, which do not exist either. Within a tenant, each role gets what its job
 * needs and 403 for the rest; without a known token, 401.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenancyIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA = "d".repeat(64);

  private TestServer server;
  private final String a = "ta" + UUID.randomUUID().toString().substring(0, 8);
  private final String b = "tb" + UUID.randomUUID().toString().substring(0, 8);
  private String aAdmin;
  private String bAdmin;
  private String bOperatorName; // a token of B that A could try to revoke

  /** One call of every tenant route; {tenant}, {rollout} and {name} are filled in per test. */
  private record Call(String method, String template, String body) {
    String path(String tenant, String rollout, String name) {
      return template
          .replace("{tenant}", tenant)
          .replace("{rollout}", rollout)
          .replace("{name}", name)
          .replace("{host}", "h1");
    }

    String route() {
      return method + " " + template;
    }
  }

  private static final String T = "/api/v1/tenants/{tenant}";
  private static final List<Call> EVERY_TENANT_ROUTE =
      List.of(
          new Call("POST", T + "/hosts", "[{\"host\": \"h1\", \"labels\": {\"env\": \"prod\"}}]"),
          new Call(
              "POST",
              T + "/releases",
              "{\"release\": \"x\", \"artifact\": \"a\", \"version\": \"1\", \"sha256\": \""
                  + SHA
                  + "\", \"publisher\": \"p\"}"),
          new Call("POST", T + "/rollouts", "{\"rollout\": \"r-new\", \"release\": \"cf-1\"}"),
          new Call("GET", T + "/releases", null),
          new Call("GET", T + "/plans/templates", null),
          new Call("GET", T + "/incidents", null),
          new Call("GET", T + "/rollouts", null),
          new Call("GET", T + "/rollouts/{rollout}", null),
          new Call("GET", T + "/rollouts/{rollout}/ledger", null),
          new Call("GET", T + "/rollouts/{rollout}/evidence", null),
          new Call("GET", T + "/events", null),
          new Call("POST", T + "/whatif", "{\"rollout\": \"rb\"}"),
          new Call("POST", T + "/rollouts/{rollout}/halt", "{\"reason\": \"y\"}"),
          new Call("POST", T + "/rollouts/{rollout}/pause", "{\"reason\": \"y\"}"),
          new Call("POST", T + "/rollouts/{rollout}/resume", "{\"reason\": \"y\"}"),
          new Call("POST", T + "/rollouts/{rollout}/rollback", "{\"reason\": \"y\"}"),
          new Call("POST", T + "/rollouts/{rollout}/approvals", "{\"wave\": \"canary\"}"),
          new Call(
              "POST",
              T + "/telemetry",
              "[{\"type\": \"crash\", \"host\": \"h1\", \"release\": \"cf-1\"}]"),
          new Call("GET", T + "/hosts/{host}/commands", null),
          new Call("GET", T + "/hosts", null),
          new Call("POST", T + "/hosts/{host}/cordon", null),
          new Call("POST", T + "/hosts/{host}/retire", null),
          new Call("POST", T + "/hosts/{host}/activate", null),
          new Call("PUT", T + "/policy", "{\"paused\": true, \"by\": \"x\"}"),
          new Call("GET", T + "/policy", null),
          new Call("PUT", T + "/notifications", "{\"webhooks\": []}"),
          new Call("GET", T + "/notifications", null),
          new Call("POST", T + "/tokens", "{\"name\": \"stolen\", \"role\": \"admin\"}"),
          new Call("GET", T + "/tokens", null),
          new Call("DELETE", T + "/tokens/{name}", null));

  @BeforeAll
  void startServerWithTenantB() throws Exception {
    server =
        new TestServer("it-tenancy-" + UUID.randomUUID(), Files.createTempDirectory("ledger-it"));
    aAdmin = server.token(a, Role.ADMIN);
    bAdmin = server.token(b, Role.ADMIN);
    server.token(b, Role.OPERATOR);
    for (JsonNode t : json(server.get(bAdmin, "/api/v1/tenants/" + b + "/tokens"))) {
      if (t.get("role").asText().equals("operator")) {
        bOperatorName = t.get("name").asText();
      }
    }
    rollout(b, bAdmin, "rb");
    rollout(a, aAdmin, "ra");
  }

  @AfterAll
  void stopServer() {
    server.close();
  }

  private void rollout(String tenant, String token, String rollout) {
    String api = "/api/v1/tenants/" + tenant;
    assertThat(
            server
                .post(
                    token,
                    api + "/hosts",
                    "[{\"host\": \"h1\", \"labels\": {\"env\": \"dev\"}},"
                        + " {\"host\": \"h2\", \"labels\": {\"env\": \"dev\"}}]")
                .statusCode())
        .isEqualTo(202);
    server.reachable(token, tenant, "h1", "h2");
    server.post(
        token,
        api + "/releases",
        "{\"release\": \"cf-1\", \"artifact\": \"a\", \"version\": \"1\", \"sha256\": \""
            + SHA
            + "\", \"publisher\": \"p\"}");
    server.post(
        token,
        api + "/rollouts",
        "{\"rollout\": \""
            + rollout
            + "\", \"release\": \"cf-1\", \"plan\": {\"waves\": [{\"name\": \"canary\","
            + " \"selector\": {\"env\": \"dev\"}, \"approval\": true}]}}");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.get(token, api + "/rollouts/" + rollout).statusCode() == 200);
  }

  private HttpResponse<String> call(Call c, String token, String tenant) {
    return server.send(c.method(), token, c.path(tenant, "rb", bOperatorName), c.body());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  private static void assertProblem(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.request().method() + " " + r.uri()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    assertThat(json(r).get("status").asInt()).isEqualTo(status);
  }

  @Nested
  class AcrossTenants {
    @Test
    void the_matrix_covers_every_route_under_a_tenant() {
      Set<String> routes =
          server
              .bean(Router.class)
              .uriRoutes()
              .map(r -> r.getHttpMethodName() + " " + r.getUriMatchTemplate().toString())
              .filter(r -> r.contains("/api/v1/tenants/"))
              .filter(r -> !r.startsWith("HEAD ")) // Micronaut's HEAD twin of each GET
              .collect(Collectors.toSet());

      assertThat(EVERY_TENANT_ROUTE.stream().map(Call::route))
          .containsExactlyInAnyOrderElementsOf(routes);
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_openapi_document_is_served_without_a_token_and_describes_every_api_route() {
      HttpResponse<String> doc = server.get("/openapi/rollout-ledger-v1.yml");
      assertThat(doc.statusCode()).isEqualTo(200);
      Map<String, Object> paths =
          (Map<String, Object>)
              new org.yaml.snakeyaml.Yaml().<Map<String, Object>>load(doc.body()).get("paths");
      Set<String> documented = new java.util.HashSet<>();
      paths.forEach(
          (path, ops) ->
              ((Map<String, Object>) ops)
                  .keySet()
                  .forEach(method -> documented.add(method.toUpperCase() + " " + path)));
      Set<String> routes =
          server
              .bean(Router.class)
              .uriRoutes()
              .map(r -> r.getHttpMethodName() + " " + r.getUriMatchTemplate().toString())
              .filter(r -> r.contains(" /api/v1/"))
              .filter(r -> !r.startsWith("HEAD "))
              .collect(Collectors.toSet());

      assertThat(routes).isNotEmpty();
      assertThat(documented).containsAll(routes);
    }

    @Test
    void an_admin_of_tenant_a_gets_404_on_every_route_of_tenant_b() throws Exception {
      for (Call c : EVERY_TENANT_ROUTE) {
        assertProblem(call(c, aAdmin, b), 404);
      }
      // nothing of B moved: its rollout waits for approval, its tokens work, no pause was set
      JsonNode rollout = json(server.get(bAdmin, "/api/v1/tenants/" + b + "/rollouts/rb"));
      assertThat(rollout.get("status").asText()).isEqualTo("ACTIVE");
      assertThat(rollout.get("waves").get(0).get("approved").asBoolean()).isFalse();
      JsonNode tokens = json(server.get(bAdmin, "/api/v1/tenants/" + b + "/tokens"));
      assertThat(tokens).hasSize(2);
      assertThat(tokens.toString()).doesNotContain("stolen");
      assertThat(json(server.get(bAdmin, "/api/v1/tenants/" + b + "/hosts")).get("hosts"))
          .extracting(h -> h.get("lifecycle").asText())
          .containsExactly("active", "active"); // neither cordoned nor retired
      assertThat(
              json(server.get(bAdmin, "/api/v1/tenants/" + b + "/policy"))
                  .get("paused")
                  .asBoolean())
          .isFalse();
    }

    @Test
    void tenant_b_object_ids_under_tenant_a_path_are_not_b_objects() throws Exception {
      String api = "/api/v1/tenants/" + a;
      assertProblem(server.get(aAdmin, api + "/rollouts/rb"), 404);
      assertProblem(server.get(aAdmin, api + "/rollouts/rb/ledger"), 404);
      assertProblem(server.post(aAdmin, api + "/rollouts/rb/halt", "{\"reason\": \"y\"}"), 404);
      assertProblem(
          server.post(aAdmin, api + "/rollouts/rb/approvals", "{\"wave\": \"canary\"}"), 404);
      assertProblem(server.send("DELETE", aAdmin, api + "/tokens/" + bOperatorName, null), 404);

      assertThat(json(server.get(aAdmin, api + "/rollouts")))
          .extracting(r -> r.get("rollout").asText())
          .containsExactly("ra");
      assertThat(json(server.get(aAdmin, api + "/tokens")))
          .extracting(t -> t.get("tenant").asText())
          .containsOnly(a);
    }
  }

  @Nested
  class WithinATenant {
    private String api(String path) {
      return "/api/v1/tenants/" + a + path;
    }

    @Test
    void no_token_an_unknown_one_or_another_scheme_is_401_asking_for_a_bearer_token()
        throws Exception {
      HttpResponse<String> none = server.get(api("/rollouts"));
      assertProblem(none, 401);
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      assertProblem(server.send("POST", null, api("/hosts"), "[]"), 401);
      assertProblem(server.get("rl_0000000000000000_" + "A".repeat(43), api("/rollouts")), 401);
      assertProblem(server.get("/api/v1/keys"), 401);
    }

    @Test
    void a_viewer_reads_and_changes_nothing() throws Exception {
      String viewer = server.token(a, Role.VIEWER);

      assertThat(server.get(viewer, api("/rollouts/ra")).statusCode()).isEqualTo(200);
      assertThat(server.get(viewer, api("/policy")).statusCode()).isEqualTo(200);
      assertProblem(server.post(viewer, api("/hosts"), "[]"), 403);
      assertProblem(server.post(viewer, api("/rollouts/ra/halt"), "{}"), 403);
      assertProblem(server.post(viewer, api("/rollouts/ra/approvals"), "{}"), 403);
      assertProblem(server.put(viewer, api("/policy"), "{}"), 403);
      assertProblem(server.get(viewer, api("/tokens")), 403);
    }

    @Test
    void an_operator_runs_rollouts_but_neither_approves_nor_administers() throws Exception {
      String operator = server.token(a, Role.OPERATOR);

      assertThat(server.post(operator, api("/hosts"), "[]").statusCode()).isEqualTo(202);
      assertProblem(
          server.post(operator, api("/rollouts/ra/approvals"), "{\"wave\": \"canary\"}"), 403);
      assertProblem(server.put(operator, api("/policy"), "{}"), 403);
      assertProblem(server.post(operator, api("/tokens"), "{\"name\": \"x\"}"), 403);
    }

    @Test
    void an_approver_approves_and_does_nothing_else() throws Exception {
      String approver = server.token(a, Role.APPROVER);

      assertProblem(server.post(approver, api("/rollouts/ra/halt"), "{}"), 403);
      assertProblem(server.post(approver, api("/telemetry"), "[]"), 403);
      assertThat(
              server
                  .post(approver, api("/rollouts/ra/approvals"), "{\"wave\": \"canary\"}")
                  .statusCode())
          .isEqualTo(202);
    }

    @Test
    void an_agent_reports_and_reads_commands_only_of_its_own_host_and_reads_the_keys()
        throws Exception {
      String agent = server.token(a, Role.AGENT, "h1");

      assertThat(
              server
                  .post(
                      agent,
                      api("/telemetry"),
                      "[{\"type\": \"heartbeat\", \"host\": \"h1\", \"release\": \"cf-1\"}]")
                  .statusCode())
          .isEqualTo(202);
      HttpResponse<String> other =
          server.post(
              agent,
              api("/telemetry"),
              "[{\"type\": \"heartbeat\", \"host\": \"h1\", \"release\": \"cf-1\"},"
                  + " {\"type\": \"crash\", \"host\": \"h2\", \"release\": \"cf-1\"}]");
      assertProblem(other, 403);
      assertThat(json(other).get("field").asText()).isEqualTo("[1].host");
      // a failure detector's items are about a host too: the same check
      HttpResponse<String> otherSilent =
          server.post(
              agent,
              api("/telemetry"),
              "[{\"type\": \"back\", \"host\": \"h1\"},"
                  + " {\"type\": \"silent\", \"host\": \"h2\","
                  + " \"lastSeenAt\": \"2026-12-07T10:00:00Z\"}]");
      assertProblem(otherSilent, 403);
      assertThat(json(otherSilent).get("field").asText()).isEqualTo("[1].host");
      assertProblem(server.get(agent, api("/rollouts")), 403);
      assertProblem(server.get(agent, api("/rollouts/ra")), 403);
      assertProblem(server.get(agent, api("/policy")), 403);
      assertThat(server.get(agent, "/api/v1/keys").statusCode()).isEqualTo(200);

      HttpResponse<String> own = server.get(agent, api("/hosts/h1/commands"));
      assertThat(own.statusCode()).isEqualTo(200);
      assertThat(json(own).get("host").asText()).isEqualTo("h1");
      HttpResponse<String> foreign = server.get(agent, api("/hosts/h2/commands"));
      assertProblem(foreign, 403);
      assertThat(json(foreign).get("field").asText()).isEqualTo("host");
      assertProblem(server.get(server.token(a, Role.VIEWER), api("/hosts/h1/commands")), 403);
      assertProblem(server.get(agent, api("/hosts/h1/commands?wait=PT5M")), 400);
    }

    @Test
    void an_admin_creates_a_token_whose_secret_is_shown_once_and_revokes_it() throws Exception {
      HttpResponse<String> created =
          server.post(aAdmin, api("/tokens"), "{\"name\": \"ci\", \"role\": \"viewer\"}");
      assertThat(created.statusCode()).isEqualTo(201);
      String secret = json(created).get("token").asText();
      assertThat(secret).startsWith("rl_");
      assertThat(json(created).get("tenant").asText()).isEqualTo(a);

      assertThat(server.get(secret, api("/rollouts")).statusCode()).isEqualTo(200);
      assertThat(server.get(aAdmin, api("/tokens")).body())
          .contains("\"ci\"")
          .doesNotContain(secret);
      assertProblem(
          server.post(aAdmin, api("/tokens"), "{\"name\": \"ci\", \"role\": \"viewer\"}"), 409);

      assertThat(server.send("DELETE", aAdmin, api("/tokens/ci"), null).statusCode())
          .isEqualTo(204);
      assertProblem(server.get(secret, api("/rollouts")), 401);
      assertProblem(server.send("DELETE", aAdmin, api("/tokens/ci"), null), 404);
    }

    @Test
    void a_token_request_is_refused_naming_the_field_at_fault() throws Exception {
      HttpResponse<String> noHost =
          server.post(aAdmin, api("/tokens"), "{\"name\": \"ag\", \"role\": \"agent\"}");
      assertProblem(noHost, 400);
      assertThat(json(noHost).get("field").asText()).isEqualTo("host");
      HttpResponse<String> badRole =
          server.post(aAdmin, api("/tokens"), "{\"name\": \"x\", \"role\": \"root\"}");
      assertProblem(badRole, 400);
      assertThat(json(badRole).get("field").asText()).isEqualTo("role");
      HttpResponse<String> hostOnViewer =
          server.post(
              aAdmin, api("/tokens"), "{\"name\": \"x\", \"role\": \"viewer\", \"host\": \"h1\"}");
      assertThat(json(hostOnViewer).get("field").asText()).isEqualTo("host");
    }
  }
}
