package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rolloutledger.agent.ApiClient;
import dev.rolloutledger.server.auth.Role;
import dev.rolloutledger.topology.LedgerQueries;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two instances with TLS on (HTTPS only, one certificate for the deployment): a read that lands on
 * the instance that does not hold the tenant is forwarded over HTTPS, the owner's certificate
 * checked against {@code ledger.instance.ca-cert}, and answered as the owner answers it.
 */
class MultiInstanceTlsIT {

  @Test
  void aReadIsForwardedOverHttpsBetweenInstances() throws Exception {
    String app = "it-multi-tls-" + UUID.randomUUID().toString().substring(0, 8);
    Path keys = Files.createTempDirectory("ledger-it-keys");
    Path tls = Files.createTempDirectory("ledger-it-tls").resolve("tls");
    Path pem = tls.resolve("server.pem");
    int portOne = MultiInstanceIT.freePort();
    int portTwo = MultiInstanceIT.freePort();
    try (TestServer one =
        new TestServer(app, Files.createTempDirectory("it-one"), tls(portOne, keys, tls, pem))) {
      // the second instance finds the deployment's certificate the first one made
      try (TestServer two =
          new TestServer(app, Files.createTempDirectory("it-two"), tls(portTwo, keys, tls, pem))) {
        HttpClient client = HttpClient.newBuilder().sslContext(ApiClient.trusting(pem)).build();
        String[] tenant = new String[1];
        LedgerQueries queries = one.bean(LedgerQueries.class);
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  tenant[0] = MultiInstanceIT.tenantOwnedByPort(queries, portTwo, "tl");
                  return tenant[0] != null;
                });
        String admin = one.token(tenant[0], Role.ADMIN);
        String path = "/api/v1/tenants/" + tenant[0] + "/policy";
        // a policy only the owner's stores hold: an answer from the other instance's would be
        // "none"
        HttpResponse<String> put =
            client.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + portOne + path))
                    .header("Authorization", "Bearer " + admin)
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"pin\": \"cf-7\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(202);
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  HttpResponse<String> viaOne = get(client, portOne, path, admin);
                  HttpResponse<String> atOwner = get(client, portTwo, path, admin);
                  assertThat(viaOne.statusCode()).as(viaOne.body()).isEqualTo(200);
                  assertThat(viaOne.body()).contains("cf-7").isEqualTo(atOwner.body());
                });
      }
    }
  }

  private static Map<String, Object> tls(int port, Path keys, Path tls, Path pem) {
    return Map.of(
        "micronaut.server.port",
        port,
        "micronaut.server.ssl.enabled",
        true,
        "micronaut.server.ssl.port",
        port,
        "ledger.tls.dir",
        tls.toString(),
        "ledger.instance.ca-cert",
        pem.toString(),
        "ledger.key-dir",
        keys.toString());
  }

  private static HttpResponse<String> get(HttpClient client, int port, String path, String token)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
