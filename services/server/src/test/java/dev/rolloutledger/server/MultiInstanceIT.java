package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.server.auth.Role;
import dev.rolloutledger.topology.LedgerQueries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two instances of one deployment (same application id, same broker, one key set) answer every
 * route for every tenant with the same bodies (docs/adr/0010-every-instance-answers.md): a tenant
 * whose state the other instance holds is forwarded there, and an action taken on either instance
 * reaches the owner's engine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiInstanceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA = "e".repeat(64);

  private TestServer one;
  private TestServer two;
  private String tenantOfOne;
  private String tenantOfTwo;
  private final Map<String, String> admins = new java.util.HashMap<>();

  @BeforeAll
  void start() throws Exception {
    String app = "it-multi-" + UUID.randomUUID().toString().substring(0, 8);
    Path keys = Files.createTempDirectory("ledger-it-keys");
    one = new TestServer(app, Files.createTempDirectory("ledger-it-one"), instance(keys));
    two = new TestServer(app, Files.createTempDirectory("ledger-it-two"), instance(keys));
    // the four partitions are spread over both instances once the group has settled
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              tenantOfOne = tenantOwnedBy(one);
              tenantOfTwo = tenantOwnedBy(two);
              return tenantOfOne != null && tenantOfTwo != null;
            });
    for (String tenant : List.of(tenantOfOne, tenantOfTwo)) {
      String admin = one.token(tenant, Role.ADMIN);
      admins.put(tenant, admin);
      // tokens live in ledger.tokens: the other instance knows them within a poll
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> two.get(admin, "/api/v1/tenants/" + tenant + "/releases").statusCode() != 401);
      fleetReleaseAndRollout(tenant, admin);
    }
  }

  @AfterAll
  void stop() {
    if (two != null) {
      two.close();
    }
    if (one != null) {
      one.close();
    }
  }

  @Test
  void everyReadAnswersTheSameOnBothInstances() {
    for (String tenant : List.of(tenantOfOne, tenantOfTwo)) {
      String admin = admins.get(tenant);
      String t = "/api/v1/tenants/" + tenant;
      for (String path :
          List.of(
              t + "/rollouts",
              t + "/rollouts/r1",
              t + "/rollouts/r1/ledger",
              t + "/releases",
              t + "/hosts",
              t + "/hosts?liveness=alive",
              t + "/policy")) {
        // the engine keeps deciding (clock ticks): equal once two reads fall between decisions
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  HttpResponse<String> a = one.get(admin, path);
                  HttpResponse<String> b = two.get(admin, path);
                  assertThat(a.statusCode()).as(path).isEqualTo(200);
                  assertThat(b.statusCode()).as(path).isEqualTo(200);
                  assertThat(JSON.readTree(b.body())).as(path).isEqualTo(JSON.readTree(a.body()));
                });
      }
      // an unknown rollout is a 404 on both, not a 503 nor an answer from the wrong stores
      assertThat(one.get(admin, t + "/rollouts/nope").statusCode()).isEqualTo(404);
      assertThat(two.get(admin, t + "/rollouts/nope").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void anActionOnTheInstanceThatDoesNotOwnTheTenantReachesItsEngine() {
    for (String tenant : List.of(tenantOfOne, tenantOfTwo)) {
      String admin = admins.get(tenant);
      TestServer other = tenant.equals(tenantOfOne) ? two : one;
      String rollout = "/api/v1/tenants/" + tenant + "/rollouts/r1";
      HttpResponse<String> paused = other.post(admin, rollout + "/pause", "{\"reason\": \"it\"}");
      assertThat(paused.statusCode()).as(paused.body()).isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> status(other.get(admin, rollout)).equals("PAUSED"));
      assertThat(other.post(admin, rollout + "/resume", "{\"reason\": \"it\"}").statusCode())
          .isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !status(other.get(admin, rollout)).equals("PAUSED"));
      // bad input is refused where it lands or by the owner, with the field named, never a 5xx
      HttpResponse<String> bad = other.post(admin, rollout + "/approvals", "{\"wave\": 7}");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }
  }

  @Test
  void aRequestForwardedToAnInstanceThatNoLongerOwnsTheTenantIsRetriedNotAnswered()
      throws Exception {
    // as if the sender's view of the assignment were stale: never forwarded a second time. The
    // group may still move a tenant between the instances (a probing rebalance after warm-up), so
    // the tenant is one that instance one holds at the moment of asking two, asked again if it
    // moved in between
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              String tenant = heldBy(one);
              assertThat(tenant).as("a tenant instance one holds now").isNotNull();
              HttpResponse<String> r =
                  HttpClient.newHttpClient()
                      .send(
                          HttpRequest.newBuilder(
                                  URI.create(two.url("/api/v1/tenants/" + tenant + "/rollouts/r1")))
                              .header("Authorization", "Bearer " + admins.get(tenant))
                              .header("X-Ledger-Forwarded-By", "127.0.0.1:1")
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
              assertThat(heldBy(one)).as("still held by one after the request").isEqualTo(tenant);
              assertThat(r.statusCode()).isEqualTo(503);
              assertThat(r.headers().firstValue("Retry-After")).isPresent();
            });
  }

  /** Of the two tenants of this test, one whose state {@code server} holds now, or null. */
  private String heldBy(TestServer server) {
    LedgerQueries queries = server.bean(LedgerQueries.class);
    for (String tenant : List.of(tenantOfOne, tenantOfTwo)) {
      KeyQueryMetadata owner = queries.ownerOf(tenant);
      if (owner != null
          && !owner.equals(KeyQueryMetadata.NOT_AVAILABLE)
          && owner.activeHost().port() == port(server)) {
        return tenant;
      }
    }
    return null;
  }

  private void fleetReleaseAndRollout(String tenant, String admin) {
    String t = "/api/v1/tenants/" + tenant;
    assertThat(
            one.post(
                    admin,
                    t + "/hosts",
                    "[{\"host\": \"h1\", \"labels\": {}}, {\"host\": \"h2\", \"labels\": {}}]")
                .statusCode())
        .isEqualTo(202);
    // through the instance that does not own the tenant: the liveness read is forwarded too
    TestServer other = tenant.equals(tenantOfOne) ? two : one;
    other.reachable(admin, tenant, "h1", "h2");
    assertThat(
            one.post(
                    admin,
                    t + "/releases",
                    """
        {"release": "m-1", "artifact": "a", "version": "1", "sha256": "%s", "publisher": "it"}"""
                        .formatted(SHA))
                .statusCode())
        .isEqualTo(202);
    assertThat(
            one.post(
                    admin,
                    t + "/rollouts",
                    "{\"rollout\": \"r1\", \"release\": \"m-1\","
                        + " \"plan\": {\"waves\": [{\"name\": \"all\", \"bake\": \"PT1H\"}]}}")
                .statusCode())
        .isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> other.get(admin, t + "/rollouts/r1").statusCode() == 200);
  }

  private static String status(HttpResponse<String> r) {
    try {
      JsonNode body = JSON.readTree(r.body());
      return body.path("status").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A tenant name whose state {@code server} holds, or null while nobody holds it. */
  private static String tenantOwnedBy(TestServer server) {
    return tenantOwnedByPort(server.bean(LedgerQueries.class), port(server), "mt");
  }

  /**
   * A tenant name (starting with {@code prefix}) whose state the instance answering on {@code port}
   * holds, or null while nobody holds it (the group is still settling).
   */
  static String tenantOwnedByPort(LedgerQueries queries, int port, String prefix) {
    for (int i = 0; i < 64; i++) {
      String tenant = prefix + i + UUID.randomUUID().toString().substring(0, 4);
      KeyQueryMetadata owner = queries.ownerOf(tenant);
      if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
        return null;
      }
      if (owner.activeHost().port() == port) {
        return tenant;
      }
    }
    return null;
  }

  private static int port(TestServer server) {
    return URI.create(server.url("/")).getPort();
  }

  private static Map<String, Object> instance(Path keys) {
    return Map.of("micronaut.server.port", freePort(), "ledger.key-dir", keys.toString());
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
