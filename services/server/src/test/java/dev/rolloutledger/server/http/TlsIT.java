package dev.rolloutledger.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolloutledger.agent.ApiClient;
import dev.rolloutledger.agent.HttpTelemetry;
import dev.rolloutledger.cli.LedgerCli;
import dev.rolloutledger.server.TestServer;
import dev.rolloutledger.server.auth.Role;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real server with TLS on and no keystore given: it makes a self-signed certificate in its TLS
 * directory, listens for HTTPS only, beyond loopback (0.0.0.0: the loopback guard lets TLS
 * through), and the CLI and the agent's client talk to it with the PEM; without it, or under a name
 * the certificate does not carry, they are refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {
  private TestServer server;
  private Path dir;
  private Path tlsDir;
  private Path pem;
  private Path adminToken;
  private int port;
  private final String tenant = "tls" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("ledger-it-tls");
    tlsDir = dir.resolve("home/tls");
    server =
        new TestServer(
            "it-tls-" + UUID.randomUUID(),
            dir.resolve("server"),
            Map.of(
                "micronaut.server.ssl.enabled",
                true,
                "micronaut.server.ssl.port",
                -1,
                "micronaut.server.host",
                "0.0.0.0",
                "ledger.tls.dir",
                tlsDir.toString()));
    port = server.bean(EmbeddedServer.class).getPort();
    pem = tlsDir.resolve("server.pem");
    adminToken = Files.writeString(dir.resolve("admin.token"), server.token(tenant, Role.ADMIN));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private String https(String host, String path) {
    return "https://" + host + ":" + port + path;
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Nested
  class The_server {
    @Test
    void makes_its_certificate_in_the_tls_directory_with_private_key_files() throws Exception {
      assertThat(pem).isRegularFile();
      assertThat(Files.readString(pem)).startsWith("-----BEGIN CERTIFICATE-----");
      for (String secret : List.of("server.p12", "server.password")) {
        assertThat(
                PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(tlsDir.resolve(secret))))
            .as(secret)
            .isEqualTo("rw-------");
      }
    }

    @Test
    void answers_https_with_the_security_headers_and_hsts() throws Exception {
      HttpClient client = HttpClient.newBuilder().sslContext(ApiClient.trusting(pem)).build();

      HttpResponse<String> health = get(client, https("127.0.0.1", "/health"));
      HttpResponse<String> byName = get(client, https("localhost", "/health"));

      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(byName.statusCode()).isEqualTo(200);
      assertThat(health.headers().firstValue("Strict-Transport-Security"))
          .hasValue("max-age=31536000");
      assertThat(health.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void leaves_no_plain_http_port_open_beside_it() {
      HttpClient client = HttpClient.newHttpClient();

      assertThatThrownBy(() -> get(client, "http://127.0.0.1:" + port + "/health"))
          .isInstanceOf(IOException.class);
    }

    @Test
    void is_refused_under_a_name_its_certificate_does_not_carry() {
      // 127.0.0.2 is loopback too, and the server listens on every address: only the name differs
      HttpClient client = HttpClient.newBuilder().sslContext(ApiClient.trusting(pem)).build();

      assertThatThrownBy(() -> get(client, https("127.0.0.2", "/health")))
          .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void is_refused_by_a_client_that_does_not_trust_its_certificate() {
      HttpClient client = HttpClient.newHttpClient();

      assertThatThrownBy(() -> get(client, https("127.0.0.1", "/health")))
          .isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Nested
  class The_cli {
    private record Run(int exit, String out, String err) {}

    private Run ledger(String... args) {
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(
          List.of(
              "--server",
              https("127.0.0.1", ""),
              "--tenant",
              tenant,
              "--token-file",
              adminToken.toString()));
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit =
          LedgerCli.execute(
              all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
      return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void works_over_https_with_the_servers_pem() {
      Run run =
          ledger(
              "hosts", "register", "tls-cli-1", "--label", "env=dev", "--ca-cert", pem.toString());

      assertThat(run.exit()).as(run.err()).isZero();
    }

    @Test
    void without_the_pem_is_refused_and_told_how_to_trust_the_server() {
      Run run = ledger("hosts", "register", "tls-cli-2", "--label", "env=dev");

      assertThat(run.exit()).isEqualTo(3);
      assertThat(run.err()).contains("TLS handshake").contains("--ca-cert");
    }
  }

  @Nested
  class The_agent {
    @Test
    void reports_and_reads_over_https_with_the_servers_pem() throws Exception {
      String agentToken = server.token(tenant, Role.OPERATOR);
      ApiClient api = new ApiClient(URI.create(https("127.0.0.1", "/")), agentToken, pem);
      HttpTelemetry telemetry = new HttpTelemetry(api, tenant, "tls-agent-1", Clock.systemUTC());

      telemetry.heartbeat("cf-1", Map.of());
      JsonNode keys = api.get("/api/v1/keys", Duration.ofSeconds(10));

      assertThat(telemetry.queued()).isZero();
      assertThat(keys.isNull()).isFalse();
    }

    @Test
    void without_the_pem_cannot_connect_and_keeps_its_reports() {
      String agentToken = server.token(tenant, Role.OPERATOR);
      ApiClient api = new ApiClient(URI.create(https("127.0.0.1", "/")), agentToken, null);
      HttpTelemetry telemetry = new HttpTelemetry(api, tenant, "tls-agent-2", Clock.systemUTC());

      telemetry.heartbeat("cf-1", Map.of());

      assertThat(telemetry.queued()).isEqualTo(1);
      assertThatThrownBy(() -> api.get("/api/v1/keys", Duration.ofSeconds(10)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("TLS handshake")
          .hasMessageContaining("LEDGER_CA_CERT");
    }
  }
}
