package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.avro.WaveStarted;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.auth.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Atomic or not at all on the real broker (docs/failures.md): a decision whose ledger entry cannot
 * be written (here larger than the producer takes) leaves no rollout behind for the API to show,
 * while the ledger holds nothing of it; the input is dead-lettered with the reason, and the same
 * rollout id then plans normally.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AtomicOutputsIT {
  private static final String SHA = "d".repeat(64);
  private static final int HOSTS = 2_400;
  private static final int SMALL = 3;
  // 2,400 hosts of 100-character ids: a WaveStarted of all of them is about 240 KB. (A limit
  // below the producer's batch.size, 16 KB, makes the transactional producer fail on its own.)
  private static final int MAX_RECORD = 200_000;

  private TestServer server;
  private String tenant;
  private String admin;

  @BeforeAll
  void startServer() throws Exception {
    Path stateDir = Files.createTempDirectory("ledger-it-atomic");
    server =
        new TestServer(
            "it-atomic-" + UUID.randomUUID(),
            stateDir,
            // as one map: application.yml's "kafka.streams.default: {}" hides a flat
            // kafka.streams.default.producer.max.request.size from KafkaBeans
            Map.of("kafka.streams.default", Map.of("producer.max.request.size", MAX_RECORD)));
    tenant = "t" + UUID.randomUUID().toString().substring(0, 8);
    admin = server.token(tenant, Role.ADMIN);
  }

  @AfterAll
  void stopServer() {
    server.close();
  }

  private static String host(int i) {
    return "h%04d-".formatted(i) + "x".repeat(94);
  }

  private String api(String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  private void plan(String selector) {
    assertThat(
            server
                .post(
                    admin,
                    api("/rollouts"),
                    """
                    {"rollout": "r1", "release": "rel-1",
                     "plan": {"waves": [{"name": "all", "selector": %s, "bake": "P30D"}]}}"""
                        .formatted(selector))
                .statusCode())
        .isEqualTo(202);
  }

  @Test
  void a_decision_the_ledger_cannot_take_leaves_no_rollout_and_is_dead_lettered() {
    // Given 2,400 hosts with long ids, 3 of them in the small group, and a release
    StringBuilder body = new StringBuilder("[");
    for (int i = 0; i < HOSTS; i++) {
      body.append(i == 0 ? "" : ",")
          .append("{\"host\": \"")
          .append(host(i))
          .append("\", \"labels\": {\"group\": \"")
          .append(i < SMALL ? "small" : "large")
          .append("\"}}");
    }
    assertThat(server.post(admin, api("/hosts"), body.append("]").toString()).statusCode())
        .isEqualTo(202);
    assertThat(
            server
                .post(
                    admin,
                    api("/releases"),
                    """
                    {"release": "rel-1", "artifact": "agent", "version": "1", "sha256": "%s",
                     "publisher": "ci"}"""
                        .formatted(SHA))
                .statusCode())
        .isEqualTo(202);
    await().atMost(Duration.ofSeconds(60)).until(() -> server.hostsKnown(tenant) == HOSTS);
    String[] small = new String[SMALL];
    for (int i = 0; i < SMALL; i++) {
      small[i] = host(i);
    }
    server.reachable(admin, tenant, small); // the small group's agents beat

    try (KafkaConsumer<String, SpecificRecord> ledger =
            TestKafka.readCommitted(Topics.LEDGER.valueSerde(registry()).deserializer());
        KafkaConsumer<String, DeadLetter> deadLetters =
            TestKafka.readCommitted(Topics.DEAD_LETTERS.valueSerde(registry()).deserializer())) {
      TestKafka.fromStart(ledger, Topics.LEDGER.name());
      TestKafka.fromStart(deadLetters, Topics.DEAD_LETTERS.name());

      // When a plan binds all of them: its WaveStarted would be larger than the producer takes
      plan("{}");

      // Then the plan is dead-lettered with the reason, and the ledger holds nothing of it
      AtomicReference<DeadLetter> dead = new AtomicReference<>();
      List<SpecificRecord> decided = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> {
                for (ConsumerRecord<String, DeadLetter> r :
                    deadLetters.poll(Duration.ofMillis(100))) {
                  if (tenant.equals(r.value().getTenant())) {
                    dead.set(r.value());
                  }
                }
                for (ConsumerRecord<String, SpecificRecord> r :
                    ledger.poll(Duration.ofMillis(100))) {
                  if (r.key().startsWith(tenant + "/")) {
                    decided.add(r.value());
                  }
                }
                return dead.get() != null || !decided.isEmpty();
              });
      assertThat(decided).as("ledger entries of the tenant").isEmpty();
      assertThat(dead.get()).as("the plan's dead letter").isNotNull();
      assertThat(dead.get().getReason())
          .startsWith("not decided, nothing changed")
          .contains("WaveStarted", Topics.LEDGER.name(), "over the " + MAX_RECORD + " bytes");
      assertThat(dead.get().getSourceTopic()).isEqualTo(Topics.ROLLOUT_CONTROL.name());
      // and the API shows no rollout the ledger does not hold
      assertThat(server.get(admin, api("/rollouts/r1")).statusCode()).isEqualTo(404);
      assertThat(server.get(admin, api("/rollouts")).body()).isEqualTo("[]");

      // When the same rollout id plans a wave that fits
      plan("{\"group\": \"small\"}");

      // Then its WaveStarted is the first entry of r1 in the ledger, over the 3 small hosts
      List<WaveStarted> entries = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                for (ConsumerRecord<String, SpecificRecord> r :
                    ledger.poll(Duration.ofMillis(200))) {
                  if (r.value() instanceof WaveStarted w && w.getTenant().equals(tenant)) {
                    entries.add(w);
                  }
                }
                assertThat(entries).isNotEmpty();
              });
      assertThat(entries.get(0).getSeq()).isEqualTo(1);
      assertThat(entries.get(0).getHosts()).containsExactly(host(0), host(1), host(2));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertThat(server.get(admin, api("/rollouts/r1")).body()).contains("ACTIVE"));
    }
  }

  private SchemaRegistry registry() {
    return server.bean(SchemaRegistry.class);
  }
}
