package dev.rolloutledger.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.server.TestServer;
import dev.rolloutledger.server.auth.Role;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** GET /api/v1/whoami: what the dashboard learns from a token on sign-in. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WhoAmIControllerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private TestServer server;
  private final String tenant = "w" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  void start() throws Exception {
    server =
        new TestServer("it-whoami-" + UUID.randomUUID(), Files.createTempDirectory("ledger-it"));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @ParameterizedTest
  @EnumSource(
      value = Role.class,
      names = {"VIEWER", "OPERATOR", "APPROVER", "ADMIN"})
  void a_token_that_reads_learns_its_tenant_role_and_permissions(Role role) throws Exception {
    HttpResponse<String> r = server.get(server.token(tenant, role), "/api/v1/whoami");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode me = JSON.readTree(r.body());
    assertThat(me.get("tenant").asText()).isEqualTo(tenant);
    assertThat(me.get("role").asText()).isEqualTo(role.id());
    assertThat(me.get("name").asText()).startsWith(role.id() + "-");
    assertThat(me.get("permissions"))
        .extracting(JsonNode::asText)
        .contains("read")
        .allSatisfy(
            p ->
                assertThat(
                        role.allows(
                            dev.rolloutledger.server.auth.Permission.valueOf(
                                p.toUpperCase(java.util.Locale.ROOT))))
                    .isTrue());
    assertThat(me.get("permissions").size())
        .isEqualTo(
            (int)
                java.util.Arrays.stream(dev.rolloutledger.server.auth.Permission.values())
                    .filter(role::allows)
                    .count());
  }

  @Test
  void a_viewer_is_told_it_may_not_operate_or_approve() throws Exception {
    JsonNode me =
        JSON.readTree(server.get(server.token(tenant, Role.VIEWER), "/api/v1/whoami").body());

    assertThat(me.get("permissions")).extracting(JsonNode::asText).containsExactly("read", "keys");
  }

  @Test
  void an_agent_token_reads_nothing_and_is_refused() {
    String agent = server.token(tenant, Role.AGENT, "h1");

    assertThat(server.get(agent, "/api/v1/whoami").statusCode()).isEqualTo(403);
  }

  @Test
  void without_a_known_token_it_is_401() {
    assertThat(server.get("/api/v1/whoami").statusCode()).isEqualTo(401);
    assertThat(server.get("no-such-token", "/api/v1/whoami").statusCode()).isEqualTo(401);
  }
}
