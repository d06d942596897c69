package dev.rolloutledger.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricsScopeTest {
  private static final String EXPOSITION =
      """
      # HELP ledger_halts_total Rollouts halted, by tenant and a bounded reason
      # TYPE ledger_halts_total counter
      ledger_halts_total{reason="cap",tenant="a"} 1.0
      ledger_halts_total{reason="cap",tenant="b"} 2.0
      ledger_halts_total{reason="cap",tenant="ab"} 3.0
      ledger_rollouts{status="ACTIVE",tenant="b\\"x"} 1.0
      ledger_rollouts{note="tenant=\\"a\\"",tenant="b"} 1.0
      ledger_topology_running 1.0
      ledger_dead_letters_total{reason="rejected",source="ledger.telemetry"} 4.0
      jvm_threads_live_threads 20.0
      """;

  @Test
  void a_tenant_keeps_its_own_series_and_those_of_no_tenant_and_the_comments() {
    assertThat(MetricsScope.tenant("a").filter(EXPOSITION))
        .isEqualTo(
            """
            # HELP ledger_halts_total Rollouts halted, by tenant and a bounded reason
            # TYPE ledger_halts_total counter
            ledger_halts_total{reason="cap",tenant="a"} 1.0
            ledger_topology_running 1.0
            ledger_dead_letters_total{reason="rejected",source="ledger.telemetry"} 4.0
            jvm_threads_live_threads 20.0
            """);
  }

  @Test
  void a_tenant_label_is_read_unescaped_and_never_from_another_labels_value() {
    assertThat(MetricsScope.tenantLabel("m{a=\"1\",tenant=\"b\\\"x\"} 1.0")).isEqualTo("b\"x");
    assertThat(MetricsScope.tenantLabel("m{note=\"tenant=\\\"a\\\"\",tenant=\"b\"} 1.0"))
        .isEqualTo("b");
    assertThat(MetricsScope.tenantLabel("m{note=\"tenant=\\\"a\\\"\"} 1.0")).isNull();
    assertThat(MetricsScope.tenantLabel("m 1.0")).isNull();
    assertThat(MetricsScope.tenantLabel("m{tenant=\"b\\\\\"} 1.0")).isEqualTo("b\\");
  }

  @Test
  void a_line_that_cannot_be_read_counts_as_another_tenants() {
    assertThat(MetricsScope.tenant("a").filter("m{tenant=\"a} 1.0\n")).isEmpty();
    assertThat(MetricsScope.tenant("a").filter("m{tenant=a} 1.0\n")).isEmpty();
  }

  @Test
  void an_open_to_scraper_reads_everything() {
    assertThat(MetricsScope.ALL.filter(EXPOSITION)).isEqualTo(EXPOSITION);
  }
}
