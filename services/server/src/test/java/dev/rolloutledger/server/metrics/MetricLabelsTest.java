package dev.rolloutledger.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.RolloutEngine;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MetricLabelsTest {
  @Nested
  class HaltReason {
    @Test
    void a_regression_is_named_by_the_signal_whose_evidence_crossed() {
      assertThat(MetricLabels.haltReason(RolloutEngine.REGRESSION, Map.of("signal", "CRASH")))
          .isEqualTo("regression_crash");
      assertThat(MetricLabels.haltReason(RolloutEngine.REGRESSION, Map.of("signal", "SILENCE")))
          .isEqualTo("regression_silence");
      assertThat(MetricLabels.haltReason(RolloutEngine.REGRESSION, Map.of("signal", "METRICS")))
          .isEqualTo("regression_metrics");
      assertThat(MetricLabels.haltReason(RolloutEngine.REGRESSION, Map.of("signal", "x y")))
          .isEqualTo("regression");
    }

    @Test
    void caps_operators_and_the_policy_have_their_names_and_anything_else_is_other() {
      assertThat(MetricLabels.haltReason(RolloutEngine.FAILURE_FRACTION_CAP, Map.of()))
          .isEqualTo("cap");
      assertThat(MetricLabels.haltReason(RolloutEngine.SILENCE, Map.of())).isEqualTo("cap_silence");
      assertThat(MetricLabels.haltReason(RolloutEngine.METRICS, Map.of())).isEqualTo("cap_metrics");
      assertThat(MetricLabels.haltReason(RolloutEngine.MANUAL_HALT, Map.of())).isEqualTo("manual");
      assertThat(MetricLabels.haltReason(RolloutEngine.ROLLBACK, Map.of())).isEqualTo("rollback");
      assertThat(MetricLabels.haltReason(RolloutEngine.REFUSED, Map.of())).isEqualTo("policy");
      assertThat(MetricLabels.haltReason("the operator's own words", Map.of())).isEqualTo("other");
    }
  }

  @Nested
  class DeadLetter {
    @Test
    void the_reason_is_the_kind_of_refusal_never_its_text() {
      assertThat(
              MetricLabels.deadLetterReason("invalid field metrics[cpu]: must be a finite number"))
          .isEqualTo("invalid_field");
      assertThat(MetricLabels.deadLetterReason("does not deserialize: SerializationException"))
          .isEqualTo("not_deserializable");
      assertThat(MetricLabels.deadLetterReason("processing failed in engine: boom"))
          .isEqualTo("processing_failed");
      assertThat(MetricLabels.deadLetterReason("rejected rollout:r1: unknown rollout"))
          .isEqualTo("rejected");
      assertThat(MetricLabels.deadLetterReason("not decided, nothing changed: x"))
          .isEqualTo("not_decided");
      assertThat(MetricLabels.deadLetterReason("invalid record: x")).isEqualTo("invalid_record");
      assertThat(MetricLabels.deadLetterReason("value is null (tombstones ...)"))
          .isEqualTo("null_value");
      assertThat(MetricLabels.deadLetterReason("anything a producer wrote")).isEqualTo("other");
      assertThat(MetricLabels.deadLetterReason(null)).isEqualTo("other");
    }

    @Test
    void the_source_is_a_ledger_topic_or_other() {
      assertThat(MetricLabels.deadLetterSource("ledger.telemetry")).isEqualTo("ledger.telemetry");
      assertThat(MetricLabels.deadLetterSource("unknown")).isEqualTo("other");
      assertThat(MetricLabels.deadLetterSource("app-KSTREAM-REPARTITION-0000000003-repartition"))
          .isEqualTo("other");
    }
  }
}
