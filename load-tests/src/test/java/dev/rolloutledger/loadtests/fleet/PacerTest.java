package dev.rolloutledger.loadtests.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PacerTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void releases_events_at_the_asked_rate() {
    Pacer pacer = new Pacer(1000, 0);

    assertThat(pacer.take(0, Integer.MAX_VALUE)).isZero();
    assertThat(pacer.take(SECOND / 10, Integer.MAX_VALUE)).isEqualTo(100);
    assertThat(pacer.take(SECOND / 10, Integer.MAX_VALUE)).isZero();
    assertThat(pacer.take(SECOND, Integer.MAX_VALUE)).isEqualTo(900);
  }

  @Test
  void a_late_sender_gets_the_backlog_in_batches_of_at_most_max() {
    Pacer pacer = new Pacer(10_000, 0);

    assertThat(pacer.take(2 * SECOND, 15_000)).isEqualTo(15_000);
    assertThat(pacer.take(2 * SECOND, 15_000)).isEqualTo(5_000);
    assertThat(pacer.sent()).isEqualTo(20_000);
  }

  @Test
  void fractional_rates_accumulate_instead_of_rounding_away() {
    Pacer pacer = new Pacer(0.5, 0);
    int total = 0;
    for (int s = 1; s <= 10; s++) {
      total += pacer.take(s * SECOND, 100);
    }
    assertThat(total).isEqualTo(5);
  }

  @Test
  void refuses_a_rate_that_is_not_positive() {
    assertThatThrownBy(() -> new Pacer(0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
