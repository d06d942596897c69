package dev.rolloutledger.server.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/** infra/observability: the Grafana board and the alert rules, and the PromQL they hold. */
final class ObservabilityFiles {
  private ObservabilityFiles() {}

  /** The directory, from the server module (where Maven runs its tests). */
  static final Path DIR =
      Path.of("").toAbsolutePath().getParent().getParent().resolve("infra/observability");

  static final Path DASHBOARD = DIR.resolve("grafana-dashboard.json");
  static final Path ALERTS = DIR.resolve("alerts.yml");
  static final Path PROMETHEUS = DIR.resolve("prometheus.yml");

  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");

  static JsonNode dashboard() {
    try {
      return new ObjectMapper().readTree(Files.readString(DASHBOARD));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every panel of the board, those inside rows included. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      out.add(p);
      p.path("panels").forEach(out::add);
    }
    return out;
  }

  /** The PromQL of every panel target and every annotation. */
  static List<String> dashboardExpressions(JsonNode dashboard) {
    List<String> out = new ArrayList<>();
    for (JsonNode a : dashboard.path("annotations").path("list")) {
      if (a.has("expr")) {
        out.add(a.path("expr").asText());
      }
    }
    for (JsonNode p : panels(dashboard)) {
      for (JsonNode t : p.path("targets")) {
        out.add(t.path("expr").asText());
      }
    }
    return out;
  }

  /** Metric names the board's variables read ({@code label_values(metric, label)}). */
  static Set<String> variableMetrics(JsonNode dashboard) {
    Set<String> out = new TreeSet<>();
    for (JsonNode v : dashboard.path("templating").path("list")) {
      JsonNode q = v.path("query");
      String text = q.isObject() ? q.path("query").asText() : q.asText();
      Matcher m = LABEL_VALUES.matcher(text + " " + v.path("definition").asText());
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> alertRules() {
    try {
      Map<String, Object> doc = new Yaml().load(Files.readString(ALERTS));
      List<Map<String, Object>> rules = new ArrayList<>();
      for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
        rules.addAll((List<Map<String, Object>>) group.get("rules"));
      }
      return rules;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Series Prometheus makes itself for each target, not read from /metrics. */
  static final Set<String> PROMETHEUS_SERIES = Set.of("up");

  /** Every metric name the board and the rules read from /metrics. */
  static Set<String> referencedMetrics() {
    JsonNode dashboard = dashboard();
    Set<String> names = new TreeSet<>(variableMetrics(dashboard));
    dashboardExpressions(dashboard).forEach(e -> names.addAll(PromQl.metricNames(e)));
    for (Map<String, Object> rule : alertRules()) {
      names.addAll(PromQl.metricNames(String.valueOf(rule.get("expr"))));
    }
    names.removeAll(PROMETHEUS_SERIES);
    return names;
  }

  /** The names the board and the rules read that {@code exported} lacks. */
  static Set<String> unexported(Set<String> exported) {
    Set<String> missing = new TreeSet<>(referencedMetrics());
    missing.removeAll(exported);
    return missing;
  }
}
