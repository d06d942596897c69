package dev.rolloutledger.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RolloutClockTest {
  private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
  private final RolloutClock clock = RolloutClock.startedAt(T);

  @Test
  void a_gap_is_an_outage_past_a_third_of_the_timeout() {
    Duration timeout = Duration.ofSeconds(30);
    assertThat(clock.outageAt(T.plusSeconds(10), timeout)).isFalse();
    assertThat(clock.outageAt(T.plusMillis(10_001), timeout)).isTrue();
  }

  @Test
  void the_ordinary_spacing_of_ticks_is_never_an_outage_however_short_the_timeout() {
    Duration timeout = Duration.ofSeconds(2); // a third of it is less than one tick
    assertThat(clock.outageAt(T.plusSeconds(1), timeout)).isFalse();
    assertThat(clock.outageAt(T.plusSeconds(3), timeout)).isFalse();
    assertThat(clock.outageAt(T.plusMillis(3_001), timeout)).isTrue();
  }

  @Test
  void an_outage_starts_a_grace_of_one_timeout_and_extends_the_bake_by_the_wave_s_share() {
    Instant waveStarted = T.plusSeconds(5); // the wave began after the last tick
    RolloutClock after = clock.afterOutage(T.plusSeconds(60), Duration.ofSeconds(30), waveStarted);

    assertThat(after.graceUntil()).isEqualTo(T.plusSeconds(90));
    assertThat(after.unobserved()).isEqualTo(Duration.ofSeconds(55));
    assertThat(after.inGraceAt(T.plusSeconds(89))).isTrue();
    assertThat(after.inGraceAt(T.plusSeconds(90))).isFalse();
    assertThat(after.newWave().unobserved()).isZero();
  }
}
