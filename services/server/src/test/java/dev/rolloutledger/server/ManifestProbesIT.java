package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.cli.LedgerCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The probes of the StatefulSet {@code ledger manifests} writes ask paths a real server serves:
 * each answers 200 once the server is UP, and the readiness probe's answer includes the topology's
 * health (so a pod whose topology has stopped is taken out of the Service).
 */
class ManifestProbesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void every_probe_path_of_the_stateful_set_is_served_and_readiness_follows_the_topology()
      throws Exception {
    Map<String, String> probes = probes();
    assertThat(probes).containsKeys("startupProbe", "livenessProbe", "readinessProbe");

    try (TestServer server =
        new TestServer(
            "it-probes-" + UUID.randomUUID().toString().substring(0, 8),
            Files.createTempDirectory("ledger-it-probes"))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> status(server.get("/health")).equals("UP"));

      for (Map.Entry<String, String> probe : probes.entrySet()) {
        HttpResponse<String> answer = server.get(probe.getValue());
        assertThat(answer.statusCode()).as(probe + ": " + answer.body()).isEqualTo(200);
        assertThat(status(answer)).as(probe.toString()).isEqualTo("UP");
      }
      HttpResponse<String> readiness = server.get(probes.get("readinessProbe"));
      assertThat(JSON.readTree(readiness.body()).at("/details/kafkaStreams/status").asText())
          .isEqualTo("UP");
    }
  }

  /** Probe kind -> path, from the StatefulSet of {@code ledger manifests --out -}. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> probes() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        LedgerCli.execute(
            new String[] {"manifests", "--out", "-"}, new PrintWriter(out), new PrintWriter(err));
    assertThat(code).as(err.toString()).isZero();
    Map<String, String> probes = new LinkedHashMap<>();
    for (Object doc : new Yaml().loadAll(out.toString())) {
      Map<String, Object> o = (Map<String, Object>) doc;
      if (!"StatefulSet".equals(o.get("kind"))) {
        continue;
      }
      Map<String, Object> spec = (Map<String, Object>) o.get("spec");
      Map<String, Object> pod =
          (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
      Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
      for (String kind : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
        Map<String, Object> get =
            (Map<String, Object>) ((Map<String, Object>) container.get(kind)).get("httpGet");
        probes.put(kind, (String) get.get("path"));
      }
    }
    return probes;
  }

  private static String status(HttpResponse<String> health) throws Exception {
    JsonNode body = JSON.readTree(health.body());
    return body.path("status").asText();
  }
}
