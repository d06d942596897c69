package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rolloutledger.replay.RolloutExport;
import dev.rolloutledger.replay.RolloutReplay;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.auth.Role;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the server decided on the real broker is what the replay recomputes: a rollout's log
 * exported from the topics verifies, with every input of its tenant and none of another tenant's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportReplayIT {
  private static final String SHA = "c".repeat(64);
  private String applicationId;
  private TestServer server;
  private final Map<String, String> tokens = new HashMap<>();

  @BeforeAll
  void startServer() throws Exception {
    Path stateDir = Files.createTempDirectory("ledger-it-export");
    applicationId = "it-export-" + UUID.randomUUID();
    server = new TestServer(applicationId, stateDir);
  }

  @AfterAll
  void stopServer() {
    server.close();
  }

  @Test
  void an_exported_rollout_verifies_against_the_engine_and_holds_only_its_tenants_inputs() {
    String tenant = "ex" + UUID.randomUUID().toString().substring(0, 8);
    String other = "ot" + UUID.randomUUID().toString().substring(0, 8);
    rollout(other, "r-other"); // the same partition or not: its inputs must not leak in
    rollout(tenant, "r1");
    post(tenant, "/telemetry", applied("h1") + "," + applied("h2") + "," + crash("h1"));
    post(other, "/telemetry", applied("h1"));
    String[] ledger = new String[1];
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> {
                ledger[0] = server.get(token(tenant), api(tenant, "/rollouts/r1/ledger")).body();
                return ledger[0].contains("RolloutHalted");
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "no halt in 90 s; ledger: "
              + ledger[0]
              + "; rollout: "
              + server.get(token(tenant), api(tenant, "/rollouts/r1")).body(),
          e);
    }

    // the engine commits its journal offset with the decisions; the export waits for it
    String[] log = new String[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              log[0] = export(tenant, "r1");
              return log[0].contains("\"decision\":\"RolloutHalted\"");
            });

    RolloutReplay.Verified v =
        RolloutReplay.verify(
            new ByteArrayInputStream(log[0].getBytes(StandardCharsets.UTF_8)), bytes -> {});

    assertThat(v.decisions()).isEqualTo(2); // WaveStarted, RolloutHalted
    List<String> lines = List.of(log[0].split("\n"));
    assertThat(lines).filteredOn(l -> l.startsWith("{\"input\":\"HostRegistered\"")).hasSize(3);
    assertThat(lines).filteredOn(l -> l.startsWith("{\"input\":\"CrashReport\"")).hasSize(1);
    assertThat(lines).noneMatch(l -> l.contains("\"tenant\":\"" + other + "\""));
    // the halt comes right after the crash report that caused it
    int crash = indexOf(lines, "{\"input\":\"CrashReport\"");
    assertThat(lines.get(crash + 1)).startsWith("{\"decision\":\"RolloutHalted\"");
  }

  private String export(String tenant, String rollout) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RolloutExport.export(
        new RolloutExport.Source(
            TestKafka.bootstrapServers(), server.bean(SchemaRegistry.class), applicationId),
        tenant,
        rollout,
        out,
        (offset, end) -> {});
    return out.toString(StandardCharsets.UTF_8);
  }

  private void rollout(String tenant, String rollout) {
    post(
        tenant,
        "/hosts",
        """
        {"host": "h1", "labels": {"env": "dev"}},
        {"host": "h2", "labels": {"env": "dev"}},
        {"host": "h3", "labels": {"env": "prod"}}""");
    // registrations and the plan come through different topics: plan once the engine has the hosts
    await().atMost(Duration.ofSeconds(60)).until(() -> server.hostsKnown(tenant) == 3);
    server.reachable(token(tenant), tenant, "h1", "h2", "h3");
    server.post(
        token(tenant),
        api(tenant, "/releases"),
        """
        {"release": "cf-1", "artifact": "a", "version": "1", "sha256": "%s", "publisher": "vendor"}"""
            .formatted(SHA));
    server.post(
        token(tenant),
        api(tenant, "/rollouts"),
        """
        {"rollout": "%s", "release": "cf-1", "plan": {"waves": [
          {"name": "canary", "selector": {"env": "dev"}, "maxCrashFraction": 0.3},
          {"name": "prod", "selector": {"env": "prod"}}]}}"""
            .formatted(rollout));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                server.get(token(tenant), api(tenant, "/rollouts/" + rollout)).statusCode() == 200);
  }

  private void post(String tenant, String path, String items) {
    assertThat(server.post(token(tenant), api(tenant, path), "[" + items + "]").statusCode())
        .isEqualTo(202);
  }

  private static String applied(String host) {
    return """
        {"type": "applied", "host": "%s", "release": "cf-1", "ok": true}"""
        .formatted(host);
  }

  private static String crash(String host) {
    return """
        {"type": "crash", "host": "%s", "release": "cf-1", "signature": "BSOD", "kind": "BSOD"}"""
        .formatted(host);
  }

  private String token(String tenant) {
    return tokens.computeIfAbsent(tenant, t -> server.token(t, Role.OPERATOR));
  }

  private static String api(String tenant, String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  private static int indexOf(List<String> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no line starts with " + prefix);
  }
}
