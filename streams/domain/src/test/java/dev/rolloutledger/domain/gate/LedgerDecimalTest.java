package dev.rolloutledger.domain.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.InvalidFieldException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LedgerDecimalTest {

  @Nested
  class Writes {

    @Test
    void six_significant_digits_without_trailing_zeros() {
      assertThat(LedgerDecimal.of(1.0 / 3)).isEqualTo("0.333333");
      assertThat(LedgerDecimal.of(2.0)).isEqualTo("2");
      assertThat(LedgerDecimal.of(0.25)).isEqualTo("0.25");
      assertThat(LedgerDecimal.of(-1.5)).isEqualTo("-1.5");
    }

    @Test
    void rounds_half_to_even() {
      assertThat(LedgerDecimal.of(1234565)).isEqualTo("1234560");
      assertThat(LedgerDecimal.of(1234575)).isEqualTo("1234580");
    }

    @Test
    void never_in_exponent_notation() {
      assertThat(LedgerDecimal.of(1e-7)).isEqualTo("0.0000001");
      assertThat(LedgerDecimal.of(1e21)).isEqualTo("1000000000000000000000");
    }

    @Test
    void zero_infinity_as_words_and_signs() {
      assertThat(LedgerDecimal.of(0.0)).isEqualTo("0");
      assertThat(LedgerDecimal.of(-0.0)).isEqualTo("0");
      assertThat(LedgerDecimal.of(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
      assertThat(LedgerDecimal.of(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    }
  }

  @Test
  void rejects_nan() {
    assertThatThrownBy(() -> LedgerDecimal.of(Double.NaN))
        .isInstanceOf(InvalidFieldException.class);
  }
}
