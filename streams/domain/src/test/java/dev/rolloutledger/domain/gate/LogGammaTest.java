package dev.rolloutledger.domain.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LogGammaTest {

  @Test
  void matches_log_factorials_from_small_to_large_arguments() {
    double logFactorial = 0;
    for (int n = 1; n <= 3_000; n++) {
      logFactorial += Math.log(n);
      // Gamma(n + 1) = n!
      assertThat(LogGamma.of(n + 1.0))
          .as("ln Gamma(%d)", n + 1)
          .isCloseTo(logFactorial, within(1e-10 * (1 + logFactorial)));
    }
  }

  @Test
  void matches_gamma_at_half_integers() {
    // Gamma(1/2) = sqrt(pi), Gamma(7/2) = 15/8 sqrt(pi)
    assertThat(LogGamma.of(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-12));
    assertThat(LogGamma.of(3.5)).isCloseTo(Math.log(15.0 / 8 * Math.sqrt(Math.PI)), within(1e-12));
  }

  @Test
  void gives_log_binomial_coefficients() {
    assertThat(LogGamma.choose(10, 3)).isCloseTo(Math.log(120), within(1e-12));
    assertThat(LogGamma.choose(20, 0)).isCloseTo(0, within(1e-12));
  }

  @Test
  void rejects_arguments_that_are_not_positive() {
    assertThatThrownBy(() -> LogGamma.of(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
