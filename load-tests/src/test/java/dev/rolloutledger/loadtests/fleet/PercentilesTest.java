package dev.rolloutledger.loadtests.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PercentilesTest {
  @Test
  void nearest_rank_of_one_to_one_hundred_is_the_percent_itself() {
    double[] values = new double[100];
    for (int i = 0; i < 100; i++) {
      values[i] = 100 - i; // unsorted on purpose
    }
    Percentiles p = new Percentiles(values);

    assertThat(p.at(50)).isEqualTo(50);
    assertThat(p.at(99)).isEqualTo(99);
    assertThat(p.min()).isEqualTo(1);
    assertThat(p.max()).isEqualTo(100);
  }

  @Test
  void p99_of_a_small_sample_is_its_maximum() {
    Percentiles p = new Percentiles(new double[] {3, 1, 2, 10});

    assertThat(p.at(99)).isEqualTo(10);
    assertThat(p.at(50)).isEqualTo(2);
  }

  @Test
  void an_empty_sample_has_no_percentiles() {
    assertThat(new Percentiles(new double[0]).at(50)).isNaN();
  }
}
