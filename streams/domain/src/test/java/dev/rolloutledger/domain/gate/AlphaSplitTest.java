package dev.rolloutledger.domain.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rolloutledger.domain.InvalidFieldException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AlphaSplitTest {

  @Nested
  class The_equal_split {

    @Test
    void gives_each_signal_a_quarter_and_halts_it_at_four_over_alpha() {
      AlphaSplit split = AlphaSplit.equal(0.01);

      for (Signal signal : Signal.values()) {
        assertThat(split.alpha(signal)).isEqualTo(0.0025);
        assertThat(split.threshold(signal)).isEqualTo(400.0);
      }
    }

    @Test
    void spends_no_more_than_the_total_over_all_signals() {
      AlphaSplit split = AlphaSplit.equal(0.05);
      double sum = 0;
      for (Signal signal : Signal.values()) {
        sum += split.alpha(signal);
      }

      assertThat(sum).isLessThanOrEqualTo(0.05);
    }
  }

  @Nested
  class A_weighted_split {

    @Test
    void shares_alpha_in_proportion_to_the_weights() {
      Map<Signal, Double> weights = new HashMap<>();
      weights.put(Signal.APPLY, 1.0);
      weights.put(Signal.CRASH, 4.0);
      weights.put(Signal.SILENCE, 4.0);
      weights.put(Signal.METRICS, 1.0);

      AlphaSplit split = new AlphaSplit(0.01, weights);

      assertThat(split.alpha(Signal.CRASH)).isCloseTo(0.004, within(1e-15));
      assertThat(split.alpha(Signal.METRICS)).isCloseTo(0.001, within(1e-15));
      assertThat(split.weights().keySet()).containsExactly(Signal.values());
    }
  }

  @Nested
  class Rejects {

    @Test
    void a_total_outside_zero_to_one() {
      for (double bad : new double[] {0, 1, Double.NaN}) {
        assertThatThrownBy(() -> AlphaSplit.equal(bad))
            .isInstanceOfSatisfying(
                InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("total"));
      }
    }

    @Test
    void a_signal_without_a_positive_weight() {
      EnumMap<Signal, Double> missing = new EnumMap<>(AlphaSplit.equal(0.01).weights());
      missing.remove(Signal.SILENCE);
      EnumMap<Signal, Double> zero = new EnumMap<>(AlphaSplit.equal(0.01).weights());
      zero.put(Signal.APPLY, 0.0);

      assertThatThrownBy(() -> new AlphaSplit(0.01, missing))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> assertThat(e.field()).isEqualTo("weights[SILENCE]"));
      assertThatThrownBy(() -> new AlphaSplit(0.01, zero))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("weights[APPLY]"));
    }

    @Test
    void changes_to_its_weights() {
      AlphaSplit split = AlphaSplit.equal(0.01);

      assertThatThrownBy(() -> split.weights().put(Signal.CRASH, 9.0))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }
}
