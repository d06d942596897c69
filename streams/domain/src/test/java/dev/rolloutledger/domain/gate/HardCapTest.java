package dev.rolloutledger.domain.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.InvalidFieldException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HardCapTest {
  /** Halt from 4 failing hosts on, once more than 15% of the applied hosts fail. */
  private final HardCap cap = new HardCap(4, 0.15, HardCap.SHOCK_RATIO);

  @Nested
  class Without_a_baseline {

    @Test
    void fires_over_the_fraction_from_the_minimum_failures_on() {
      assertThat(cap.fires(new CohortCounts(20, 4), new CohortCounts(0, 0))).isTrue();
    }

    @Test
    void does_not_fire_at_the_fraction() {
      // 3/20 = 15%, not over it; 4/20 = 20% is
      assertThat(new HardCap(1, 0.15, 0.5).fires(new CohortCounts(20, 3), new CohortCounts(0, 0)))
          .isFalse();
      assertThat(new HardCap(1, 0.15, 0.5).fires(new CohortCounts(20, 4), new CohortCounts(0, 0)))
          .isTrue();
    }

    @Test
    void does_not_fire_below_the_minimum_failures_whatever_the_fraction() {
      assertThat(cap.fires(new CohortCounts(3, 3), new CohortCounts(0, 0))).isFalse();
    }

    @Test
    void fires_before_most_hosts_applied() {
      assertThat(cap.fires(new CohortCounts(5, 4), new CohortCounts(0, 0))).isTrue();
    }

    @Test
    void counts_a_failure_without_an_apply_against_one_host() {
      // no applied host yet: the fraction is over max(hosts, 1)
      assertThat(new HardCap(1, 0.5, 0.5).exceeded(new CohortCounts(0, 0))).isFalse();
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
      assertThat(cap.sharedShock(new CohortCounts(20, 4), new CohortCounts(5_000, 0))).isFalse();
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

    @Test
    void a_shock_alone_does_not_make_the_cap_exceeded() {
      assertThat(cap.exceeded(new CohortCounts(20, 1))).isFalse();
      assertThat(cap.sharedShock(new CohortCounts(20, 1), new CohortCounts(1_000, 500))).isTrue();
      assertThat(cap.fires(new CohortCounts(20, 1), new CohortCounts(1_000, 500))).isFalse();
    }
  }

  @Nested
  class Rejects {

    @Test
    void fewer_than_one_failure_as_the_minimum() {
      assertThatThrownBy(() -> new HardCap(0, 0.2, 0.5))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("minFailures"));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.1, 1.1, Double.NaN})
    void a_fraction_outside_0_1(double bad) {
      assertThatThrownBy(() -> new HardCap(1, bad, 0.5))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("maxFraction"));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -0.5, 1.5, Double.NaN})
    void a_shock_ratio_outside_0_1(double bad) {
      assertThatThrownBy(() -> new HardCap(1, 0.2, bad))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("shockRatio"));
    }

    @Test
    void missing_counts() {
      assertThatThrownBy(() -> cap.fires(null, new CohortCounts(0, 0)))
          .isInstanceOf(InvalidFieldException.class);
      assertThatThrownBy(() -> cap.fires(new CohortCounts(20, 4), null))
          .isInstanceOf(InvalidFieldException.class);
    }

    @Test
    void failures_above_hosts() {
      assertThatThrownBy(() -> new CohortCounts(3, 4))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("failures"));
      assertThatThrownBy(() -> new CohortCounts(-1, 0))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("hosts"));
    }
  }
}
