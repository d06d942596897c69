package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * How an operator gets the first admin token of a fresh install, and how tokens reach every server
 * instance through the tokens topic, on the real broker. No secret appears in any log line.
 */
class BootstrapTokenIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void a_fresh_install_writes_one_admin_token_to_an_owner_only_file_and_every_instance_knows_it(
      @TempDir Path dir) throws Exception {
    String tenant = "boot" + UUID.randomUUID().toString().substring(0, 8);
    Path file = dir.resolve("home/bootstrap-admin.token");
    Map<String, Object> settings =
        Map.of(
            "ledger.auth.bootstrap-tenant",
            tenant,
            "ledger.auth.bootstrap-token-file",
            file.toString());
    String api = "/api/v1/tenants/" + tenant;
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    try (TestServer first =
        new TestServer("it-boot-1-" + UUID.randomUUID(), dir.resolve("s1"), settings)) {
      String secret = Files.readString(file).trim();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      // an admin of that tenant, and of no other
      HttpResponse<String> created =
          first.post(secret, api + "/tokens", "{\"name\": \"ops\", \"role\": \"operator\"}");
      assertThat(created.statusCode()).isEqualTo(201);
      String ops = json(created).get("token").asText();
      assertThat(first.get(secret, "/api/v1/tenants/other/rollouts").statusCode()).isEqualTo(404);

      try (TestServer second =
          new TestServer("it-boot-2-" + UUID.randomUUID(), dir.resolve("s2"), settings)) {
        // the tenant has tokens: the second start makes none and leaves the file alone
        assertThat(Files.readString(file).trim()).isEqualTo(secret);
        JsonNode tokens = json(second.get(secret, api + "/tokens"));
        assertThat(tokens).extracting(t -> t.get("name").asText()).contains("ops").hasSize(2);
        assertThat(tokens.get(0).get("name").asText()).startsWith("bootstrap-admin-");

        // a revocation on one instance reaches the other
        assertThat(second.get(ops, api + "/rollouts").statusCode()).isEqualTo(200);
        assertThat(first.send("DELETE", secret, api + "/tokens/ops", null).statusCode())
            .isEqualTo(204);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> second.get(ops, api + "/rollouts").statusCode() == 401);
      }
      assertThat(logs.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .anyMatch(m -> m.contains(file.toString()) && m.contains(tenant))
          .noneMatch(m -> m.contains(secret) || m.contains(ops));
    } finally {
      root.detachAppender(logs);
    }
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }
}
