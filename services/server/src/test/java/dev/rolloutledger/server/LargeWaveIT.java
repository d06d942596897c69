package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rolloutledger.avro.Hold;
import dev.rolloutledger.avro.WaveStarted;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.auth.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A wave whose {@code WaveStarted} entry is larger than Kafka's 1 MB default message size passes
 * through the real broker (the ledger topic, the ledger store's changelog, the producer), and a
 * halt of it reaches every host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeWaveIT {
  private static final String SHA = "c".repeat(64);
  // 120-character ids: 12,000 hosts make a WaveStarted of about 1.45 MB
  private static final int HOSTS = 12_000;
  private static final int BATCH = 3_000; // one POST stays under the server's 1 MB request limit

  private TestServer server;
  private String tenant;
  private String admin;

  @BeforeAll
  void startServer() throws Exception {
    Path stateDir = Files.createTempDirectory("ledger-it-large");
    server = new TestServer("it-large-" + UUID.randomUUID(), stateDir);
    tenant = "t" + UUID.randomUUID().toString().substring(0, 8);
    admin = server.token(tenant, Role.ADMIN);
  }

  @AfterAll
  void stopServer() {
    server.close();
  }

  private static String host(int i) {
    return "h%07d-".formatted(i) + "x".repeat(111);
  }

  private String api(String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  @Test
  void a_wave_over_the_default_message_size_starts_and_its_halt_holds_every_host() {
    // Given 12,000 registered hosts with long ids and a release
    for (int from = 0; from < HOSTS; from += BATCH) {
      StringBuilder body = new StringBuilder("[");
      for (int i = from; i < from + BATCH; i++) {
        body.append(i == from ? "" : ",")
            .append("{\"host\": \"")
            .append(host(i))
            .append("\", \"labels\": {\"env\": \"prod\"}}");
      }
      assertThat(server.post(admin, api("/hosts"), body.append("]").toString()).statusCode())
          .isEqualTo(202);
    }
    assertThat(
            server
                .post(
                    admin,
                    api("/releases"),
                    """
                    {"release": "big-1", "artifact": "agent", "version": "1", "sha256": "%s",
                     "publisher": "ci"}"""
                        .formatted(SHA))
                .statusCode())
        .isEqualTo(202);

    try (KafkaConsumer<String, SpecificRecord> ledger =
            readCommitted(Topics.LEDGER.valueSerde(registry()).deserializer());
        KafkaConsumer<String, SpecificRecord> commands =
            readCommitted(Topics.COMMANDS.valueSerde(registry()).deserializer())) {
      TestKafka.fromStart(ledger, Topics.LEDGER.name());
      TestKafka.fromStart(commands, Topics.COMMANDS.name());

      // When a rollout plans one wave of all of them (registration has been consumed first: the
      // hosts and the plan come through different topics)
      await().atMost(Duration.ofSeconds(120)).until(() -> hostsKnown() == HOSTS);
      assertThat(
              server
                  .post(
                      admin,
                      api("/rollouts"),
                      """
                      {"rollout": "r1", "release": "big-1",
                       "plan": {"waves": [{"name": "all", "selector": {"env": "prod"},
                                           "bake": "P30D"}]}}""")
                  .statusCode())
          .isEqualTo(202);

      // Then its WaveStarted, over 1 MB, is committed to the ledger topic
      AtomicReference<WaveStarted> started = new AtomicReference<>();
      await()
          .atMost(Duration.ofSeconds(120))
          .untilAsserted(
              () -> {
                for (ConsumerRecord<String, SpecificRecord> r :
                    ledger.poll(Duration.ofMillis(200))) {
                  if (r.value() instanceof WaveStarted w && w.getTenant().equals(tenant)) {
                    assertThat(r.serializedValueSize()).isGreaterThan(1 << 20);
                    started.set(w);
                  }
                }
                assertThat(started.get()).isNotNull();
              });
      assertThat(started.get().getHosts()).hasSize(HOSTS).startsWith(host(0));

      // and a halt sends a Hold to each of the 12,000 hosts
      assertThat(
              server.post(admin, api("/rollouts/r1/halt"), "{\"reason\": \"test\"}").statusCode())
          .isEqualTo(202);
      Set<String> held = new HashSet<>();
      await()
          .atMost(Duration.ofSeconds(120))
          .untilAsserted(
              () -> {
                for (ConsumerRecord<String, SpecificRecord> r :
                    commands.poll(Duration.ofMillis(200))) {
                  if (r.value() instanceof Hold h && h.getTenant().equals(tenant)) {
                    held.add(h.getHost());
                  }
                }
                assertThat(held).hasSize(HOSTS);
              });
    }
  }

  private int hostsKnown() {
    return server.hostsKnown(tenant);
  }

  private SchemaRegistry registry() {
    return server.bean(SchemaRegistry.class);
  }

  private static <V> KafkaConsumer<String, V> readCommitted(Deserializer<V> values) {
    return TestKafka.readCommitted(values);
  }
}
