package dev.rolloutledger.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The Grafana board and the alert rules are well-formed, and the PromQL reading that finds their
 * metric names finds exactly those (MetricsIT then checks each name against a live /metrics).
 */
class ObservabilityFilesTest {
  @Nested
  class MetricNames {
    @Test
    void leave_out_functions_labels_groupings_ranges_strings_and_variables() {
      assertThat(
              PromQl.metricNames(
                  "histogram_quantile(0.95, sum by (le) (rate(ledger_decision_latency_seconds_bucket"
                      + "{tenant=~\"$tenant\"}[$__rate_interval]))) > 5"))
          .containsExactly("ledger_decision_latency_seconds_bucket");
      assertThat(
              PromQl.metricNames(
                  "sum(rate(a_sum[5m])) / on (instance) group_left (x) sum without (y) (b_count)"
                      + " offset 1h and c unless absent(d{e=\"f\"})"))
          .containsExactly("a_sum", "b_count", "c", "d");
    }

    @Test
    void read_the_names_of_a_text_exposition() {
      String text =
          """
          # HELP ledger_rollouts Rollouts
          # TYPE ledger_rollouts gauge
          ledger_rollouts{status="ACTIVE",tenant="t"} 1.0
          ledger_command_polls_total 3.0
          """;
      assertThat(PromQl.exportedNames(text))
          .containsExactly("ledger_command_polls_total", "ledger_rollouts");
    }
  }

  @Nested
  class CrossCheck {
    @Test
    void names_a_metric_the_board_or_the_rules_read_that_the_server_does_not_export() {
      java.util.Set<String> exported =
          new java.util.TreeSet<>(ObservabilityFiles.referencedMetrics());
      assertThat(ObservabilityFiles.unexported(exported)).isEmpty();

      exported.remove("ledger_halts_total");
      exported.remove("kafka_stream_alive_stream_threads");
      assertThat(ObservabilityFiles.unexported(exported))
          .containsExactly("kafka_stream_alive_stream_threads", "ledger_halts_total");
    }

    @Test
    void leaves_out_the_series_prometheus_makes_itself() {
      assertThat(ObservabilityFiles.referencedMetrics()).doesNotContain("up");
      assertThat(ObservabilityFiles.alertRules())
          .anySatisfy(r -> assertThat(String.valueOf(r.get("expr"))).startsWith("up{"));
    }

    @Test
    void halts_and_dead_letters_are_alerted_by_a_plain_increase() {
      assertThat(ObservabilityFiles.alertRules())
          .filteredOn(
              r ->
                  List.of("LedgerRolloutHalted", "LedgerDeadLettersRising")
                      .contains(r.get("alert")))
          .hasSize(2)
          .allSatisfy(
              r ->
                  assertThat(String.valueOf(r.get("expr")))
                      .startsWith("sum by (")
                      .contains("(increase(ledger_")
                      .doesNotContain("offset")
                      .endsWith("> 0"));
    }
  }

  @Nested
  class Dashboard {
    private final JsonNode board = ObservabilityFiles.dashboard();

    @Test
    void has_a_uid_a_title_and_a_datasource_variable_every_panel_uses() {
      assertThat(board.path("uid").asText()).isEqualTo("rollout-ledger");
      assertThat(board.path("title").asText()).isEqualTo("Rollout Ledger");
      assertThat(board.path("templating").path("list"))
          .anyMatch(v -> v.path("type").asText().equals("datasource"));
      assertThat(ObservabilityFiles.panels(board))
          .filteredOn(p -> !p.path("type").asText().equals("row"))
          .isNotEmpty()
          .allSatisfy(
              p -> {
                assertThat(p.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
                assertThat(p.path("targets")).isNotEmpty();
              });
    }

    @Test
    void reads_every_ledger_metric_and_its_panel_ids_are_unique() {
      assertThat(ObservabilityFiles.referencedMetrics())
          .contains(
              "ledger_rollouts",
              "ledger_decisions_total",
              "ledger_halts_total",
              "ledger_telemetry_items_total",
              "ledger_dead_letters_total",
              "ledger_decision_latency_seconds_bucket",
              "ledger_command_polls_total",
              "ledger_topology_running");
      List<Integer> ids =
          ObservabilityFiles.panels(board).stream().map(p -> p.path("id").asInt()).toList();
      assertThat(ids).doesNotHaveDuplicates();
    }
  }

  @Nested
  class AlertRules {
    @Test
    void each_rule_has_an_expression_a_severity_and_a_summary() {
      List<Map<String, Object>> rules = ObservabilityFiles.alertRules();
      assertThat(rules)
          .extracting(r -> r.get("alert"))
          .containsExactlyInAnyOrder(
              "LedgerRolloutHalted",
              "LedgerTopologyNotRunning",
              "LedgerMetricsAbsent",
              "LedgerDeadLettersRising",
              "LedgerDecisionsLagging",
              "LedgerInputsLagging",
              "LedgerInstanceDown",
              "LedgerNotifierStopped",
              "LedgerNotificationsGivenUp");
      assertThat(rules)
          .allSatisfy(
              r -> {
                assertThat(String.valueOf(r.get("expr"))).isNotBlank();
                assertThat(((Map<?, ?>) r.get("labels")).containsKey("severity")).isTrue();
                assertThat(((Map<?, ?>) r.get("annotations")).containsKey("summary")).isTrue();
              });
    }
  }
}
