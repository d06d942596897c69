package dev.rolloutledger.domain.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Offset.offset;

import dev.rolloutledger.domain.InvalidFieldException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CohortEvidenceTest {

  /** The mixture's ratios, as in docs/statistics.md. */
  private static final double[] MIXTURE = {2, 4, 8, 16, 32, 64, 128, 256, 512};

  /** Mean over the mixture of f(r): what the e-value must be for a known history. */
  private static double mixtureMean(java.util.function.DoubleUnaryOperator f) {
    double sum = 0;
    for (double r : MIXTURE) {
      sum += f.applyAsDouble(r);
    }
    return sum / MIXTURE.length;
  }

  @Nested
  class Before_any_failure {

    @Test
    void evidence_of_regression_and_of_safety_are_both_one() {
      assertThat(CohortEvidence.NONE.eValue()).isEqualTo(1.0);
      assertThat(CohortEvidence.NONE.logEValue()).isEqualTo(0.0);
      assertThat(CohortEvidence.NONE.safetyEvidence(2)).isEqualTo(1.0);
    }

    @Test
    void nothing_is_crossed_and_no_ratio_is_ruled_out() {
      assertThat(CohortEvidence.NONE.crossed(0.5)).isFalse();
      assertThat(CohortEvidence.NONE.ratioUpperBound(0.5)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void the_grid_runs_from_one_512th_through_one_to_512_in_eighths_of_a_doubling() {
      assertThat(CohortEvidence.GRID_SIZE).isEqualTo(145);
      assertThat(CohortEvidence.ratio(0)).isEqualTo(1.0 / 512);
      assertThat(CohortEvidence.ratio(CohortEvidence.ONE)).isEqualTo(1.0);
      assertThat(CohortEvidence.ratio(CohortEvidence.ONE + 8)).isEqualTo(2.0);
      assertThat(CohortEvidence.ratio(CohortEvidence.GRID_SIZE - 1)).isEqualTo(512.0);
    }
  }

  @Nested
  class Observing_failures {

    @Test
    void an_updated_failure_multiplies_each_ratio_by_theta_r_over_theta0() {
      // Given equal exposure, theta0 = 1/2 and theta_r = r / (r + 1)
      CohortEvidence evidence = CohortEvidence.NONE.observeFailure(Cohort.UPDATED, 0.5);

      assertThat(evidence.eValue()).isCloseTo(mixtureMean(r -> 2 * r / (r + 1)), within(1e-12));
      assertThat(evidence.updatedFailures()).isEqualTo(1);
      assertThat(evidence.baselineFailures()).isZero();
    }

    @Test
    void a_baseline_failure_multiplies_each_ratio_by_one_minus_theta_r_over_one_minus_theta0() {
      CohortEvidence evidence = CohortEvidence.NONE.observeFailure(Cohort.BASELINE, 0.5);

      assertThat(evidence.eValue()).isCloseTo(mixtureMean(r -> 2 / (r + 1)), within(1e-12));
      assertThat(evidence.baselineFailures()).isEqualTo(1);
      assertThat(evidence.updatedFailures()).isZero();
    }

    @Test
    void an_updated_failure_with_no_updated_exposure_is_worth_exactly_r() {
      CohortEvidence evidence =
          CohortEvidence.NONE
              .observeFailure(Cohort.UPDATED, 0.0)
              .observeFailure(Cohort.UPDATED, 0.0);

      // (4 + 16 + ... + 512^2) / 9 = 349524 / 9
      assertThat(evidence.eValue()).isCloseTo(349524.0 / 9, within(1e-6));
    }

    @Test
    void failures_in_a_cohort_that_has_all_the_exposure_carry_no_evidence() {
      CohortEvidence evidence = CohortEvidence.NONE.observeFailures(Cohort.UPDATED, 1.0, 50);

      assertThat(evidence.eValue()).isEqualTo(1.0);
      assertThat(evidence.updatedFailures()).isEqualTo(50);
    }

    @Test
    void a_batch_of_failures_equals_observing_them_one_by_one() {
      CohortEvidence oneByOne = CohortEvidence.NONE;
      for (int i = 0; i < 7; i++) {
        oneByOne = oneByOne.observeFailure(Cohort.BASELINE, 0.3);
      }
      CohortEvidence batch = CohortEvidence.NONE.observeFailures(Cohort.BASELINE, 0.3, 7);

      assertThat(batch.baselineFailures()).isEqualTo(oneByOne.baselineFailures());
      double[] expected = oneByOne.logRatios();
      double[] actual = batch.logRatios();
      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i]).isCloseTo(expected[i], within(1e-12));
      }
    }

    @Test
    void a_batch_of_zero_failures_changes_nothing() {
      CohortEvidence evidence = CohortEvidence.NONE.observeFailure(Cohort.UPDATED, 0.1);

      assertThat(evidence.observeFailures(Cohort.BASELINE, 0.1, 0)).isSameAs(evidence);
    }

    @Test
    void observing_returns_a_new_state_and_leaves_the_old_one_as_it_was() {
      CohortEvidence before = CohortEvidence.NONE.observeFailure(Cohort.UPDATED, 0.2);
      double eValue = before.eValue();

      CohortEvidence after = before.observeFailure(Cohort.UPDATED, 0.2);

      assertThat(before.eValue()).isEqualTo(eValue);
      assertThat(after.eValue()).isGreaterThan(eValue);
    }
  }

  @Nested
  class Halting {

    @Test
    void crosses_exactly_when_the_evidence_reaches_one_over_alpha() {
      // Given evidence of 349524 / 9 = 38836
      CohortEvidence evidence =
          CohortEvidence.NONE
              .observeFailure(Cohort.UPDATED, 0.0)
              .observeFailure(Cohort.UPDATED, 0.0);

      assertThat(evidence.crossed(1.0 / 38000)).isTrue();
      assertThat(evidence.crossed(1.0 / 39000)).isFalse();
    }

    @Test
    void the_log_of_the_evidence_stays_finite_where_the_evidence_overflows_a_double() {
      CohortEvidence evidence = CohortEvidence.NONE.observeFailures(Cohort.UPDATED, 0.0, 200);

      assertThat(evidence.eValue()).isEqualTo(Double.POSITIVE_INFINITY);
      // 200 ln 512 - ln 9
      assertThat(evidence.logEValue()).isCloseTo(200 * Math.log(512) - Math.log(9), within(1e-9));
      assertThat(evidence.crossed(1e-300)).isTrue();
    }
  }

  @Nested
  class Evidence_of_safety {

    @Test
    void is_the_likelihood_ratio_of_one_against_the_tolerated_ratio() {
      // 3 updated and 5 baseline failures at theta0 = 1/2: LR(1 vs 2) = (1/2 / 2/3)^3 (1/2 / 1/3)^5
      CohortEvidence evidence =
          CohortEvidence.NONE
              .observeFailures(Cohort.UPDATED, 0.5, 3)
              .observeFailures(Cohort.BASELINE, 0.5, 5);

      double expected = Math.pow(0.75, 3) * Math.pow(1.5, 5);
      assertThat(evidence.safetyEvidence(2)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void between_grid_ratios_is_a_close_lower_bound_on_the_exact_ratio() {
      CohortEvidence evidence =
          CohortEvidence.NONE
              .observeFailures(Cohort.UPDATED, 0.25, 4)
              .observeFailures(Cohort.BASELINE, 0.4, 30);
      double tolerated = 1.5; // between 2^(4/8) and 2^(5/8)

      double exact =
          Math.pow((1 + 0.25 * 0.5) / 1.5, 4) // updated: theta0 / theta_1.5
              * Math.pow(1 + 0.4 * 0.5, 30); // baseline: (1 - theta0) / (1 - theta_1.5)

      assertThat(evidence.safetyEvidence(tolerated))
          .isLessThanOrEqualTo(exact)
          .isGreaterThan(0.95 * exact);
    }

    @Test
    void beyond_the_largest_grid_ratio_extends_the_last_chord_and_stays_a_lower_bound() {
      CohortEvidence evidence = CohortEvidence.NONE.observeFailures(Cohort.BASELINE, 0.01, 100);
      double exact = Math.pow(1 + 0.01 * 999, 100);

      // Only baseline failures: the exact evidence grows with the ratio, and so does the bound.
      assertThat(evidence.safetyEvidence(1000))
          .isLessThanOrEqualTo(exact)
          .isGreaterThan(evidence.safetyEvidence(512));
    }

    @Test
    void needs_a_finite_tolerated_ratio_above_one() {
      for (double bad : new double[] {1.0, 0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
        assertThatThrownBy(() -> CohortEvidence.NONE.safetyEvidence(bad))
            .isInstanceOfSatisfying(
                InvalidFieldException.class,
                e -> assertThat(e.field()).isEqualTo("toleratedRatio"));
      }
    }
  }

  @Nested
  class Ratio_upper_bound {

    @Test
    void is_the_smallest_grid_ratio_that_the_failures_rule_out() {
      // Equal exposure, 40 updated and 40 baseline failures: the ratio looks like 1.
      CohortEvidence evidence =
          CohortEvidence.NONE
              .observeFailures(Cohort.UPDATED, 0.5, 40)
              .observeFailures(Cohort.BASELINE, 0.5, 40);

      double bound = evidence.ratioUpperBound(0.01);

      assertThat(bound).isGreaterThan(1.5).isLessThan(4);
      int index = (int) Math.round(8 * Math.log(bound) / Math.log(2)) + CohortEvidence.ONE;
      assertThat(CohortEvidence.ratio(index)).isEqualTo(bound);
    }

    @Test
    void tightens_as_failures_accumulate_at_the_same_rate() {
      CohortEvidence few =
          CohortEvidence.NONE
              .observeFailures(Cohort.UPDATED, 0.5, 20)
              .observeFailures(Cohort.BASELINE, 0.5, 20);
      CohortEvidence many =
          CohortEvidence.NONE
              .observeFailures(Cohort.UPDATED, 0.5, 500)
              .observeFailures(Cohort.BASELINE, 0.5, 500);

      assertThat(many.ratioUpperBound(0.01)).isLessThan(few.ratioUpperBound(0.01));
      assertThat(many.ratioUpperBound(0.01)).isLessThan(1.4);
    }

    @Test
    void is_one_when_the_release_is_clearly_better_than_its_baseline() {
      CohortEvidence evidence = CohortEvidence.NONE.observeFailures(Cohort.BASELINE, 0.5, 200);

      assertThat(evidence.ratioUpperBound(0.01)).isEqualTo(1.0);
    }

    @Test
    void stays_unbounded_while_only_updated_hosts_fail() {
      CohortEvidence evidence = CohortEvidence.NONE.observeFailures(Cohort.UPDATED, 0.5, 30);

      assertThat(evidence.ratioUpperBound(0.01)).isEqualTo(Double.POSITIVE_INFINITY);
    }
  }

  @Nested
  class Ledger_summary {

    @Test
    void records_counts_and_numbers_in_canonical_text() {
      // e-value 349524 / 9 = 38836, LR(1 vs 2) = 1/4, no baseline failure: no upper bound
      CohortEvidence evidence = CohortEvidence.NONE.observeFailures(Cohort.UPDATED, 0.0, 2);

      EvidenceSummary summary = evidence.summary(0.01, 2.0);

      assertThat(summary)
          .isEqualTo(new EvidenceSummary(2, 0, "38836", "2", "0.25", "0.01", "Infinity"));
    }

    @Test
    void an_upper_bound_off_a_power_of_two_is_rounded_to_six_digits() {
      CohortEvidence evidence =
          CohortEvidence.NONE
              .observeFailures(Cohort.UPDATED, 0.5, 500)
              .observeFailures(Cohort.BASELINE, 0.5, 500);

      String bound = evidence.summary(0.01, 2.0).ratioUpperBound();

      assertThat(bound).matches("1\\.\\d{5}");
      assertThat(Double.parseDouble(bound)).isCloseTo(evidence.ratioUpperBound(0.01), offset(5e-6));
    }
  }

  @Nested
  class As_a_value {

    @Test
    void equal_histories_give_equal_states() {
      CohortEvidence a =
          CohortEvidence.NONE
              .observeFailure(Cohort.UPDATED, 0.3)
              .observeFailure(Cohort.BASELINE, 0.4);
      CohortEvidence b =
          CohortEvidence.NONE
              .observeFailure(Cohort.UPDATED, 0.3)
              .observeFailure(Cohort.BASELINE, 0.4);

      assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
      assertThat(a).isNotEqualTo(CohortEvidence.NONE.observeFailure(Cohort.UPDATED, 0.3));
    }

    @Test
    void round_trips_through_its_components_as_a_store_would() {
      CohortEvidence state = CohortEvidence.NONE.observeFailures(Cohort.BASELINE, 0.2, 3);

      CohortEvidence restored =
          new CohortEvidence(state.updatedFailures(), state.baselineFailures(), state.logRatios());

      assertThat(restored).isEqualTo(state);
    }

    @Test
    void never_shares_its_array() {
      double[] input = new double[CohortEvidence.GRID_SIZE];
      CohortEvidence state = new CohortEvidence(0, 0, input);
      input[0] = 5;
      state.logRatios()[1] = 5;

      assertThat(state).isEqualTo(CohortEvidence.NONE);
    }
  }

  @Nested
  class Rejects_invalid_input {

    @Test
    void a_share_outside_zero_to_one() {
      for (double bad : new double[] {-0.1, 1.1, Double.NaN}) {
        assertThatThrownBy(() -> CohortEvidence.NONE.observeFailure(Cohort.UPDATED, bad))
            .isInstanceOfSatisfying(
                InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("updatedShare"));
      }
    }

    @Test
    void a_missing_cohort_or_a_negative_count() {
      assertThatThrownBy(() -> CohortEvidence.NONE.observeFailure(null, 0.5))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("cohort"));
      assertThatThrownBy(() -> CohortEvidence.NONE.observeFailures(Cohort.UPDATED, 0.5, -1))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("count"));
    }

    @Test
    void an_alpha_outside_zero_to_one() {
      for (double bad : new double[] {0, 1, -0.5, Double.NaN}) {
        assertThatThrownBy(() -> CohortEvidence.NONE.crossed(bad))
            .isInstanceOfSatisfying(
                InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("alpha"));
        assertThatThrownBy(() -> CohortEvidence.NONE.ratioUpperBound(bad))
            .isInstanceOf(InvalidFieldException.class);
      }
    }

    @Test
    void a_stored_state_of_the_wrong_shape() {
      assertThatThrownBy(() -> new CohortEvidence(0, 0, new double[10]))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("logRatios"));
      assertThatThrownBy(() -> new CohortEvidence(0, 0, null))
          .isInstanceOf(InvalidFieldException.class);
      assertThatThrownBy(() -> new CohortEvidence(-1, 0, new double[CohortEvidence.GRID_SIZE]))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("updatedFailures"));
      assertThatThrownBy(() -> new CohortEvidence(0, -1, new double[CohortEvidence.GRID_SIZE]))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> assertThat(e.field()).isEqualTo("baselineFailures"));
    }

    @Test
    void a_stored_state_with_impossible_values() {
      double[] infinite = new double[CohortEvidence.GRID_SIZE];
      infinite[3] = Double.NEGATIVE_INFINITY;
      double[] selfRatio = new double[CohortEvidence.GRID_SIZE];
      selfRatio[CohortEvidence.ONE] = 0.5;

      assertThatThrownBy(() -> new CohortEvidence(0, 0, infinite))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("logRatios[3]"));
      assertThatThrownBy(() -> new CohortEvidence(0, 0, selfRatio))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("logRatios[72]"));
    }

    @Test
    void a_grid_index_off_the_grid() {
      assertThatThrownBy(() -> CohortEvidence.ratio(-1)).isInstanceOf(InvalidFieldException.class);
      assertThatThrownBy(() -> CohortEvidence.ratio(CohortEvidence.GRID_SIZE))
          .isInstanceOf(InvalidFieldException.class);
    }
  }
}
