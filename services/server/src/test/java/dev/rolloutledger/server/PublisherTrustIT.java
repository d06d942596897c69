package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.avro.ReleasePublished;
import dev.rolloutledger.avro.Severity;
import dev.rolloutledger.cli.LedgerCli;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.auth.Role;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 19, item 4, end to end: a publisher makes a key and signs releases with the CLI, the owner
 * trusts that key in the policy, and the real server rolls out only what a trusted key signed. An
 * unsigned or foreign-signed release is halted with a ledger entry saying why before any host is
 * sent it; a release edited after signing is refused at the HTTP and at the Kafka door.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublisherTrustIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PLAN =
      "{\"waves\": [{\"name\": \"prod\", \"selector\": {\"env\": \"prod\"}, \"bake\": \"PT1H\"}]}";

  private TestServer server;
  private Path dir;
  private Path adminToken;
  private final String tenant = "trust" + UUID.randomUUID().toString().substring(0, 8);

  record Run(int exit, String out, String err) {}

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("ledger-trust-it");
    server = new TestServer("it-trust-" + UUID.randomUUID(), dir.resolve("server"));
    adminToken = Files.writeString(dir.resolve("admin.token"), server.token(tenant, Role.ADMIN));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /** A command that needs no server (keygen, sign). */
  private static Run offline(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = LedgerCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  private Run ledgerOf(String tenant, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--server", server.url(""), "--tenant", tenant, "--token-file", adminToken.toString()));
    return offline(all.toArray(String[]::new));
  }

  private Run ledger(String... args) {
    return ledgerOf(tenant, args);
  }

  private String keyId(Path keyDir) throws Exception {
    return dev.rolloutledger.domain.PublisherSignatures.keyId(
        Files.readString(keyDir.resolve("publisher.pub")).strip());
  }

  private JsonNode firstEntry(String rollout) throws Exception {
    return JSON.readTree(ledger("tail", rollout, "--json").out().strip().split("\n")[0]);
  }

  @Test
  void only_what_a_trusted_key_signed_rolls_out_and_the_rest_is_halted_saying_why()
      throws Exception {
    Path vendor = dir.resolve("vendor-key");
    Path stranger = dir.resolve("stranger-key");
    Run made = offline("release", "keygen", vendor.toString());
    assertThat(made.exit()).isZero();
    assertThat(made.out()).contains("key id      " + keyId(vendor));
    assertThat(offline("release", "keygen", stranger.toString()).exit()).isZero();
    // a key is never replaced by accident
    assertThat(offline("release", "keygen", vendor.toString()).exit())
        .isEqualTo(LedgerCli.BAD_INPUT);

    assertThat(ledger("hosts", "register", "p1", "p2", "p3", "--label", "env=prod").exit())
        .isZero();
    assertThat(
            ledger(
                    "policy",
                    "set",
                    "--trusted-publisher",
                    "vendor=@" + vendor.resolve("publisher.pub"))
                .exit())
        .isZero();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ledger("policy", "show").out().contains("signed: vendor(" + keyId(vendor)));
    assertThat(ledger("policy", "show").out()).contains("Only releases signed by a trusted");

    // cf-1: signed by the vendor, sent under another name; cf-2: unsigned; cf-3: a stranger's
    Path signed1 = dir.resolve("cf-1.json");
    Run signed =
        offline(
            "release",
            "sign",
            "cf-1",
            "--key",
            vendor.toString(),
            "--sha256",
            "a1".repeat(32),
            "--publisher",
            "not-the-vendor",
            "--out",
            signed1.toString());
    assertThat(signed.exit()).isZero();
    assertThat(ledger("release", "publish", "--signed", signed1.toString()).out())
        .contains("published cf-1 signed by key " + keyId(vendor));
    assertThat(
            ledger(
                    "release",
                    "publish",
                    "cf-2",
                    "--sha256",
                    "b2".repeat(32),
                    "--publisher",
                    "vendor")
                .exit())
        .isZero();
    Path signed3 = dir.resolve("cf-3.json");
    assertThat(
            offline(
                    "release",
                    "sign",
                    "cf-3",
                    "--key",
                    stranger.toString(),
                    "--sha256",
                    "c3".repeat(32),
                    "--out",
                    signed3.toString())
                .exit())
        .isZero();
    assertThat(ledger("release", "publish", "--signed", signed3.toString()).exit()).isZero();

    Path plan = Files.writeString(dir.resolve("plan.json"), PLAN);
    for (int i = 1; i <= 3; i++) {
      String release = "cf-" + i;
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ledger("releases", "-o", "json").out().contains("\"" + release + "\""));
      assertThat(
              ledger("rollout", "create", "r-" + i, "--release", release, "--plan", plan.toString())
                  .exit())
          .isZero();
      String rollout = "r-" + i;
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  ledger("tail", rollout).exit() == 0 && !ledger("tail", rollout).out().isBlank());
    }

    assertThat(firstEntry("r-1").get("type").asText()).isEqualTo("WaveStarted");
    assertThat(ledger("tail", "r-2", "--json").out().strip().lines()).hasSize(1);
    JsonNode unsigned = firstEntry("r-2"); // the only entry: nothing went out
    assertThat(unsigned.get("type").asText()).isEqualTo("RolloutHalted");
    assertThat(unsigned.get("reason").asText()).isEqualTo("refused by the owner's policy");
    assertThat(unsigned.get("evidence").get("refusal").asText())
        .isEqualTo(
            "release cf-2 is not signed; the owner's policy takes only releases signed by a"
                + " trusted publisher (vendor key "
                + keyId(vendor)
                + ")");
    JsonNode foreign = firstEntry("r-3");
    assertThat(foreign.get("type").asText()).isEqualTo("RolloutHalted");
    assertThat(foreign.get("evidence").get("refusal").asText())
        .contains("signed by key " + keyId(stranger), "not a trusted publisher");

    // the name comes from the key, never from the body
    JsonNode releases = JSON.readTree(ledger("releases", "-o", "json").out());
    assertThat(releases.findValuesAsText("publisher"))
        .containsExactlyInAnyOrder("vendor", "vendor", "key-" + keyId(stranger));
    assertThat(ledger("releases").out()).contains(keyId(vendor), keyId(stranger));

    // no host was ever sent cf-2 or cf-3
    String admin = Files.readString(adminToken);
    for (String host : List.of("p1", "p2", "p3")) {
      String commands =
          server
              .get(admin, "/api/v1/tenants/" + tenant + "/hosts/" + host + "/commands?after=0")
              .body();
      assertThat(commands).doesNotContain("cf-2", "cf-3");
    }
  }

  @Test
  void a_release_edited_after_signing_is_refused_at_the_http_and_at_the_kafka_door()
      throws Exception {
    Path key = dir.resolve("door-key");
    assertThat(offline("release", "keygen", key.toString()).exit()).isZero();
    Run signed =
        offline("release", "sign", "cf-9", "--key", key.toString(), "--sha256", "d4".repeat(32));
    assertThat(signed.exit()).isZero();
    ObjectNode edited = (ObjectNode) JSON.readTree(signed.out());
    edited.put("sha256", "e5".repeat(32)); // another artifact under the same signature

    Path file = Files.writeString(dir.resolve("edited.json"), edited.toString());
    Run cli = ledger("release", "publish", "--signed", file.toString());
    assertThat(cli.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(cli.err()).contains("signature");
    HttpResponse<String> http =
        server.post(
            Files.readString(adminToken),
            "/api/v1/tenants/" + tenant + "/releases",
            edited.toString());
    assertThat(http.statusCode()).isEqualTo(400);
    assertThat(http.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(JSON.readTree(http.body()).get("field").asText()).isEqualTo("signature");

    SchemaRegistry registry = server.bean(SchemaRegistry.class);
    ReleasePublished forged =
        ReleasePublished.newBuilder()
            .setTenant(tenant)
            .setAt(Instant.now())
            .setRelease("cf-9")
            .setArtifact(edited.get("artifact").asText())
            .setVersion(edited.get("version").asText())
            .setSha256(edited.get("sha256").asText())
            .setPublisher("vendor")
            .setSeverity(Severity.NORMAL)
            .setPublisherKey(edited.get("publisherKey").asText())
            .setSignature(edited.get("signature").asText())
            .build();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.RELEASES.name(),
                  Keys.of(tenant, "cf-9"),
                  Topics.RELEASES
                      .valueSerde(registry)
                      .serializer()
                      .serialize(Topics.RELEASES.name(), forged)))
          .get();
    }
    List<String> reasons = new ArrayList<>();
    try (KafkaConsumer<String, DeadLetter> letters =
        TestKafka.readCommitted(Topics.DEAD_LETTERS.valueSerde(registry).deserializer())) {
      TestKafka.fromStart(letters, Topics.DEAD_LETTERS.name());
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                for (ConsumerRecord<String, DeadLetter> r : letters.poll(Duration.ofMillis(200))) {
                  if (r.key() != null && r.key().startsWith(tenant + "/")) {
                    reasons.add(r.value().getReason());
                  }
                }
                assertThat(reasons).isNotEmpty();
              });
    }
    assertThat(reasons).singleElement().asString().contains("signature", "does not verify");
    assertThat(ledger("releases", "-o", "json").out()).doesNotContain("cf-9");
  }

  @Test
  void without_trusted_publishers_the_api_and_the_cli_say_the_policy_trusts_the_operators_word()
      throws Exception {
    String other = "word" + UUID.randomUUID().toString().substring(0, 8);
    String token = server.token(other, Role.ADMIN);
    JsonNode policy =
        JSON.readTree(server.get(token, "/api/v1/tenants/" + other + "/policy").body());

    assertThat(policy.get("publisherTrust").asText()).isEqualTo("operator-word");
    assertThat(policy.get("publisherTrustSays").asText())
        .startsWith("No trusted publishers: this policy trusts the operator's word.");
    assertThat(policy.path("trustedPublishers").size()).isZero(); // left out when empty
    Path otherToken = Files.writeString(dir.resolve("other.token"), token);
    Run shown =
        offline(
            "policy",
            "show",
            "--server",
            server.url(""),
            "--tenant",
            other,
            "--token-file",
            otherToken.toString());
    assertThat(shown.out()).contains("operator's word", "No trusted publishers");
  }
}
