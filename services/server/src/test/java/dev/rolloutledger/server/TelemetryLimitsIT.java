package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.server.auth.Role;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The telemetry door's limits on the real server: 429 with Retry-After, 413, as problems. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TelemetryLimitsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestServer server;
  private final String tenant = "tl" + UUID.randomUUID().toString().substring(0, 8);
  private String api;

  @BeforeAll
  void start() throws Exception {
    server =
        new TestServer(
            "it-limits-" + UUID.randomUUID(),
            Files.createTempDirectory("ledger-it"),
            Map.of("ledger.telemetry.items-per-second", "1", "ledger.telemetry.burst", "20"));
    api = "/api/v1/tenants/" + tenant + "/telemetry";
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private static String heartbeats(int n, String host) {
    return IntStream.range(0, n)
        .mapToObj(
            i ->
                "{\"type\": \"heartbeat\", \"host\": \""
                    + host
                    + "\", \"release\": \"cf-1\", \"metrics\": {\"cpu\": 0.1}}")
        .collect(Collectors.joining(",", "[", "]"));
  }

  private static void assertProblem(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    assertThat(JSON.readTree(r.body()).get("status").asInt()).isEqualTo(status);
  }

  @Test
  void a_token_over_its_rate_gets_429_with_retry_after_and_another_token_is_not_slowed()
      throws Exception {
    String agent = server.token(tenant, Role.AGENT, "h1");
    assertThat(server.post(agent, api, heartbeats(20, "h1")).statusCode()).isEqualTo(202);

    HttpResponse<String> refused = server.post(agent, api, heartbeats(5, "h1"));
    assertProblem(refused, 429);
    assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()))
        .isBetween(1L, 5L);
    JsonNode problem = JSON.readTree(refused.body());
    assertThat(problem.get("detail").asText()).contains("1 telemetry items a second");

    String other = server.token(tenant, Role.AGENT, "h2");
    assertThat(server.post(other, api, heartbeats(20, "h2")).statusCode()).isEqualTo(202);
  }

  @Test
  void a_batch_larger_than_the_burst_or_a_body_over_a_megabyte_gets_413() throws Exception {
    String operator = server.token(tenant, Role.OPERATOR);
    assertProblem(server.post(operator, api, heartbeats(21, "h3")), 413);

    String huge =
        "[{\"type\": \"heartbeat\", \"host\": \"h3\", \"release\": \""
            + "x".repeat(1_100_000)
            + "\"}]";
    assertProblem(server.post(operator, api, huge), 413);
    // neither took anything from the token's rate
    assertThat(server.post(operator, api, heartbeats(20, "h3")).statusCode()).isEqualTo(202);
  }
}
