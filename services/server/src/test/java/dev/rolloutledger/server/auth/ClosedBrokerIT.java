package dev.rolloutledger.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.infra.BrokerOptions;
import dev.rolloutledger.infra.BrokerSecurity;
import dev.rolloutledger.infra.EmbeddedKafkaBroker;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.server.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server on the closed embedded broker (SASL/SCRAM, ACLs), with the credentials the broker
 * generated for it: it works end to end, and a token written to {@code ledger.tokens} by anyone but
 * the server is refused by the broker, so it never authenticates.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClosedBrokerIT {
  // not final: ClosedTlsBrokerIT runs the same tests on SASL_SSL
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TENANT = "closed";

  @TempDir static Path dir;
  private Path kafkaDir;
  private EmbeddedKafkaBroker broker;
  private TestServer server;
  private String admin;

  @BeforeAll
  void start() {
    kafkaDir = dir.resolve("kafka");
    broker = EmbeddedKafkaBroker.start(BrokerOptions.closed(kafkaDir).withTls(tls()));
    try {
      server =
          new TestServer(
              BrokerOptions.DEFAULT_APPLICATION_ID, // the application id the server's ACLs name
              dir.resolve("state"),
              Map.of(
                  "ledger.kafka.bootstrap-servers",
                  broker.bootstrapServers(),
                  "ledger.kafka.client-properties-file",
                  BrokerSecurity.credentialsFile(kafkaDir, BrokerSecurity.SERVER_USER).toString()));
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    admin = server.token(TENANT, Role.ADMIN);
  }

  /** SASL_PLAINTEXT here; {@link ClosedTlsBrokerIT}: SASL_SSL. */
  boolean tls() {
    return false;
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
    broker.close();
  }

  @Test
  void the_server_plans_a_rollout_on_its_generated_credentials() {
    String api = "/api/v1/tenants/" + TENANT;
    assertThat(
            server
                .post(
                    admin,
                    api + "/hosts",
                    "[{\"host\": \"h1\", \"labels\": {}}, {\"host\": \"h2\", \"labels\": {}}]")
                .statusCode())
        .isEqualTo(202);
    assertThat(
            server
                .post(
                    admin,
                    api + "/releases",
                    """
                    {"release": "kb-1", "artifact": "patch", "version": "1", "sha256": "%s",
                     "publisher": "it"}"""
                        .formatted("c".repeat(64)))
                .statusCode())
        .isEqualTo(202);
    server.reachable(admin, TENANT, "h1", "h2");

    HttpResponse<String> planned =
        server.post(
            admin,
            api + "/rollouts",
            "{\"rollout\": \"r1\", \"release\": \"kb-1\","
                + " \"plan\": {\"waves\": [{\"name\": \"all\"}]}}");

    assertThat(planned.statusCode()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              HttpResponse<String> r = server.get(admin, api + "/rollouts/r1");
              return r.statusCode() == 200
                  && json(r).get("waves").get(0).get("assigned").asInt() == 2;
            });
  }

  @Test
  void a_token_forged_through_kafka_by_another_principal_is_refused_and_never_works() {
    TokenRegistry.Issued forged =
        server.bean(TokenStore.class).issue(TENANT, "forged-admin", Role.ADMIN, null);
    ProducerRecord<String, String> record =
        new ProducerRecord<>(
            Topics.TOKENS.name(),
            Keys.of(TENANT, "forged-admin"),
            TokenStore.toJson(forged.token()));
    String hosts = "/api/v1/tenants/" + TENANT + "/hosts";

    // a telemetry producer: authenticated, but not allowed to write the tokens
    try (KafkaProducer<String, String> telemetry =
        producer(broker.connection(BrokerSecurity.TELEMETRY_USER))) {
      assertThatThrownBy(() -> telemetry.send(record).get())
          .satisfies(e -> assertThat(rootOf(e)).isInstanceOf(TopicAuthorizationException.class));
    }
    // anyone without credentials: not even connected
    try (KafkaProducer<String, String> anonymous =
        producer(KafkaConnection.plaintext(broker.bootstrapServers()))) {
      assertThatThrownBy(() -> anonymous.send(record).get()).isInstanceOf(Exception.class);
    }
    assertThat(server.get(forged.secret(), hosts).statusCode()).isEqualTo(401);

    // the same record from a principal allowed to write the tokens (the admin, a super user) is
    // a working token: what the broker refused above was a real forgery, not a malformed record
    try (KafkaProducer<String, String> superUser = producer(broker.adminConnection())) {
      assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> superUser.send(record).get()))
          .isNull();
    }
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> server.get(forged.secret(), hosts).statusCode() == 200);
  }

  private static KafkaProducer<String, String> producer(KafkaConnection kafka) {
    Properties p = kafka.properties();
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  private static Throwable rootOf(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }
}
