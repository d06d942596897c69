package dev.rolloutledger.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  @Test
  void doubles_the_wait_from_one_second_up_to_its_cap_then_stops() {
    RetryPolicy p = new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(8));
    assertThat(p.delayAfter(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.delayAfter(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.delayAfter(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(p.delayAfter(4)).isEqualTo(Duration.ofSeconds(8));
    assertThat(p.delayAfter(5)).isEqualTo(Duration.ofSeconds(8));
    assertThat(p.delayAfter(6)).as("the sixth attempt was the last").isNull();
  }

  @Test
  void the_default_tries_eight_times_over_about_two_minutes() {
    Duration total = Duration.ZERO;
    int attempts = 1;
    for (Duration d; (d = RetryPolicy.DEFAULT.delayAfter(attempts)) != null; attempts++) {
      total = total.plus(d);
    }
    assertThat(attempts).isEqualTo(8);
    assertThat(total).isEqualTo(Duration.ofSeconds(127));
  }

  @Test
  void retries_server_errors_timeouts_and_rate_limits_only() {
    assertThat(RetryPolicy.retryable(500)).isTrue();
    assertThat(RetryPolicy.retryable(503)).isTrue();
    assertThat(RetryPolicy.retryable(429)).isTrue();
    assertThat(RetryPolicy.retryable(408)).isTrue();
    assertThat(RetryPolicy.retryable(400)).isFalse();
    assertThat(RetryPolicy.retryable(404)).isFalse();
    assertThat(RetryPolicy.retryable(301)).as("redirects are not followed").isFalse();
    assertThat(RetryPolicy.delivered(204)).isTrue();
    assertThat(RetryPolicy.delivered(302)).isFalse();
  }

  @Test
  void refuses_no_attempt_at_all() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("attempts");
  }
}
