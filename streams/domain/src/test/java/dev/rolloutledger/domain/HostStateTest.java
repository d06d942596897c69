package dev.rolloutledger.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.gate.Signal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The state values keyed by {@link Signal}: {@link Binding}, {@link HostRecord}, {@link
 * WaveCounts}.
 */
class HostStateTest {

  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

  private static HostRecord applied() {
    return HostRecord.registered("t", "h1", Map.of()).assignedTo("r1", "w1").appliedWith(false);
  }

  @Nested
  class Signals {

    @Test
    void the_signals_of_hosts_are_those_with_a_count_key_in_declaration_order() {
      assertThat(Signal.ofHosts()).containsExactly(Signal.CRASH, Signal.SILENCE, Signal.METRICS);
      assertThat(Signal.ofHosts())
          .extracting(Signal::countKey)
          .containsExactly("crashed", "silent", "hot");
      assertThat(Signal.APPLY.countKey()).isNull();
    }
  }

  @Nested
  class Bindings {

    @Test
    void a_binding_names_rollout_wave_and_liveness() {
      Binding b = new Binding("r1", "w1", Liveness.REPORTED);
      assertThat(b.livenessReported()).isTrue();
      assertThat(new Binding("r1", "w1", Liveness.HEARTBEATS).livenessReported()).isFalse();
    }

    @Test
    void a_binding_needs_all_three() {
      assertThatThrownBy(() -> new Binding(null, "w1", Liveness.HEARTBEATS))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("rollout"));
      assertThatThrownBy(() -> new Binding("r1", " ", Liveness.HEARTBEATS))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("wave"));
      assertThatThrownBy(() -> new Binding("r1", "w1", null))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("liveness"));
    }
  }

  @Nested
  class Hosts {

    @Test
    void an_unassigned_host_has_no_rollout_wave_or_reported_liveness() {
      HostRecord h = HostRecord.registered("t", "h1", Map.of());
      assertThat(h.binding()).isNull();
      assertThat(h.rollout()).isNull();
      assertThat(h.wave()).isNull();
      assertThat(h.livenessReported()).isFalse();
    }

    @Test
    void an_assignment_is_one_binding() {
      HostRecord h =
          HostRecord.registered("t", "h1", Map.of()).assignedTo("r1", "w1", Liveness.REPORTED);
      assertThat(h.binding()).isEqualTo(new Binding("r1", "w1", Liveness.REPORTED));
      assertThat(h.rollout()).isEqualTo("r1");
      assertThat(h.wave()).isEqualTo("w1");
      assertThat(h.livenessReported()).isTrue();
    }

    @Test
    void a_host_fails_by_one_signal_the_first_seen() {
      HostRecord silent = applied().failingFrom(Signal.SILENCE);
      assertThat(silent.failure()).isEqualTo(Signal.SILENCE);
      assertThat(silent.failing()).isTrue();
      assertThat(silent.silent()).isTrue();
      assertThat(silent.crashed()).isFalse();
      assertThat(silent.hot()).isFalse();
      // a crash after it is not a second failure
      assertThat(silent.appliedWith(true).failure()).isEqualTo(Signal.SILENCE);
      assertThat(applied().appliedWith(true).failure()).isEqualTo(Signal.CRASH);
      assertThat(applied().failingFrom(Signal.METRICS).hot()).isTrue();
      assertThat(applied().failing()).isFalse();
    }

    @Test
    void only_an_applied_host_fails_and_never_by_apply() {
      HostRecord assigned = HostRecord.registered("t", "h1", Map.of()).assignedTo("r1", "w1");
      assertThatThrownBy(() -> assigned.failingFrom(Signal.CRASH))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("applied"));
      assertThatThrownBy(() -> applied().failingFrom(Signal.APPLY))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("failure"));
    }

    @Test
    void a_silence_report_needs_reported_liveness() {
      HostRecord heartbeats = applied().seenAt(AT);
      assertThat(heartbeats.silenceReported(AT.plusSeconds(1))).isSameAs(heartbeats);
      HostRecord reported =
          HostRecord.registered("t", "h1", Map.of())
              .assignedTo("r1", "w1", Liveness.REPORTED)
              .silenceReported(AT);
      assertThat(reported.silenceReported()).isTrue();
      assertThat(reported.silenceClockRuns()).isTrue();
      assertThat(reported.seenAt(AT.plusSeconds(1)).silenceReported()).isFalse();
    }
  }

  @Nested
  class Counts {

    @Test
    void failures_are_counted_by_signal() {
      WaveCounts c =
          new WaveCounts("w", 5, 4, 0, 0, 0, 5)
              .plusFailed(Signal.CRASH, 1)
              .plusFailed(Signal.METRICS, 2);
      assertThat(c.failed(Signal.CRASH)).isEqualTo(1);
      assertThat(c.failed(Signal.SILENCE)).isZero();
      assertThat(c.failed(Signal.METRICS)).isEqualTo(2);
      assertThat(c.failed()).isEqualTo(3);
      assertThat(c.failures()).containsOnlyKeys(Signal.CRASH, Signal.METRICS);
      assertThat(new int[] {c.crashed(), c.silent(), c.hot()}).containsExactly(1, 0, 2);
    }

    @Test
    void the_positional_constructor_counts_the_host_signals_in_order() {
      assertThat(new WaveCounts("w", 6, 6, 1, 2, 3, 6))
          .isEqualTo(
              new WaveCounts(
                  "w",
                  6,
                  6,
                  Map.of(Signal.CRASH, 1, Signal.SILENCE, 2, Signal.METRICS, 3),
                  6,
                  null));
    }

    @Test
    void zero_counts_are_no_counts() {
      assertThat(new WaveCounts("w", 1, 1, Map.of(Signal.SILENCE, 0), 0, null))
          .isEqualTo(WaveCounts.empty("w").plus(1, 1));
      assertThat(WaveCounts.empty("w").plusFailed(Signal.CRASH, 0))
          .isEqualTo(WaveCounts.empty("w"));
    }

    @Test
    void failures_stay_within_applied_and_of_host_signals() {
      assertThatThrownBy(() -> new WaveCounts("w", 2, 1, 1, 1, 0, 0))
          .isInstanceOf(InvalidFieldException.class);
      assertThatThrownBy(() -> new WaveCounts("w", 2, 2, Map.of(Signal.CRASH, -1), 0, null))
          .isInstanceOf(InvalidFieldException.class);
      assertThatThrownBy(() -> new WaveCounts("w", 2, 2, Map.of(Signal.APPLY, 1), 0, null))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("failures.APPLY"));
    }

    @Test
    void the_counts_cannot_be_changed_from_outside() {
      WaveCounts c = WaveCounts.empty("w").plus(1, 1).plusFailed(Signal.CRASH, 1);
      assertThatThrownBy(() -> c.failures().put(Signal.SILENCE, 1))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }
}
