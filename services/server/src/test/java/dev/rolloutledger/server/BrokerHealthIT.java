package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.infra.BrokerOptions;
import dev.rolloutledger.infra.EmbeddedKafkaBroker;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code /health} follows the broker: DOWN with the reason while it is gone, UP once it is back. On
 * a broker of its own, since this test stops it.
 */
class BrokerHealthIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void health_is_down_with_the_reason_while_the_broker_cannot_be_reached() throws Exception {
    Path brokerDir = Files.createTempDirectory("ledger-it-health-kafka");
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.of(brokerDir));
    String bootstrap = broker.bootstrapServers();
    TestServer server = null;
    try {
      server =
          new TestServer(
              "it-health-" + UUID.randomUUID(),
              Files.createTempDirectory("ledger-it"),
              Map.of("ledger.kafka.bootstrap-servers", bootstrap));
      TestServer s = server;
      await().atMost(Duration.ofSeconds(60)).until(() -> status(s.get("/health")).equals("UP"));

      broker.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                HttpResponse<String> health = s.get("/health");
                assertThat(health.statusCode()).isEqualTo(503);
                JsonNode kafka = JSON.readTree(health.body()).at("/details/kafka");
                assertThat(kafka.get("status").asText()).isEqualTo("DOWN");
                assertThat(kafka.at("/details/reason").asText()).contains("cannot be reached");
              });

      broker = EmbeddedKafkaBroker.start(BrokerOptions.of(brokerDir));
      assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
      await().atMost(Duration.ofSeconds(60)).until(() -> status(s.get("/health")).equals("UP"));
    } finally {
      if (server != null) {
        server.close();
      }
      broker.close();
    }
  }

  private static String status(HttpResponse<String> health) throws Exception {
    return JSON.readTree(health.body()).path("status").asText();
  }
}
