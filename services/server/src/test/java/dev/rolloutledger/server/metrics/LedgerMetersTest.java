package dev.rolloutledger.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class LedgerMetersTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final LedgerMeters meters = new LedgerMeters(registry);

  private Counter counter(String name, String... tags) {
    return registry.find(name).tags(tags).counter();
  }

  @Test
  void every_dead_letter_source_and_reason_is_at_0_from_the_start() {
    for (String source : MetricLabels.DEAD_LETTER_SOURCES) {
      for (String reason : MetricLabels.DEAD_LETTER_REASONS) {
        Counter c = counter(LedgerMeters.DEAD_LETTERS, "source", source, "reason", reason);
        assertThat(c).as(source + " " + reason).isNotNull();
        assertThat(c.count()).isZero();
      }
    }
    assertThat(MetricLabels.DEAD_LETTER_SOURCES).contains("ledger.telemetry", "other");
  }

  @Test
  void a_tenant_first_seen_has_every_halt_reason_and_entry_type_at_0() {
    assertThat(counter(LedgerMeters.HALTS, "tenant", "t1")).isNull();
    meters.tenant("t1");
    for (String reason : MetricLabels.HALT_REASONS_ALL) {
      assertThat(counter(LedgerMeters.HALTS, "tenant", "t1", "reason", reason).count())
          .as(reason)
          .isZero();
    }
    for (String type : MetricLabels.ENTRY_TYPES) {
      assertThat(counter(LedgerMeters.DECISIONS, "tenant", "t1", "type", type).count())
          .as(type)
          .isZero();
    }
    assertThat(MetricLabels.ENTRY_TYPES).contains("WaveStarted", "RolloutHalted", "HaltLifted");
    assertThat(MetricLabels.HALT_REASONS_ALL)
        .contains("regression_crash", "regression", "cap", "manual", "policy", "other");
  }

  @Test
  void the_first_halt_of_a_new_tenant_goes_from_0_to_1_and_its_other_reasons_stay_at_0() {
    meters.decision("t2", "RolloutHalted");
    meters.halt("t2", "cap");
    assertThat(counter(LedgerMeters.HALTS, "tenant", "t2", "reason", "cap").count()).isEqualTo(1);
    assertThat(counter(LedgerMeters.HALTS, "tenant", "t2", "reason", "manual").count()).isZero();
    assertThat(counter(LedgerMeters.DECISIONS, "tenant", "t2", "type", "RolloutHalted").count())
        .isEqualTo(1);
    assertThat(counter(LedgerMeters.DECISIONS, "tenant", "t2", "type", "WaveStarted").count())
        .isZero();
  }

  @Test
  void every_label_value_a_mapping_answers_is_in_its_registered_set() {
    assertThat(MetricLabels.DEAD_LETTER_REASONS)
        .contains(
            MetricLabels.deadLetterReason("invalid field x: y"),
            MetricLabels.deadLetterReason("value is null"),
            MetricLabels.deadLetterReason("whatever"));
    assertThat(MetricLabels.HALT_REASONS_ALL)
        .contains(
            MetricLabels.haltReason("anything", java.util.Map.of()),
            MetricLabels.haltReason(
                dev.rolloutledger.domain.RolloutEngine.REGRESSION,
                java.util.Map.of("signal", "SILENCE")));
  }
}
