package dev.rolloutledger.domain.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.assertj.core.data.Offset;

/** Properties of the evidence over random failure histories (at most 60 failures each). */
class CohortEvidencePropertiesTest {

  record Failure(Cohort cohort, double share) {}

  @Provide
  Arbitrary<List<Failure>> histories() {
    Arbitrary<Double> shares =
        Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.doubles().between(0, 1).ofScale(6)),
            Tuple.of(1, Arbitraries.of(0.0, 1.0, 1e-9, 1 - 1e-9)));
    return Combinators.combine(Arbitraries.of(Cohort.class), shares)
        .as(Failure::new)
        .list()
        .ofMaxSize(60);
  }

  private static CohortEvidence replay(List<Failure> history) {
    CohortEvidence evidence = CohortEvidence.NONE;
    for (Failure f : history) {
      evidence = evidence.observeFailure(f.cohort(), f.share());
    }
    return evidence;
  }

  @Example
  void the_evidence_is_one_before_any_failure() {
    assertThat(replay(List.of()).eValue()).isEqualTo(1.0);
  }

  @Property
  void the_evidence_is_never_negative(@ForAll("histories") List<Failure> history) {
    CohortEvidence evidence = replay(history);

    assertThat(evidence.eValue()).isGreaterThanOrEqualTo(0);
    assertThat(evidence.logEValue()).isNotNaN();
  }

  @Property
  void a_baseline_failure_never_raises_the_evidence(
      @ForAll("histories") List<Failure> history,
      @ForAll @DoubleRange(min = 0, max = 1) @Scale(6) double share) {
    CohortEvidence before = replay(history);

    CohortEvidence after = before.observeFailure(Cohort.BASELINE, share);

    assertThat(after.logEValue()).isLessThanOrEqualTo(before.logEValue());
    assertThat(after.eValue()).isLessThanOrEqualTo(before.eValue());
  }

  @Property
  void an_updated_failure_never_lowers_the_evidence(
      @ForAll("histories") List<Failure> history,
      @ForAll @DoubleRange(min = 0, max = 1) @Scale(6) double share) {
    CohortEvidence before = replay(history);

    CohortEvidence after = before.observeFailure(Cohort.UPDATED, share);

    assertThat(after.logEValue()).isGreaterThanOrEqualTo(before.logEValue());
  }

  @Property
  void replaying_a_history_gives_the_same_state(@ForAll("histories") List<Failure> history) {
    assertThat(replay(history)).isEqualTo(replay(history));
  }

  @Property
  void evidence_of_safety_is_exact_on_the_grid_and_a_lower_bound_between(
      @ForAll("histories") List<Failure> history,
      @ForAll @IntRange(min = 1, max = 72) int gridStep,
      @ForAll @DoubleRange(min = 1.0001, max = 2000) @Scale(6) double offGrid) {
    CohortEvidence evidence = replay(history);
    double onGrid = CohortEvidence.ratio(CohortEvidence.ONE + gridStep);

    assertThat(-StrictMath.log(evidence.safetyEvidence(onGrid)))
        .isCloseTo(exactLogRatio(history, onGrid), withinRelative(exactLogRatio(history, onGrid)));
    assertThat(-StrictMath.log(evidence.safetyEvidence(offGrid)))
        .isGreaterThanOrEqualTo(
            exactLogRatio(history, offGrid) - tolerance(exactLogRatio(history, offGrid)));
  }

  @Property
  void the_ratio_bound_is_the_smallest_grid_ratio_whose_test_rejects(
      @ForAll("histories") List<Failure> history,
      @ForAll @DoubleRange(min = 0.001, max = 0.5) @Scale(6) double alpha) {
    CohortEvidence evidence = replay(history);

    assertThat(evidence.ratioUpperBound(alpha)).isEqualTo(linearScanBound(evidence, alpha));
    assertThat(evidence.ratioUpperBound(alpha)).isGreaterThanOrEqualTo(1);
  }

  @Property
  void an_updated_failure_never_lowers_the_ratio_bound(
      @ForAll("histories") List<Failure> history,
      @ForAll @DoubleRange(min = 0, max = 1) @Scale(6) double share) {
    CohortEvidence before = replay(history);

    CohortEvidence after = before.observeFailure(Cohort.UPDATED, share);

    assertThat(after.ratioUpperBound(0.05)).isGreaterThanOrEqualTo(before.ratioUpperBound(0.05));
  }

  @Property
  void a_baseline_failure_never_raises_the_ratio_bound(
      @ForAll("histories") List<Failure> history,
      @ForAll @DoubleRange(min = 0, max = 1) @Scale(6) double share) {
    CohortEvidence before = replay(history);

    CohortEvidence after = before.observeFailure(Cohort.BASELINE, share);

    assertThat(after.ratioUpperBound(0.05)).isLessThanOrEqualTo(before.ratioUpperBound(0.05));
  }

  /** ln of the likelihood ratio of {@code ratio} against 1, straight from the history. */
  private static double exactLogRatio(List<Failure> history, double ratio) {
    double sum = 0;
    for (Failure f : history) {
      double log = f.cohort() == Cohort.UPDATED ? StrictMath.log(ratio) : 0;
      sum += log - StrictMath.log1p(f.share() * (ratio - 1));
    }
    return sum;
  }

  private static double tolerance(double value) {
    return 1e-9 * (1 + Math.abs(value));
  }

  private static Offset<Double> withinRelative(double value) {
    return Offset.offset(tolerance(value));
  }

  /** The definition, without the bisection: scan the grid upward from 1. */
  private static double linearScanBound(CohortEvidence evidence, double alpha) {
    double[] l = evidence.logRatios();
    for (int c = CohortEvidence.ONE; c < CohortEvidence.GRID_SIZE; c++) {
      double sum = 0;
      for (int j = 1; j <= CohortEvidence.ONE; j++) {
        sum += StrictMath.exp(l[c - j] - l[c]);
      }
      if (sum / CohortEvidence.ONE >= 1 / alpha) {
        return CohortEvidence.ratio(c);
      }
    }
    return Double.POSITIVE_INFINITY;
  }
}
