package dev.rolloutledger.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TelemetryRateLimitTest {
  long now = 0;
  final TelemetryRateLimit limit = new TelemetryRateLimit(100, 200, () -> now);

  @Test
  void a_token_sends_its_burst_at_once_then_waits_the_seconds_it_is_told() {
    assertThat(limit.take("acme/agent-1", 150)).isZero();
    assertThat(limit.take("acme/agent-1", 50)).isZero();
    // empty: 120 items need 1.2 s of refill
    assertThat(limit.take("acme/agent-1", 120)).isEqualTo(2);
    now += 1_000_000_000L; // 100 items back
    assertThat(limit.take("acme/agent-1", 120)).isEqualTo(1);
    assertThat(limit.take("acme/agent-1", 100)).isZero();
  }

  @Test
  void a_refused_batch_takes_nothing_and_tokens_do_not_share_a_bucket() {
    assertThat(limit.take("acme/a", 200)).isZero();
    assertThat(limit.take("acme/a", 1)).isEqualTo(1);
    assertThat(limit.take("acme/b", 200)).isZero();
    now += 10_000_000L; // 1 item back, and the refusal above took none
    assertThat(limit.take("acme/a", 1)).isZero();
  }

  @Test
  void the_bucket_never_holds_more_than_the_burst() {
    now += 3_600_000_000_000L;
    assertThat(limit.take("acme/a", 200)).isZero();
    assertThat(limit.take("acme/a", 1)).isEqualTo(1);
  }

  @Test
  void a_rate_that_could_never_pass_anything_is_refused_at_start() {
    assertThatThrownBy(() -> new TelemetryRateLimit(0, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
