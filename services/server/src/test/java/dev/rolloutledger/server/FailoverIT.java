package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rolloutledger.server.auth.Role;
import dev.rolloutledger.topology.LedgerQueries;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two instances of one deployment, one of them a separate JVM that is killed with SIGKILL (no
 * shutdown, no leaving the group, its transaction left open): the survivor takes the dead one's
 * tenants over and decides their next input within the 30 s. What bounds it: the session
 * timeout (6 s) before the group notices, then the broker aborting the dead instance's open
 * transaction ({@code LedgerStreamsConfig.TRANSACTION_TIMEOUT_MS}), which read_committed readers of
 * its partitions wait for.
 */
class FailoverIT {
  private static final String SHA = "f".repeat(64);

  @Test
  void theSurvivorOfAKillDecidesTheDeadInstancesTenantWithinThirtySeconds() throws Exception {
    String app = "it-failover-" + UUID.randomUUID().toString().substring(0, 8);
    Path keys = Files.createTempDirectory("ledger-it-keys");
    int childPort = MultiInstanceIT.freePort();
    try (TestServer survivor =
        new TestServer(
            app,
            Files.createTempDirectory("ledger-it-survivor"),
            Map.of(
                "micronaut.server.port",
                MultiInstanceIT.freePort(),
                "ledger.key-dir",
                keys.toString()))) {
      Process child = startChild(app, childPort, keys);
      try {
        awaitHealthy(childPort);
        LedgerQueries queries = survivor.bean(LedgerQueries.class);
        String[] tenant = new String[1];
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  tenant[0] = MultiInstanceIT.tenantOwnedByPort(queries, childPort, "fo");
                  return tenant[0] != null;
                });
        String t = "/api/v1/tenants/" + tenant[0];
        String admin = survivor.token(tenant[0], Role.ADMIN);
        assertThat(
                survivor
                    .post(admin, t + "/hosts", "[{\"host\": \"h1\", \"labels\": {}}]")
                    .statusCode())
            .isEqualTo(202);
        survivor.reachable(admin, tenant[0], "h1");
        assertThat(
                survivor
                    .post(
                        admin,
                        t + "/releases",
                        """
            {"release": "f-1", "artifact": "a", "version": "1", "sha256": "%s", "publisher": "it"}"""
                            .formatted(SHA))
                    .statusCode())
            .isEqualTo(202);
        assertThat(
                survivor
                    .post(
                        admin,
                        t + "/rollouts",
                        "{\"rollout\": \"r1\", \"release\": \"f-1\","
                            + " \"plan\": {\"waves\": [{\"name\": \"all\", \"bake\": \"PT1H\"}]}}")
                    .statusCode())
            .isEqualTo(202);
        // read through the survivor, answered by the child that owns the tenant
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> survivor.get(admin, t + "/rollouts/r1").statusCode() == 200);

        child.destroyForcibly(); // SIGKILL
        long killed = System.nanoTime();
        // the tenant's next input: accepted at once (publishing needs no owner), decided once the
        // survivor holds the tenant
        assertThat(
                survivor
                    .post(admin, t + "/hosts", "[{\"host\": \"h2\", \"labels\": {}}]")
                    .statusCode())
            .isEqualTo(202);
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> {
                  HttpResponse<String> r = survivor.get(admin, t + "/hosts");
                  return r.statusCode() == 200 && r.body().contains("\"h2\"");
                });
        double seconds = (System.nanoTime() - killed) / 1e9;
        System.out.printf(
            "failover: the survivor decided the input %.1f s after the kill%n", seconds);
        // and what the dead instance decided is all there
        assertThat(survivor.get(admin, t + "/rollouts/r1").statusCode()).isEqualTo(200);
      } finally {
        child.destroyForcibly();
        child.waitFor();
      }
    }
  }

  private static Process startChild(String app, int port, Path keys) throws Exception {
    Path state = Files.createTempDirectory("ledger-it-child");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-Dmicronaut.server.port=" + port);
    command.add("-Dledger.kafka.bootstrap-servers=" + TestKafka.bootstrapServers());
    command.add("-Dledger.streams.application-id=" + app);
    command.add("-Dledger.streams.state-dir=" + state);
    command.add("-Dledger.key-dir=" + keys);
    command.add("-Dledger.auth.bootstrap-tenant=");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Application.class.getName());
    File log = state.resolve("server.log").toFile();
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
  }

  private static void awaitHealthy(int port) {
    HttpClient http = HttpClient.newHttpClient();
    await()
        .atMost(Duration.ofSeconds(120))
        .ignoreExceptions()
        .until(
            () ->
                http.send(
                            HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/health"))
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .statusCode()
                    == 200);
  }
}
