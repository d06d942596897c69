package dev.rolloutledger.domain.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FailureRateUpperBoundTest {

  @Nested
  class Covers_the_true_failure_probability {

    @Test
    void at_every_host_count_at_once_in_at_least_1_minus_alpha_of_runs() {
      // Given 500 seeded runs of 2,000 hosts, each failing with probability 0.01
      double p = 0.01;
      double alpha = 0.05;
      int runs = 500;
      int missed = 0;
      for (int run = 0; run < runs; run++) {
        Random random = RolloutSimulation.seeded(60_000 + run);
        long failures = 0;
        for (long hosts = 1; hosts <= 2_000; hosts++) {
          failures += random.nextDouble() < p ? 1 : 0;
          // When the bound is read after every host
          if (FailureRateUpperBound.upperBound(hosts, failures, alpha) < p) {
            missed++;
            break;
          }
        }
      }

      // Then it is ever below p in at most alpha of the runs (+ 2.33 standard deviations).
      // Measured: 1/500 (95% CI 0.005% to 1.1%): the two-sided mixture spends about half of alpha
      // on the lower side.
      assertThat(missed).isLessThanOrEqualTo(36);
    }
  }

  @Nested
  class Values {

    @Test
    void with_no_failure_is_one_minus_exp_of_minus_c_over_n() {
      // c = ln(1/alpha) - ln m_n, m_n = B(1/2, n + 1/2) / B(1/2, 1/2) = Gamma(n + 1/2) / (sqrt(pi)
      // n!)
      long n = 1_000;
      double logMixture = LogGamma.of(n + 0.5) - LogGamma.of(n + 1) - 0.5 * Math.log(Math.PI);
      double c = Math.log(100) - logMixture;

      assertThat(FailureRateUpperBound.upperBound(n, 0, 0.01))
          .isCloseTo(-Math.expm1(-c / n), within(1e-15))
          .isCloseTo(0.0086, within(0.0001));
    }

    @Test
    void puts_the_failures_likelihood_at_exactly_one_over_alpha_times_the_mixtures() {
      long n = 1_000;
      long k = 10;
      double alpha = 0.01;
      double bound = FailureRateUpperBound.upperBound(n, k, alpha);

      double logMixture =
          LogGamma.of(k + 0.5) + LogGamma.of(n - k + 0.5) - LogGamma.of(n + 1) - Math.log(Math.PI);
      double logLikelihood = k * Math.log(bound) + (n - k) * Math.log1p(-bound);
      assertThat(logMixture - logLikelihood).isCloseTo(Math.log(1 / alpha), within(1e-6));
      assertThat(bound).isCloseTo(0.0286, within(0.0001));
    }

    @Test
    void is_one_before_any_outcome_and_when_every_host_failed() {
      assertThat(FailureRateUpperBound.upperBound(0, 0, 0.01)).isEqualTo(1.0);
      assertThat(FailureRateUpperBound.upperBound(3, 3, 0.01)).isEqualTo(1.0);
    }

    @Test
    void shrinks_towards_the_observed_rate_as_hosts_accumulate() {
      double small = FailureRateUpperBound.upperBound(1_000, 1, 0.01);
      double large = FailureRateUpperBound.upperBound(100_000, 100, 0.01);

      assertThat(large).isLessThan(small).isBetween(0.001, 0.0016);
    }

    @Test
    void cannot_prove_a_thirty_host_canary_below_twenty_percent() {
      assertThat(FailureRateUpperBound.upperBound(30, 0, 0.01)).isGreaterThan(0.2);
    }
  }

  @Nested
  class Rejects {

    @Test
    void negative_hosts_failures_beyond_hosts_and_alpha_outside_zero_to_one() {
      assertThatThrownBy(() -> FailureRateUpperBound.upperBound(-1, 0, 0.01))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("hosts"));
      assertThatThrownBy(() -> FailureRateUpperBound.upperBound(2, 3, 0.01))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("failures"));
      assertThatThrownBy(() -> FailureRateUpperBound.upperBound(2, -1, 0.01))
          .isInstanceOf(InvalidFieldException.class);
      assertThatThrownBy(() -> FailureRateUpperBound.upperBound(2, 1, 1.0))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("alpha"));
    }
  }

  // ---- properties: 1,000 seeded tries each (Seeds), then every combination of edge cases -----

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void lies_between_the_observed_rate_and_one(long seed) {
    Seeds.check(
        seed,
        random -> liesBetweenTheObservedRateAndOne(hosts(random), share(random), alpha(random)));
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void a_failure_never_lowers_the_bound(long seed) {
    Seeds.check(
        seed, random -> aFailureNeverLowersTheBound(hosts(random), share(random), alpha(random)));
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void a_smaller_alpha_never_lowers_the_bound(long seed) {
    Seeds.check(
        seed,
        random -> aSmallerAlphaNeverLowersTheBound(hosts(random), share(random), alpha(random)));
  }

  @ParameterizedTest(name = "hosts={0} failedShare={1} alpha={2}")
  @MethodSource("edgeCases")
  void the_properties_hold_at_the_edges(long hosts, double failedShare, double alpha) {
    liesBetweenTheObservedRateAndOne(hosts, failedShare, alpha);
    aFailureNeverLowersTheBound(hosts, failedShare, alpha);
    aSmallerAlphaNeverLowersTheBound(hosts, failedShare, alpha);
  }

  private static void liesBetweenTheObservedRateAndOne(
      long hosts, double failedShare, double alpha) {
    long failures = (long) Math.floor(failedShare * hosts);

    double bound = FailureRateUpperBound.upperBound(hosts, failures, alpha);

    assertThat(bound).isBetween((double) failures / hosts, 1.0);
  }

  private static void aFailureNeverLowersTheBound(long hosts, double failedShare, double alpha) {
    long failures = (long) Math.floor(failedShare * hosts);

    assertThat(FailureRateUpperBound.upperBound(hosts + 1, failures + 1, alpha))
        .isGreaterThanOrEqualTo(FailureRateUpperBound.upperBound(hosts, failures, alpha));
  }

  private static void aSmallerAlphaNeverLowersTheBound(
      long hosts, double failedShare, double alpha) {
    long failures = (long) Math.floor(failedShare * hosts);

    assertThat(FailureRateUpperBound.upperBound(hosts, failures, alpha / 10))
        .isGreaterThanOrEqualTo(FailureRateUpperBound.upperBound(hosts, failures, alpha));
  }

  private static long hosts(SplittableRandom random) {
    return Seeds.longs(random, 1, 1_000_000);
  }

  /** The share of hosts that failed, 0 to 1 in steps of 1e-9. */
  private static double share(SplittableRandom random) {
    return Seeds.decimals(random, 0, 1, 9);
  }

  private static double alpha(SplittableRandom random) {
    return Seeds.decimals(random, 1e-6, 0.5, 9);
  }

  static Stream<Arguments> edgeCases() {
    List<Arguments> cases = new ArrayList<>();
    for (long hosts : new long[] {1, 2, 999_999, 1_000_000}) {
      for (double share : new double[] {0, 1e-9, 0.5, 1 - 1e-9, 1}) {
        for (double alpha : new double[] {1e-6, 1.001e-6, 0.499999999, 0.5}) {
          cases.add(Arguments.of(hosts, share, alpha));
        }
      }
    }
    return cases.stream();
  }
}
