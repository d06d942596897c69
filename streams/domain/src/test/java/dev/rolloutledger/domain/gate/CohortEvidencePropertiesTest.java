package dev.rolloutledger.domain.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of the evidence over random failure histories (at most 60 failures each): 1,000 seeded
 * tries each ({@link Seeds}), then every edge history against every edge value of the other input.
 */
class CohortEvidencePropertiesTest {

  record Failure(Cohort cohort, double share) {}

  private static final double[] SPECIAL_SHARES = {0.0, 1.0, 1e-9, 1 - 1e-9};

  private static final double[] EDGE_SHARES = {0, 1e-6, 0.5, 0.999999, 1};

  /** A random history; one in {@value Seeds#EDGE_ODDS} is an edge history. */
  static List<Failure> history(SplittableRandom random) {
    if (random.nextInt(Seeds.EDGE_ODDS) == 0) {
      List<List<Failure>> edges = edgeHistories();
      return edges.get(random.nextInt(edges.size()));
    }
    int size = Seeds.sizes(random, 0, 60);
    List<Failure> history = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      // one share in nine is a special value
      double share =
          random.nextInt(9) < 8
              ? Seeds.decimals(random, 0, 1, 6)
              : SPECIAL_SHARES[random.nextInt(SPECIAL_SHARES.length)];
      history.add(new Failure(Seeds.oneOf(random, Cohort.values()), share));
    }
    return history;
  }

  /** The empty history and every single failure at a bound or next to one. */
  static List<List<Failure>> edgeHistories() {
    List<List<Failure>> histories = new ArrayList<>();
    histories.add(List.of());
    for (Cohort cohort : Cohort.values()) {
      for (double share : new double[] {0.0, 1e-9, 1e-6, 0.5, 0.999999, 1 - 1e-9, 1.0}) {
        histories.add(List.of(new Failure(cohort, share)));
      }
    }
    return histories;
  }

  private static double share(SplittableRandom random) {
    return Seeds.decimals(random, 0, 1, 6);
  }

  private static CohortEvidence replay(List<Failure> history) {
    CohortEvidence evidence = CohortEvidence.NONE;
    for (Failure f : history) {
      evidence = evidence.observeFailure(f.cohort(), f.share());
    }
    return evidence;
  }

  @Test
  void the_evidence_is_one_before_any_failure() {
    assertThat(replay(List.of()).eValue()).isEqualTo(1.0);
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void the_evidence_is_never_negative(long seed) {
    Seeds.check(seed, random -> theEvidenceIsNeverNegative(history(random)));
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void a_baseline_failure_never_raises_the_evidence(long seed) {
    Seeds.check(
        seed, random -> aBaselineFailureNeverRaisesTheEvidence(history(random), share(random)));
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void an_updated_failure_never_lowers_the_evidence(long seed) {
    Seeds.check(
        seed, random -> anUpdatedFailureNeverLowersTheEvidence(history(random), share(random)));
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void replaying_a_history_gives_the_same_state(long seed) {
    Seeds.check(seed, random -> replayingGivesTheSameState(history(random)));
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void evidence_of_safety_is_exact_on_the_grid_and_a_lower_bound_between(long seed) {
    Seeds.check(
        seed,
        random ->
            evidenceOfSafetyIsExactOnTheGridAndALowerBoundBetween(
                history(random),
                Seeds.ints(random, 1, 72),
                Seeds.decimals(random, 1.0001, 2000, 6)));
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void the_ratio_bound_is_the_smallest_grid_ratio_whose_test_rejects(long seed) {
    Seeds.check(
        seed,
        random ->
            theRatioBoundIsTheSmallestGridRatioWhoseTestRejects(
                history(random), Seeds.decimals(random, 0.001, 0.5, 6)));
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void an_updated_failure_never_lowers_the_ratio_bound(long seed) {
    Seeds.check(
        seed, random -> anUpdatedFailureNeverLowersTheRatioBound(history(random), share(random)));
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void a_baseline_failure_never_raises_the_ratio_bound(long seed) {
    Seeds.check(
        seed, random -> aBaselineFailureNeverRaisesTheRatioBound(history(random), share(random)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edgeHistories")
  void the_properties_hold_at_the_edges(List<Failure> history) {
    theEvidenceIsNeverNegative(history);
    replayingGivesTheSameState(history);
    for (double share : EDGE_SHARES) {
      Seeds.check(
          "share=" + share,
          () -> {
            aBaselineFailureNeverRaisesTheEvidence(history, share);
            anUpdatedFailureNeverLowersTheEvidence(history, share);
            anUpdatedFailureNeverLowersTheRatioBound(history, share);
            aBaselineFailureNeverRaisesTheRatioBound(history, share);
          });
    }
    for (int gridStep : new int[] {1, 2, 71, 72}) {
      for (double offGrid : new double[] {1.0001, 1.000101, 1999.999999, 2000}) {
        Seeds.check(
            "gridStep=" + gridStep + " offGrid=" + offGrid,
            () ->
                evidenceOfSafetyIsExactOnTheGridAndALowerBoundBetween(history, gridStep, offGrid));
      }
    }
    for (double alpha : new double[] {0.001, 0.001001, 0.499999, 0.5}) {
      Seeds.check(
          "alpha=" + alpha,
          () -> theRatioBoundIsTheSmallestGridRatioWhoseTestRejects(history, alpha));
    }
  }

  private static void theEvidenceIsNeverNegative(List<Failure> history) {
    CohortEvidence evidence = replay(history);

    assertThat(evidence.eValue()).isGreaterThanOrEqualTo(0);
    assertThat(evidence.logEValue()).isNotNaN();
  }

  private static void aBaselineFailureNeverRaisesTheEvidence(List<Failure> history, double share) {
    CohortEvidence before = replay(history);

    CohortEvidence after = before.observeFailure(Cohort.BASELINE, share);

    assertThat(after.logEValue()).isLessThanOrEqualTo(before.logEValue());
    assertThat(after.eValue()).isLessThanOrEqualTo(before.eValue());
  }

  private static void anUpdatedFailureNeverLowersTheEvidence(List<Failure> history, double share) {
    CohortEvidence before = replay(history);

    CohortEvidence after = before.observeFailure(Cohort.UPDATED, share);

    assertThat(after.logEValue()).isGreaterThanOrEqualTo(before.logEValue());
  }

  private static void replayingGivesTheSameState(List<Failure> history) {
    assertThat(replay(history)).isEqualTo(replay(history));
  }

  private static void evidenceOfSafetyIsExactOnTheGridAndALowerBoundBetween(
      List<Failure> history, int gridStep, double offGrid) {
    CohortEvidence evidence = replay(history);
    double onGrid = CohortEvidence.ratio(CohortEvidence.ONE + gridStep);

    assertThat(-StrictMath.log(evidence.safetyEvidence(onGrid)))
        .isCloseTo(exactLogRatio(history, onGrid), withinRelative(exactLogRatio(history, onGrid)));
    assertThat(-StrictMath.log(evidence.safetyEvidence(offGrid)))
        .isGreaterThanOrEqualTo(
            exactLogRatio(history, offGrid) - tolerance(exactLogRatio(history, offGrid)));
  }

  private static void theRatioBoundIsTheSmallestGridRatioWhoseTestRejects(
      List<Failure> history, double alpha) {
    CohortEvidence evidence = replay(history);

    assertThat(evidence.ratioUpperBound(alpha)).isEqualTo(linearScanBound(evidence, alpha));
    assertThat(evidence.ratioUpperBound(alpha)).isGreaterThanOrEqualTo(1);
  }

  private static void anUpdatedFailureNeverLowersTheRatioBound(
      List<Failure> history, double share) {
    CohortEvidence before = replay(history);

    CohortEvidence after = before.observeFailure(Cohort.UPDATED, share);

    assertThat(after.ratioUpperBound(0.05)).isGreaterThanOrEqualTo(before.ratioUpperBound(0.05));
  }

  private static void aBaselineFailureNeverRaisesTheRatioBound(
      List<Failure> history, double share) {
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
