package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.auth.Role;
import dev.rolloutledger.server.kafka.EventPublisher;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The doors into the system on the real server and broker: what they answer, what they let in. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InputDoorsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestServer server;
  private final String tenant = "doors" + UUID.randomUUID().toString().substring(0, 8);
  private String operator;

  @BeforeAll
  void start() throws Exception {
    server =
        new TestServer("it-doors-" + UUID.randomUUID(), Files.createTempDirectory("ledger-it"));
    operator = server.token(tenant, Role.OPERATOR);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private String api(String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  private static JsonNode problem(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    return JSON.readTree(r.body());
  }

  @Nested
  class CommandPoll {
    @Test
    void an_empty_poll_answers_the_host_and_an_empty_commands_array() throws Exception {
      HttpResponse<String> r = server.get(operator, api("/hosts/nobody/commands?after=0"));

      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.get("host").asText()).isEqualTo("nobody");
      assertThat(body.get("commands")).isNotNull();
      assertThat(body.get("commands").isArray()).isTrue();
      assertThat(body.get("commands")).isEmpty();
    }
  }

  @Nested
  class TelemetryBatch {
    private static String heartbeat(String host, String at) {
      return "{\"type\": \"heartbeat\", \"host\": \""
          + host
          + "\""
          + (at == null ? "" : ", \"at\": \"" + at + "\"")
          + "}";
    }

    @Test
    void an_at_beyond_epoch_millis_refuses_the_whole_batch_with_400_naming_it() throws Exception {
      String batch =
          "["
              + heartbeat("bad-0", null)
              + ","
              + heartbeat("bad-1", null)
              + ","
              + heartbeat("bad-2", null)
              + ","
              + heartbeat("bad-3", "+999999999-12-31T23:59:59Z")
              + "]";

      JsonNode refused = problem(server.post(operator, api("/telemetry"), batch), 400);
      assertThat(refused.get("field").asText()).isEqualTo("[3].at");

      // a later batch's record arrives; none of the refused batch came before it
      assertThat(
              server
                  .post(operator, api("/telemetry"), "[" + heartbeat("marker-1", null) + "]")
                  .statusCode())
          .isEqualTo(202);
      assertThat(telemetryHostsUntil("marker-1")).noneMatch(h -> h.startsWith("bad-"));
    }

    @Test
    void a_batch_kafka_refuses_in_part_is_aborted_whole() throws Exception {
      Map<String, Double> huge = new HashMap<>();
      for (int i = 0; huge.size() < 120_000; i++) {
        huge.put("m" + i, (double) i);
      }
      List<LedgerInput> batch =
          List.of(
              new Heartbeat(tenant, Instant.now(), "tx-0", null, Map.of("cpu", 0.1)),
              new Heartbeat(tenant, Instant.now(), "tx-1", null, huge));

      assertThatThrownBy(() -> server.bean(EventPublisher.class).publishAtomically(batch))
          .isInstanceOf(EventPublisher.PublishFailedException.class)
          .hasMessageContaining("nothing of it was published");

      server
          .bean(EventPublisher.class)
          .publishAtomically(
              List.of(new Heartbeat(tenant, Instant.now(), "marker-2", null, Map.of())));
      assertThat(telemetryHostsUntil("marker-2")).noneMatch(h -> h.startsWith("tx-"));
    }

    /** Hosts of this tenant on the telemetry topic (committed only), up to {@code marker}'s. */
    private List<String> telemetryHostsUntil(String marker) {
      List<String> hosts = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> consumer =
          TestKafka.readCommitted(new ByteArrayDeserializer())) {
        TestKafka.fromStart(consumer, Topics.TELEMETRY.name());
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.key().startsWith(tenant + "/")) {
                      hosts.add(r.key().substring(tenant.length() + 1));
                    }
                  }
                  return hosts.contains(marker);
                });
      }
      return hosts;
    }
  }

  @Nested
  class HostList {
    @Test
    void a_bad_host_refuses_the_whole_list_with_400_naming_it_and_publishes_none()
        throws Exception {
      String list =
          "[{\"host\": \"atomic-0\", \"labels\": {\"env\": \"dev\"}},"
              + " {\"host\": \"atomic-1\", \"labels\": {\"env\": \"a\\u0000b\"}}]";

      JsonNode refused = problem(server.post(operator, api("/hosts"), list), 400);
      assertThat(refused.get("field").asText()).isEqualTo("[1].labels[env]");
      assertThat(refused.get("detail").asText()).contains("control character U+0000");

      assertThat(
              server.post(operator, api("/hosts"), "[{\"host\": \"atomic-marker\"}]").statusCode())
          .isEqualTo(202);
      assertThat(hostsUntil("atomic-marker"))
          .noneMatch(h -> h.startsWith("atomic-") && !h.equals("atomic-marker"));
    }

    @Test
    void more_than_64_labels_or_an_id_outside_the_alphabet_is_a_400_naming_it() throws Exception {
      StringBuilder labels = new StringBuilder();
      for (int i = 0; i < 65; i++) {
        labels.append(i == 0 ? "" : ", ").append("\"k").append(i).append("\": \"v\"");
      }
      JsonNode many =
          problem(
              server.post(
                  operator, api("/hosts"), "[{\"host\": \"h1\", \"labels\": {" + labels + "}}]"),
              400);
      assertThat(many.get("field").asText()).isEqualTo("[0].labels");

      JsonNode unicode =
          problem(server.post(operator, api("/hosts"), "[{\"host\": \"h\u00e9\"}]"), 400);
      assertThat(unicode.get("field").asText()).isEqualTo("[0].host");
    }

    /** Hosts of this tenant on the hosts topic (committed only), up to {@code marker}'s. */
    private List<String> hostsUntil(String marker) {
      List<String> hosts = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> consumer =
          TestKafka.readCommitted(new ByteArrayDeserializer())) {
        TestKafka.fromStart(consumer, Topics.HOSTS.name());
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.key().startsWith(tenant + "/")) {
                      hosts.add(r.key().substring(tenant.length() + 1));
                    }
                  }
                  return hosts.contains(marker);
                });
      }
      return hosts;
    }
  }

  @Nested
  class KafkaStrings {
    @Test
    void a_200_character_host_or_a_1025_character_reason_on_kafka_is_dead_lettered_naming_it()
        throws Exception {
      SchemaRegistry registry = server.bean(SchemaRegistry.class);
      String longHost = "h".repeat(200);
      dev.rolloutledger.avro.HostRegistered host =
          dev.rolloutledger.avro.HostRegistered.newBuilder()
              .setTenant(tenant)
              .setAt(Instant.now())
              .setHost(longHost)
              .setLabels(Map.of())
              .build();
      dev.rolloutledger.avro.ManualHalt halt =
          dev.rolloutledger.avro.ManualHalt.newBuilder()
              .setTenant(tenant)
              .setAt(Instant.now())
              .setRollout("r-long-reason")
              .setBy("alice")
              .setReason("x".repeat(1025))
              .build();
      try (KafkaProducer<String, byte[]> producer = FiniteMetrics.producer()) {
        producer
            .send(
                new ProducerRecord<>(
                    Topics.HOSTS.name(),
                    Keys.of(tenant, longHost),
                    Topics.HOSTS
                        .valueSerde(registry)
                        .serializer()
                        .serialize(Topics.HOSTS.name(), host)))
            .get();
        producer
            .send(
                new ProducerRecord<>(
                    Topics.ROLLOUT_CONTROL.name(),
                    Keys.of(tenant, "r-long-reason"),
                    Topics.ROLLOUT_CONTROL
                        .valueSerde(registry)
                        .serializer()
                        .serialize(Topics.ROLLOUT_CONTROL.name(), halt)))
            .get();
      }

      Map<String, String> reasons = new HashMap<>();
      try (KafkaConsumer<String, DeadLetter> letters =
          TestKafka.readCommitted(Topics.DEAD_LETTERS.valueSerde(registry).deserializer())) {
        TestKafka.fromStart(letters, Topics.DEAD_LETTERS.name());
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  for (ConsumerRecord<String, DeadLetter> r :
                      letters.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.key().startsWith(tenant + "/")) {
                      reasons.put(r.key().substring(tenant.length() + 1), r.value().getReason());
                    }
                  }
                  assertThat(reasons).containsKeys(longHost, "r-long-reason");
                });
      }
      assertThat(reasons.get(longHost))
          .contains("invalid field host: must be at most 128 characters, was 200");
      assertThat(reasons.get("r-long-reason"))
          .contains("invalid field reason: must be at most 1024 characters, was 1025");
    }
  }

  @Nested
  class FiniteMetrics {
    @Test
    void an_infinite_heartbeat_metric_gets_400_naming_it() throws Exception {
      for (String number : List.of("1e999", "-1e999")) {
        String batch =
            "[{\"type\": \"heartbeat\", \"host\": \"h1\"},"
                + " {\"type\": \"heartbeat\", \"host\": \"h1\", \"metrics\": {\"cpu\": "
                + number
                + "}}]";
        JsonNode refused = problem(server.post(operator, api("/telemetry"), batch), 400);
        assertThat(refused.get("field").asText()).isEqualTo("[1].metrics[cpu]");
        assertThat(refused.get("detail").asText()).contains("finite");
      }
    }

    @Test
    void a_nan_or_infinite_metric_sent_straight_to_kafka_is_dead_lettered_with_the_reason()
        throws Exception {
      var values = Topics.TELEMETRY.valueSerde(server.bean(SchemaRegistry.class)).serializer();
      Map<String, Double> expected = Map.of("nan-1", Double.NaN, "inf-1", Double.POSITIVE_INFINITY);
      try (KafkaProducer<String, byte[]> producer = producer()) {
        for (Map.Entry<String, Double> e : expected.entrySet()) {
          dev.rolloutledger.avro.Heartbeat hb =
              dev.rolloutledger.avro.Heartbeat.newBuilder()
                  .setTenant(tenant)
                  .setAt(Instant.now())
                  .setHost(e.getKey())
                  .setRelease(null)
                  .setMetrics(Map.of("cpu", e.getValue()))
                  .build();
          producer
              .send(
                  new ProducerRecord<>(
                      Topics.TELEMETRY.name(),
                      Keys.of(tenant, e.getKey()),
                      values.serialize(Topics.TELEMETRY.name(), hb)))
              .get();
        }
      }

      Map<String, String> reasons = new HashMap<>();
      try (KafkaConsumer<String, DeadLetter> letters =
          TestKafka.readCommitted(
              Topics.DEAD_LETTERS.valueSerde(server.bean(SchemaRegistry.class)).deserializer())) {
        TestKafka.fromStart(letters, Topics.DEAD_LETTERS.name());
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  for (ConsumerRecord<String, DeadLetter> r :
                      letters.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.key().startsWith(tenant + "/")) {
                      reasons.put(r.key().substring(tenant.length() + 1), r.value().getReason());
                    }
                  }
                  assertThat(reasons).containsOnlyKeys(expected.keySet());
                });
      }
      assertThat(reasons.values())
          .allSatisfy(
              reason -> assertThat(reason).contains("metrics[cpu]").contains("finite number"));
    }

    static KafkaProducer<String, byte[]> producer() {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
      return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
  }
}
