package dev.rolloutledger.domain.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rolloutledger.domain.InvalidFieldException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HardCapTest {
  /** Halt when more than 3 of the first 20 updated hosts fail. */
  private final HardCap cap = new HardCap(3, 20, 0.5);

  @Nested
  class Without_a_baseline {

    @Test
    void fires_at_one_failure_more_than_the_cap() {
      assertThat(cap.fires(new CohortCounts(20, 4), new CohortCounts(0, 0))).isTrue();
    }

    @Test
    void does_not_fire_at_the_cap() {
      assertThat(cap.fires(new CohortCounts(20, 3), new CohortCounts(0, 0))).isFalse();
    }

    @Test
    void fires_before_all_of_the_first_hosts_applied() {
      assertThat(cap.fires(new CohortCounts(5, 4), new CohortCounts(0, 0))).isTrue();
    }
  }

  @Nested
  class With_a_quiet_baseline {

    @Test
    void fires_when_the_baseline_fails_far_less_often() {
      // 4/20 = 20% updated against 1/100 = 1% baseline
      assertThat(cap.fires(new CohortCounts(20, 4), new CohortCounts(100, 1))).isTrue();
    }

    @Test
    void fires_when_no_baseline_host_failed() {
      assertThat(cap.fires(new CohortCounts(20, 4), new CohortCounts(5_000, 0))).isTrue();
    }
  }

  @Nested
  class In_a_shock_hitting_both_cohorts {

    @Test
    void does_not_fire_when_the_baseline_fails_as_often() {
      // A region's network: 5/20 = 25% updated, 240/1000 = 24% baseline
      assertThat(cap.fires(new CohortCounts(20, 5), new CohortCounts(1_000, 240))).isFalse();
    }

    @Test
    void does_not_fire_once_the_baseline_reaches_the_shock_ratio_of_the_updated_rate() {
      // 4/20 = 20% updated; shockRatio 0.5 puts the line at 10% baseline
      assertThat(cap.fires(new CohortCounts(20, 4), new CohortCounts(1_000, 100))).isFalse();
      assertThat(cap.fires(new CohortCounts(20, 4), new CohortCounts(1_000, 99))).isTrue();
    }
  }

  @Nested
  class False_halt_probability {

    @Test
    void is_the_binomial_chance_of_more_than_the_cap_among_the_first_hosts() {
      // P(Binomial(20, 0.001) >= 4) = C(20,4) 1e-12 (1 - 0.001)^16 + ... ~ 4.78e-9
      assertThat(cap.falseHaltProbability(0.001)).isCloseTo(4.783e-9, within(1e-12));
      // One host, no failure tolerated: the chance that it fails.
      assertThat(new HardCap(0, 1, 1).falseHaltProbability(0.3)).isCloseTo(0.3, within(1e-12));
    }

    @Test
    void is_zero_with_no_failures_and_one_when_every_host_fails() {
      assertThat(cap.falseHaltProbability(0)).isZero();
      assertThat(cap.falseHaltProbability(1)).isEqualTo(1.0);
    }
  }

  @Nested
  class Rejects {

    @Test
    void a_cap_that_could_never_or_would_always_fire() {
      assertThatThrownBy(() -> new HardCap(20, 20, 0.5))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("maxFailures"));
      assertThatThrownBy(() -> new HardCap(-1, 20, 0.5)).isInstanceOf(InvalidFieldException.class);
      assertThatThrownBy(() -> new HardCap(0, 0, 0.5))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("firstHosts"));
    }

    @Test
    void a_shock_ratio_outside_zero_to_one() {
      for (double bad : new double[] {0, 1.5, Double.NaN}) {
        assertThatThrownBy(() -> new HardCap(3, 20, bad))
            .isInstanceOfSatisfying(
                InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("shockRatio"));
      }
    }

    @Test
    void more_updated_hosts_than_it_watches() {
      assertThatThrownBy(() -> cap.fires(new CohortCounts(21, 4), new CohortCounts(0, 0)))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("updated.hosts"));
    }

    @Test
    void counts_with_more_failures_than_hosts() {
      assertThatThrownBy(() -> new CohortCounts(3, 4))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("failures"));
      assertThatThrownBy(() -> new CohortCounts(-1, 0))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("hosts"));
    }

    @Test
    void a_probability_outside_zero_to_one() {
      assertThatThrownBy(() -> cap.falseHaltProbability(1.5))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("p0"));
    }
  }
}
