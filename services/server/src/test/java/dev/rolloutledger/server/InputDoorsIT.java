package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.server.auth.Role;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The doors into the system on the real server and broker: what they answer, what they let in. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InputDoorsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestServer server;
  private final String tenant = "doors" + UUID.randomUUID().toString().substring(0, 8);
  private String operator;

  @BeforeAll
  void start() throws Exception {
    server =
        new TestServer("it-doors-" + UUID.randomUUID(), Files.createTempDirectory("ledger-it"));
    operator = server.token(tenant, Role.OPERATOR);
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

  @Nested
  class CommandPoll {
    @Test
    void an_empty_poll_answers_the_host_and_an_empty_commands_array() throws Exception {
      HttpResponse<String> r = server.get(operator, api("/hosts/nobody/commands?after=0"));

      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.get("host").asText()).isEqualTo("nobody");
      assertThat(body.get("commands")).isNotNull();
      assertThat(body.get("commands").isArray()).isTrue();
      assertThat(body.get("commands")).isEmpty();
    }
  }
}
