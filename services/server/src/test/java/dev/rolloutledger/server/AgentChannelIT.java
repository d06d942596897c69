package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.agent.Agent;
import dev.rolloutledger.agent.ApiClient;
import dev.rolloutledger.agent.DirectoryInstaller;
import dev.rolloutledger.agent.HttpAgent;
import dev.rolloutledger.agent.HttpTelemetry;
import dev.rolloutledger.agent.StateFile;
import dev.rolloutledger.agent.TrustedKeys;
import dev.rolloutledger.server.auth.Role;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The command channel end to end on the real broker: two agents (the agent library over HTTP long
 * poll, each with its own host-bound token and the pinned public key) receive the signed Apply of
 * the canary wave, check the artifact's SHA-256, install it and report; the wave bakes and
 * promotes. A second release crashes one of them: the rollout halts and both agents receive a
 * signed Hold and hold; the owner rolls it back and both agents return to the first release.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentChannelIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestServer server;
  private final String tenant = "ag" + UUID.randomUUID().toString().substring(0, 8);
  private String admin;
  private Path home;
  private final List<HttpAgent> agents = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    home = Files.createTempDirectory("ledger-agent-it");
    server = new TestServer("it-agent-" + UUID.randomUUID(), home.resolve("server"));
    admin = server.token(tenant, Role.ADMIN);
  }

  /** db-1 has no agent here: it beats every 5 s, as an agent would, so the engine can reach it. */
  private final java.util.concurrent.ScheduledExecutorService dbBeats =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

  @AfterAll
  void stop() throws Exception {
    dbBeats.shutdownNow();
    agents.forEach(HttpAgent::close);
    for (Thread t : threads) {
      t.interrupt();
      t.join(10_000);
    }
    server.close();
  }

  private String api(String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private void publish(String release, byte[] artifact) throws Exception {
    Files.createDirectories(home.resolve("artifacts"));
    Files.write(home.resolve("artifacts").resolve(release), artifact);
    assertThat(
            server
                .post(
                    admin,
                    api("/releases"),
                    "{\"release\": \""
                        + release
                        + "\", \"artifact\": \"sensor-content\", \"version\": \""
                        + release
                        + "\", \"publisher\": \"vendor\", \"sha256\": \""
                        + sha256(artifact)
                        + "\"}")
                .statusCode())
        .isEqualTo(202);
  }

  /** Starts an agent for {@code host}; a crash drill reports a crash after each install. */
  private Agent agent(String host, TrustedKeys keys, boolean crashAfterApply) {
    String token = server.token(tenant, Role.AGENT, host);
    ApiClient api = new ApiClient(URI.create(server.url("/")), token);
    HttpTelemetry telemetry = new HttpTelemetry(api, tenant, host, Clock.systemUTC());
    Path dir = home.resolve("agents").resolve(host);
    Agent agent =
        new Agent(
            tenant,
            host,
            keys,
            new StateFile(dir.resolve("state.json")),
            new DirectoryInstaller(home.resolve("artifacts"), dir.resolve("installed")),
            (release, ok, error) -> {
              telemetry.applied(release, ok, error);
              if (ok && crashAfterApply) {
                telemetry.crash(release, "PAGE_FAULT_IN_NONPAGED_AREA", "BSOD");
              }
            },
            Clock.systemUTC());
    HttpAgent http =
        new HttpAgent(
            api,
            tenant,
            host,
            agent,
            telemetry,
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            () -> Map.of("cpu", 0.2),
            outcome -> {});
    agents.add(http);
    Thread t =
        new Thread(
            () -> {
              try {
                http.run();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "agent-" + host);
    t.setDaemon(true);
    t.start();
    threads.add(t);
    return agent;
  }

  private List<String> ledgerTypes(String rollout) throws Exception {
    JsonNode page =
        JSON.readTree(server.get(admin, api("/rollouts/" + rollout + "/ledger")).body());
    List<String> types = new CopyOnWriteArrayList<>();
    page.path("entries").forEach(e -> types.add(e.get("type").asText()));
    return types;
  }

  @Test
  void two_agents_apply_a_good_release_that_promotes_hold_when_a_bad_one_crashes_and_roll_it_back()
      throws Exception {
    server.post(
        admin,
        api("/hosts"),
        "[{\"host\": \"web-1\", \"labels\": {\"env\": \"dev\"}},"
            + " {\"host\": \"web-2\", \"labels\": {\"env\": \"dev\"}},"
            + " {\"host\": \"db-1\", \"labels\": {\"env\": \"prod\"}}]");
    TrustedKeys keys = TrustedKeys.parse(server.get(admin, "/api/v1/keys").body(), "/api/v1/keys");
    Agent web1 = agent("web-1", keys, false);
    Agent web2 = agent("web-2", keys, false);
    server.reachable(admin, tenant, "web-1", "web-2", "db-1");
    dbBeats.scheduleAtFixedRate(
        () ->
            server.post(
                admin,
                api("/telemetry"),
                "[{\"type\": \"heartbeat\", \"host\": \"db-1\", \"release\": \"cf-290\"}]"),
        5,
        5,
        java.util.concurrent.TimeUnit.SECONDS);
    byte[] good = "content 291 good".getBytes(StandardCharsets.UTF_8);
    publish("cf-291", good);
    String plan =
        "{\"waves\": [{\"name\": \"canary\", \"selector\": {\"env\": \"dev\"}, \"bake\": \"PT2S\","
            + " \"maxCrashFraction\": 0.25}, {\"name\": \"prod\", \"selector\": {\"env\":"
            + " \"prod\"}, \"bake\": \"PT1H\"}]}";
    server.post(
        admin,
        api("/rollouts"),
        "{\"rollout\": \"r-291\", \"release\": \"cf-291\", \"plan\": " + plan + "}");

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(web1.state().installed()).isEqualTo("cf-291");
              assertThat(web2.state().installed()).isEqualTo("cf-291");
            });
    assertThat(home.resolve("agents/web-1/installed/cf-291")).hasBinaryContent(good);
    assertThat(Files.readString(home.resolve("agents/web-2/installed/current")).strip())
        .isEqualTo("cf-291");
    // the canary applied and baked: the prod wave starts and db-1 gets its signed Apply
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> ledgerTypes("r-291").contains("WavePromoted"));
    // long poll: answered once the engine's transaction with db-1's Apply is committed
    JsonNode db1 =
        JSON.readTree(server.get(admin, api("/hosts/db-1/commands?after=0&wait=PT30S")).body());
    assertThat(db1.get("commands")).hasSize(1);
    assertThat(db1.get("commands").get(0).get("action").asText()).isEqualTo("Apply");
    assertThat(db1.get("commands").get(0).get("signature").asText()).isNotBlank();

    // a bad release: web-2 crashes after installing it; the canary halts, both agents hold
    assertThat(
            server
                .post(admin, api("/rollouts/r-291/halt"), "{\"reason\": \"make way for cf-292\"}")
                .statusCode())
        .isEqualTo(202);
    byte[] bad = "content 292 bad".getBytes(StandardCharsets.UTF_8);
    publish("cf-292", bad);
    // web-2 restarts as a crashing host, with its persisted state
    agents.get(1).close();
    threads.get(1).join(30_000);
    web2.close();
    long web2Seq = web2.state().lastSeq();
    Agent web2Crashing = agent("web-2", keys, true);
    assertThat(web2Crashing.state().lastSeq()).isEqualTo(web2Seq);
    server.post(
        admin,
        api("/rollouts"),
        "{\"rollout\": \"r-292\", \"release\": \"cf-292\", \"plan\": "
            + plan.replace("PT2S", "PT1H")
            + "}");

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> ledgerTypes("r-292").contains("RolloutHalted"));
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(web1.state().holding()).isTrue();
              assertThat(web2Crashing.state().holding()).isTrue();
            });
    assertThat(ledgerTypes("r-292")).doesNotContain("WavePromoted");
    JsonNode rollout = JSON.readTree(server.get(admin, api("/rollouts/r-292")).body());
    assertThat(rollout.get("status").asText()).isEqualTo("HALTED");

    // the owner rolls cf-292 back: both agents go back to cf-291, which they kept
    assertThat(
            server
                .post(admin, api("/rollouts/r-292/rollback"), "{\"reason\": \"crashes in canary\"}")
                .statusCode())
        .isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(web1.state().installed()).isEqualTo("cf-291");
              assertThat(web2Crashing.state().installed()).isEqualTo("cf-291");
            });
    assertThat(Files.readString(home.resolve("agents/web-2/installed/current")).strip())
        .isEqualTo("cf-291");
    assertThat(ledgerTypes("r-292").get(ledgerTypes("r-292").size() - 1))
        .isEqualTo("RolloutHalted");
  }
}
