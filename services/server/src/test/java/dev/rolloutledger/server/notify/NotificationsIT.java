package dev.rolloutledger.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.server.TestServer;
import dev.rolloutledger.server.auth.Role;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Notifications end to end: a real server on the shared KRaft broker, rollouts driven over HTTP to
 * a halt, and webhook receivers on loopback (the JDK's HTTP server).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotificationsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA = "b".repeat(64);

  /**
   * Short backoff and timeout, so retries and a hanging receiver take seconds, not minutes; the
   * receivers are on loopback, which webhooks reach only when private targets are allowed.
   */
  private static final Map<String, Object> QUICK =
      Map.of(
          "ledger.notifications.first-retry",
          "200ms",
          "ledger.notifications.max-retry",
          "1s",
          "ledger.notifications.attempts",
          "4",
          "ledger.notifications.timeout",
          "3s",
          WebhookTargets.ALLOW_PRIVATE,
          "true");

  private final String applicationId = "it-notify-" + UUID.randomUUID();
  private Path state;
  private TestServer server;
  private Receiver receiver;

  @BeforeAll
  void start() throws Exception {
    receiver = new Receiver();
    state = Files.createTempDirectory("ledger-it-notify");
    server = new TestServer(applicationId, state, QUICK);
  }

  @AfterAll
  void stop() {
    server.close();
    receiver.close();
  }

  private static String tenant() {
    return "t" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String api(String tenant, String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  private HttpResponse<String> configure(String tenant, String token, String webhooks) {
    return server.put(token, api(tenant, "/notifications"), "{\"webhooks\": " + webhooks + "}");
  }

  private static String webhook(String name, String url, String format, String events) {
    return "{\"name\": \"%s\", \"url\": \"%s\", \"format\": \"%s\", \"events\": %s}"
        .formatted(name, url, format, events);
  }

  /** Three dev hosts, a release, rollout r1 over them; a crash on h1 halts it. */
  private void haltedByACrash(String tenant, String admin) {
    haltedByACrash(tenant, admin, "r1", "cf-291", "dev");
  }

  /**
   * Three hosts labelled {@code env}, release {@code release}, rollout {@code rollout} over them; a
   * crash on the first halts it.
   */
  private void haltedByACrash(
      String tenant, String admin, String rollout, String release, String env) {
    String h = env.equals("dev") ? "h" : env + "-h";
    assertThat(
            server
                .post(
                    admin,
                    api(tenant, "/hosts"),
                    """
                    [{"host": "%1$s1", "labels": {"env": "%2$s"}},
                     {"host": "%1$s2", "labels": {"env": "%2$s"}},
                     {"host": "%1$s3", "labels": {"env": "%2$s"}}]"""
                        .formatted(h, env))
                .statusCode())
        .isEqualTo(202);
    server.reachable(admin, tenant, h + "1", h + "2", h + "3");
    assertThat(
            server
                .post(
                    admin,
                    api(tenant, "/releases"),
                    """
                    {"release": "%s", "artifact": "channel-file", "version": "291",
                     "sha256": "%s", "publisher": "vendor"}"""
                        .formatted(release, SHA))
                .statusCode())
        .isEqualTo(202);
    assertThat(
            server
                .post(
                    admin,
                    api(tenant, "/rollouts"),
                    """
                    {"rollout": "%s", "release": "%s",
                     "plan": {"waves": [{"name": "canary", "selector": {"env": "%s"},
                                         "maxCrashFraction": 0.3}]}}"""
                        .formatted(rollout, release, env))
                .statusCode())
        .isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.get(admin, api(tenant, "/rollouts/" + rollout)).statusCode() == 200);
    assertThat(
            server
                .post(
                    admin,
                    api(tenant, "/telemetry"),
                    """
                    [{"type": "applied", "host": "%1$s1", "release": "%2$s", "ok": true},
                     {"type": "applied", "host": "%1$s2", "release": "%2$s", "ok": true},
                     {"type": "crash", "host": "%1$s1", "release": "%2$s",
                      "signature": "PAGE_FAULT", "kind": "BSOD"}]"""
                        .formatted(h, release))
                .statusCode())
        .isEqualTo(202);
  }

  private PublicKey publishedKey(String token, String keyId) throws Exception {
    JsonNode keys = JSON.readTree(server.get(token, "/api/v1/keys").body()).get("keys");
    for (JsonNode k : keys) {
      if (k.get("keyId").asText().equals(keyId)) {
        return KeyFactory.getInstance("Ed25519")
            .generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode(k.get("publicKey").asText())));
      }
    }
    throw new AssertionError("key " + keyId + " is not served by GET /api/v1/keys");
  }

  @Test
  void a_halt_reaches_the_signed_json_and_the_slack_webhook_and_a_flaky_one_on_its_third_try()
      throws Exception {
    String tenant = tenant();
    String admin = server.token(tenant, Role.ADMIN);
    receiver.answer("/json", 200).answer("/slack", 200).answer("/flaky", 500, 500, 200);
    HttpResponse<String> set =
        configure(
            tenant,
            server.token(tenant, Role.OPERATOR),
            "["
                + webhook("signed", receiver.url("/json"), "json", "[\"halted\", \"completed\"]")
                + ","
                + webhook("chat", receiver.url("/slack") + "?token=s3cret", "slack", "[\"halted\"]")
                + ","
                + webhook("flaky", receiver.url("/flaky"), "json", "[\"halted\"]")
                + "]");
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    assertThat(set.body()).doesNotContain("s3cret").contains("\"url\":\"http://127.0.0.1:");

    haltedByACrash(tenant, admin);

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(receiver.at("/json")).hasSize(1);
              assertThat(receiver.at("/slack")).hasSize(1);
              assertThat(receiver.at("/flaky")).hasSize(3);
            });

    // the generic body: the ledger entry, signed with a key GET /api/v1/keys serves
    Receiver.Received signed = receiver.at("/json").get(0);
    JsonNode body = JSON.readTree(signed.body());
    assertThat(body.get("tenant").asText()).isEqualTo(tenant);
    assertThat(body.get("rollout").asText()).isEqualTo("r1");
    assertThat(body.get("release").asText()).isEqualTo("cf-291");
    assertThat(body.get("event").asText()).isEqualTo("halted");
    assertThat(body.get("type").asText()).isEqualTo("RolloutHalted");
    assertThat(body.get("wave").asText()).isEqualTo("canary");
    assertThat(body.get("evidence").get("crashFraction")).isNotNull();
    JsonNode ledger = JSON.readTree(server.get(admin, api(tenant, "/rollouts/r1/ledger")).body());
    JsonNode halt = ledger.get("entries").get(ledger.get("entries").size() - 1);
    assertThat(body.get("seq").asLong()).isEqualTo(halt.get("seq").asLong());
    assertThat(body.get("hash").asText()).isEqualTo(halt.get("hash").asText());
    assertThat(body.get("reason").asText()).isEqualTo(halt.get("reason").asText());
    PublicKey key = publishedKey(admin, signed.header(NotificationSignature.KEY_ID_HEADER));
    assertThat(
            NotificationSignature.verify(
                signed.body(), signed.header(NotificationSignature.SIGNATURE_HEADER), key))
        .isTrue();
    assertThat(signed.header(Delivery.DELIVERY_HEADER))
        .isEqualTo(tenant + "/r1/" + halt.get("seq").asLong() + "/signed");
    assertThat(signed.header(Delivery.EVENT_HEADER)).isEqualTo("halted");
    assertThat(signed.header("Content-Type")).isEqualTo("application/json");

    // the Slack body says rollout, release, wave and why
    JsonNode slack = JSON.readTree(receiver.at("/slack").get(0).body());
    assertThat(slack.get("text").asText())
        .contains("r1")
        .contains("cf-291")
        .contains("halted in wave canary")
        .contains(halt.get("reason").asText());
    assertThat(slack.get("blocks").get(0).get("type").asText()).isEqualTo("header");

    // the flaky receiver was sent the same delivery three times: one id, the same bytes
    List<Receiver.Received> flaky = receiver.at("/flaky");
    assertThat(flaky)
        .extracting(r -> r.header(Delivery.DELIVERY_HEADER))
        .containsOnly(tenant + "/r1/" + halt.get("seq").asLong() + "/flaky");
    assertThat(flaky).extracting(r -> new String(r.body())).containsOnly(new String(signed.body()));

    // counted on /metrics: three deliveries ended (of this and earlier tests: at least), and the
    // flaky one's two retries among the attempts
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              String metrics = server.get(admin, "/metrics").body();
              assertThat(metricValue(metrics, "ledger_notifications_total{outcome=\"delivered\"}"))
                  .isGreaterThanOrEqualTo(3);
              assertThat(metricValue(metrics, "ledger_notification_attempts_total"))
                  .isGreaterThanOrEqualTo(5);
              assertThat(metricValue(metrics, "ledger_notifier_running")).isEqualTo(1);
              assertThat(
                      metricValue(metrics, "ledger_notifications_total{outcome=\"skipped_dead\"}"))
                  .isGreaterThanOrEqualTo(0);
            });
    JsonNode notifier = JSON.readTree(server.get("/health").body()).get("details").get("notifier");
    assertThat(notifier.get("status").asText()).isEqualTo("UP");
    assertThat(notifier.get("details").get("state").asText()).isEqualTo("RUNNING");
  }

  private static double metricValue(String metrics, String series) {
    return metrics
        .lines()
        .filter(l -> l.startsWith(series + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
        .findFirst()
        .orElse(-1);
  }

  @Test
  void a_receiver_that_never_answers_does_not_keep_another_tenant_from_its_notification() {
    String dead = tenant();
    String live = tenant();
    String deadAdmin = server.token(dead, Role.ADMIN);
    String liveAdmin = server.token(live, Role.ADMIN);
    receiver.hang("/dead").answer("/live", 204);
    assertThat(
            configure(
                    dead,
                    deadAdmin,
                    "[" + webhook("d", receiver.url("/dead"), "json", "[\"halted\"]") + "]")
                .statusCode())
        .isEqualTo(200);
    assertThat(
            configure(
                    live,
                    liveAdmin,
                    "[" + webhook("l", receiver.url("/live"), "slack", "[\"halted\"]") + "]")
                .statusCode())
        .isEqualTo(200);

    haltedByACrash(dead, deadAdmin);
    await().atMost(Duration.ofSeconds(60)).until(() -> !receiver.at("/dead").isEmpty());
    haltedByACrash(live, liveAdmin);

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(receiver.at("/live")).hasSize(1));
    assertThat(receiver.at("/live").get(0).header(Delivery.DELIVERY_HEADER))
        .startsWith(live + "/r1/");
  }

  @Test
  void a_webhook_that_ran_out_of_attempts_is_dead_and_sent_one_probe_at_a_time_until_it_answers() {
    String tenant = tenant();
    String admin = server.token(tenant, Role.ADMIN);
    receiver.answer("/gone", 503);
    assertThat(
            configure(
                    tenant,
                    admin,
                    "[" + webhook("g", receiver.url("/gone"), "json", "[\"halted\"]") + "]")
                .statusCode())
        .isEqualTo(200);

    haltedByACrash(tenant, admin);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(attemptsOf(tenant, "r1")).isEqualTo(4));

    // dead: the next halt is a probe, sent once and given up at its 503
    haltedByACrash(tenant, admin, "r2", "cf-292", "qa");
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(attemptsOf(tenant, "r2")).isEqualTo(1));

    // back: the next probe gets through, and the webhook is live again
    receiver.answer("/gone", 204);
    haltedByACrash(tenant, admin, "r3", "cf-293", "prod");
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(attemptsOf(tenant, "r3")).isEqualTo(1));
    assertThat(attemptsOf(tenant, "r2")).as("a probe is never retried").isEqualTo(1);
    assertThat(attemptsOf(tenant, "r1")).isEqualTo(4);
  }

  /** How many requests the receiver at /gone had for {@code tenant}'s rollout. */
  private long attemptsOf(String tenant, String rollout) {
    return receiver.at("/gone").stream()
        .filter(r -> r.header(Delivery.DELIVERY_HEADER).startsWith(tenant + "/" + rollout + "/"))
        .count();
  }

  @Test
  void by_default_a_webhook_may_not_reach_this_machine() throws Exception {
    Path strictState = Files.createTempDirectory("ledger-it-notify-strict");
    // the shipped default of allow-private-targets; no notifier of its own (nothing to send)
    try (TestServer strict =
        new TestServer(
            applicationId + "-strict",
            strictState,
            Map.of("ledger.notifications.enabled", "false"))) {
      String tenant = tenant();
      String admin = strict.token(tenant, Role.ADMIN);
      HttpResponse<String> local =
          strict.put(
              admin,
              api(tenant, "/notifications"),
              "{\"webhooks\": ["
                  + webhook("local", receiver.url("/x"), "json", "[\"halted\"]")
                  + "]}");
      assertThat(local.statusCode()).as(local.body()).isEqualTo(400);
      assertThat(local.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
      JsonNode problem = JSON.readTree(local.body());
      assertThat(problem.get("field").asText()).isEqualTo("webhooks[0].url");
      assertThat(problem.get("detail").asText())
          .contains("127.0.0.1 is a loopback address")
          .contains(WebhookTargets.ALLOW_PRIVATE + "=true");
    }
  }

  @Test
  void a_delivery_in_flight_when_the_server_stops_is_sent_again_after_the_restart() {
    String tenant = tenant();
    String admin = server.token(tenant, Role.ADMIN);
    receiver.hang("/restart");
    assertThat(
            configure(
                    tenant,
                    admin,
                    "[" + webhook("r", receiver.url("/restart"), "json", "[\"halted\"]") + "]")
                .statusCode())
        .isEqualTo(200);
    haltedByACrash(tenant, admin);
    await().atMost(Duration.ofSeconds(60)).until(() -> !receiver.at("/restart").isEmpty());

    // stopped while the first attempt waits for an answer: its offset was not committed
    server.close();
    receiver.answer("/restart", 200);
    server = new TestServer(applicationId, state, QUICK);

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(receiver.at("/restart")).hasSizeGreaterThanOrEqualTo(2));
    assertThat(receiver.at("/restart"))
        .extracting(r -> r.header(Delivery.DELIVERY_HEADER))
        .as("one delivery, sent twice: the receiver drops the repeat by its id")
        .containsOnly(receiver.at("/restart").get(0).header(Delivery.DELIVERY_HEADER));
  }

  @Test
  void bad_configuration_is_a_400_problem_naming_the_field_and_a_viewer_may_only_read()
      throws Exception {
    String tenant = tenant();
    String admin = server.token(tenant, Role.ADMIN);

    HttpResponse<String> ftp =
        configure(
            tenant, admin, "[" + webhook("a", "ftp://127.0.0.1/x", "json", "[\"halted\"]") + "]");
    assertThat(ftp.statusCode()).isEqualTo(400);
    assertThat(ftp.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    assertThat(JSON.readTree(ftp.body()).get("field").asText()).isEqualTo("webhooks[0].url");

    HttpResponse<String> metadata =
        configure(
            tenant,
            admin,
            "["
                + webhook("a", "http://169.254.169.254/latest/meta-data", "json", "[\"halted\"]")
                + "]");
    assertThat(metadata.statusCode())
        .as("link-local: refused even with private targets allowed")
        .isEqualTo(400);
    assertThat(JSON.readTree(metadata.body()).get("field").asText()).isEqualTo("webhooks[0].url");
    assertThat(metadata.body()).contains("link-local").doesNotContain("meta-data");

    HttpResponse<String> event =
        configure(
            tenant, admin, "[" + webhook("a", receiver.url("/x"), "json", "[\"exploded\"]") + "]");
    assertThat(event.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(event.body()).get("field").asText())
        .isEqualTo("webhooks[0].events[0]");

    HttpResponse<String> format =
        configure(
            tenant, admin, "[" + webhook("a", receiver.url("/x"), "xml", "[\"halted\"]") + "]");
    assertThat(JSON.readTree(format.body()).get("field").asText()).isEqualTo("webhooks[0].format");

    String viewer = server.token(tenant, Role.VIEWER);
    assertThat(configure(tenant, viewer, "[]").statusCode()).isEqualTo(403);
    assertThat(
            configure(
                    tenant,
                    admin,
                    "[" + webhook("a", receiver.url("/secret/path"), "json", "[\"paused\"]") + "]")
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> read = server.get(viewer, api(tenant, "/notifications"));
    assertThat(read.statusCode()).isEqualTo(200);
    JsonNode view = JSON.readTree(read.body());
    assertThat(view.get("webhooks").get(0).get("url").asText()).endsWith("/***");
    assertThat(read.body()).doesNotContain("secret/path");
    assertThat(view.get("webhooks").get(0).get("events").get(0).asText()).isEqualTo("paused");
    assertThat(view.get("by").asText()).startsWith("admin-");

    // another tenant's token sees nothing of it
    String other = server.token(tenant(), Role.ADMIN);
    assertThat(server.get(other, api(tenant, "/notifications")).statusCode()).isEqualTo(404);
  }
}
