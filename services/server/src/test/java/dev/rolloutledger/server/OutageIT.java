package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.infra.BrokerOptions;
import dev.rolloutledger.infra.EmbeddedKafkaBroker;
import dev.rolloutledger.server.auth.Role;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Our own outage is never the fleet's silence (ADR 0008), on a real broker of the test's own: a
 * good rollout and a bad one (its hosts die while we are down), each one wave of 4 hosts beating
 * every 2 s with a heartbeat timeout of 10 s; then the server, or the broker, is down for 25 s.
 * Afterwards the good rollout is still ACTIVE well past its grace and the bad one is HALTED for
 * silence; both ledgers record the outage.
 */
class OutageIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA = "c".repeat(64);
  private static final Duration OUTAGE = Duration.ofSeconds(25);
  private static final List<String> HOSTS = List.of("h1", "h2", "h3", "h4");

  private Path dir;
  private EmbeddedKafkaBroker broker;
  private String applicationId;
  private volatile TestServer server;
  private final Map<String, String> admins = new ConcurrentHashMap<>();
  private final Set<String> dead = ConcurrentHashMap.newKeySet();
  private ScheduledExecutorService fleet;

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("ledger-outage-it");
    broker = EmbeddedKafkaBroker.start(BrokerOptions.of(dir.resolve("kafka")));
    applicationId = "it-outage-" + UUID.randomUUID();
    server = startServer();
  }

  @AfterEach
  void stop() {
    if (fleet != null) {
      fleet.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
    broker.close();
  }

  private TestServer startServer() {
    return new TestServer(
        applicationId,
        dir.resolve("state"),
        Map.of("ledger.kafka.bootstrap-servers", broker.bootstrapServers()));
  }

  @Test
  void a_server_outage_longer_than_the_timeout_halts_only_the_bad_rollout() throws Exception {
    givenAGoodAndABadRollout();

    server.close();
    server = null;
    dead.add("bad"); // the bad release's hosts die while we are down
    waitOut(OUTAGE);
    server = startServer();

    thenOnlyTheBadRolloutHalts();
  }

  @Test
  void a_broker_outage_longer_than_the_timeout_halts_only_the_bad_rollout() throws Exception {
    givenAGoodAndABadRollout();

    broker.close();
    dead.add("bad");
    waitOut(OUTAGE);
    broker = EmbeddedKafkaBroker.start(BrokerOptions.of(dir.resolve("kafka")));

    thenOnlyTheBadRolloutHalts();
  }

  private void givenAGoodAndABadRollout() {
    for (String tenant : List.of("good", "bad")) {
      String admin = server.token(tenant, Role.ADMIN);
      admins.put(tenant, admin);
      StringBuilder hosts = new StringBuilder("[");
      for (String h : HOSTS) {
        hosts.append(hosts.length() > 1 ? "," : "");
        hosts.append("{\"host\": \"%s\", \"labels\": {\"env\": \"prod\"}}".formatted(h));
      }
      assertThat(post(tenant, "/hosts", hosts + "]").statusCode()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(30)).until(() -> server.hostsKnown(tenant) == HOSTS.size());
      server.reachable(admin, tenant, HOSTS.toArray(String[]::new));
      assertThat(
              post(
                      tenant,
                      "/releases",
                      """
          {"release": "rel-1", "artifact": "agent", "version": "1", "sha256": "%s", "publisher": "vendor"}"""
                          .formatted(SHA))
                  .statusCode())
          .isEqualTo(202);
      assertThat(
              post(
                      tenant,
                      "/rollouts",
                      """
          {"rollout": "r1", "release": "rel-1",
           "plan": {"heartbeatTimeout": "PT10S",
                    "waves": [{"name": "all", "selector": {"env": "prod"}, "bake": "PT1H"}]}}""")
                  .statusCode())
          .isEqualTo(202);
      await().atMost(Duration.ofSeconds(30)).until(() -> "ACTIVE".equals(status(tenant)));
      StringBuilder applied = new StringBuilder("[");
      for (String h : HOSTS) {
        applied.append(applied.length() > 1 ? "," : "");
        applied.append(
            "{\"type\": \"applied\", \"host\": \"%s\", \"release\": \"rel-1\", \"ok\": true}"
                .formatted(h));
      }
      assertThat(post(tenant, "/telemetry", applied + "]").statusCode()).isEqualTo(202);
    }
    fleet = Executors.newSingleThreadScheduledExecutor();
    fleet.scheduleAtFixedRate(this::beat, 0, 2, TimeUnit.SECONDS);
    // both run, heard from, for longer than a timeout before the outage
    await()
        .pollDelay(Duration.ofSeconds(12))
        .atMost(Duration.ofSeconds(20))
        .until(() -> "ACTIVE".equals(status("good")) && "ACTIVE".equals(status("bad")));
  }

  /** Every live host's heartbeat, as agents send them; refused while we are down. */
  private void beat() {
    for (String tenant : admins.keySet()) {
      if (dead.contains(tenant)) {
        continue;
      }
      StringBuilder beats = new StringBuilder("[");
      for (String h : HOSTS) {
        beats.append(beats.length() > 1 ? "," : "");
        beats.append(
            "{\"type\": \"heartbeat\", \"host\": \"%s\", \"release\": \"rel-1\", \"metrics\": {}}"
                .formatted(h));
      }
      try {
        post(tenant, "/telemetry", beats + "]");
      } catch (RuntimeException e) {
        // the server is down: the agent tries again at its next beat
      }
    }
  }

  private void thenOnlyTheBadRolloutHalts() throws Exception {
    await().atMost(Duration.ofSeconds(90)).until(() -> "HALTED".equals(status("bad")));
    List<String> bad = entryTypes("bad");
    assertThat(bad).contains("OutageRecorded");
    assertThat(bad.indexOf("OutageRecorded")).isLessThan(bad.indexOf("RolloutHalted"));
    assertThat(reasonOfHalt("bad")).isEqualTo("silent hosts");

    // the good one stays ACTIVE past its grace (10 s) and two more timeouts
    await()
        .during(Duration.ofSeconds(30))
        .atMost(Duration.ofSeconds(40))
        .until(() -> "ACTIVE".equals(status("good")));
    assertThat(entryTypes("good")).containsExactly("WaveStarted", "OutageRecorded");
  }

  private HttpResponse<String> post(String tenant, String path, String json) {
    TestServer s = server;
    if (s == null) {
      throw new IllegalStateException("the server is down");
    }
    return s.post(admins.get(tenant), "/api/v1/tenants/" + tenant + path, json);
  }

  private JsonNode get(String tenant, String path) throws Exception {
    HttpResponse<String> r = server.get(admins.get(tenant), "/api/v1/tenants/" + tenant + path);
    return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
  }

  private String status(String tenant) throws Exception {
    JsonNode rollout = get(tenant, "/rollouts/r1");
    return rollout == null ? null : rollout.get("status").asText();
  }

  private List<String> entryTypes(String tenant) throws Exception {
    List<String> types = new ArrayList<>();
    get(tenant, "/rollouts/r1/ledger")
        .get("entries")
        .forEach(e -> types.add(e.get("type").asText()));
    return types;
  }

  private String reasonOfHalt(String tenant) throws Exception {
    for (JsonNode e : get(tenant, "/rollouts/r1/ledger").get("entries")) {
      if (e.get("type").asText().equals("RolloutHalted")) {
        return e.get("reason").asText();
      }
    }
    return null;
  }

  /** Our outage lasts this long: wall time passing, nothing to wait for. */
  private static void waitOut(Duration outage) {
    await().pollDelay(outage).atMost(outage.plusSeconds(5)).until(() -> true);
  }
}
