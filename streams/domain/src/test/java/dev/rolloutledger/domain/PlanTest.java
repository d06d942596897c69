package dev.rolloutledger.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlanTest {

  private static WavePlan wave(String name) {
    return new WavePlan(name, Map.of(), null, null, 0.2, 1);
  }

  @Nested
  class WaveValidation {

    @Test
    void rejects_a_blank_name() {
      assertThatThrownBy(() -> new WavePlan(" ", Map.of(), null, null, 0.2, 1))
          .isInstanceOf(InvalidFieldException.class)
          .hasMessage("name must not be blank");
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.01, 1.01, Double.NaN, Double.POSITIVE_INFINITY})
    void rejects_a_max_crash_fraction_outside_zero_to_one(double fraction) {
      assertThatThrownBy(() -> new WavePlan("w", Map.of(), null, null, fraction, 1))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("maxCrashFraction"))
          .hasMessage("maxCrashFraction must be in [0,1]");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 1.0})
    void accepts_the_bounds_of_max_crash_fraction(double fraction) {
      assertThat(new WavePlan("w", Map.of(), null, null, fraction, 1).maxCrashFraction())
          .isEqualTo(fraction);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 101, -5})
    void rejects_a_percent_outside_one_to_hundred(int percent) {
      assertThatThrownBy(() -> new WavePlan("w", Map.of(), null, percent, 0.2, 1))
          .hasMessage("percent must be in [1,100]");
    }

    @Test
    void rejects_zero_hosts() {
      assertThatThrownBy(() -> new WavePlan("w", Map.of(), 0, null, 0.2, 1))
          .hasMessage("hosts must be >= 1");
    }

    @Test
    void rejects_hosts_and_percent_together() {
      assertThatThrownBy(() -> new WavePlan("w", Map.of(), 3, 50, 0.2, 1))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("hosts"));
    }

    @Test
    void rejects_min_crashes_below_one() {
      assertThatThrownBy(() -> new WavePlan("w", Map.of(), null, null, 0.2, 0))
          .hasMessage("minCrashes must be >= 1");
    }

    @Test
    void rejects_a_selector_with_a_blank_key_or_a_null_value() {
      Map<String, String> nullValue = new HashMap<>();
      nullValue.put("env", null);

      assertThatThrownBy(() -> new WavePlan("w", Map.of(" ", "x"), null, null, 0.2, 1))
          .hasMessage("selector key must not be blank");
      assertThatThrownBy(() -> new WavePlan("w", nullValue, null, null, 0.2, 1))
          .hasMessage("selector[env] must not be null");
    }

    @Test
    void an_error_can_be_placed_within_the_enclosing_plan() {
      InvalidFieldException e =
          new InvalidFieldException("maxCrashFraction", "must be in [0,1]").within("waves[1]");

      assertThat(e.field()).isEqualTo("waves[1].maxCrashFraction");
      assertThat(e).hasMessage("waves[1].maxCrashFraction must be in [0,1]");
    }
  }

  @Nested
  class PlanValidation {

    @Test
    void rejects_a_plan_without_waves() {
      assertThatThrownBy(() -> new Plan(List.of())).hasMessage("waves must not be empty");
      assertThatThrownBy(() -> new Plan(null)).hasMessage("waves must not be null");
    }

    @Test
    void rejects_a_repeated_wave_name_naming_the_index() {
      assertThatThrownBy(() -> new Plan(List.of(wave("a"), wave("b"), wave("a"))))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("waves[2].name"))
          .hasMessageContaining("waves[0]");
    }

    @Test
    void rejects_a_null_wave_naming_the_index() {
      assertThatThrownBy(() -> new Plan(Arrays.asList(wave("a"), null)))
          .hasMessage("waves[1] must not be null");
    }
  }

  @Nested
  class Copies {

    @Test
    void plan_and_selector_are_immutable_copies_and_selectors_iterate_sorted() {
      // Given mutable inputs in non-sorted insertion order
      Map<String, String> selector = new LinkedHashMap<>();
      selector.put("zone", "z1");
      selector.put("env", "prod");
      List<WavePlan> waves = new ArrayList<>();
      waves.add(new WavePlan("w", selector, null, null, 0.2, 1));
      Plan plan = new Plan(waves);

      // When the inputs change afterwards
      selector.put("rack", "r1");
      waves.add(wave("x"));

      // Then the plan does not
      assertThat(plan.waves()).hasSize(1);
      assertThat(plan.waves().get(0).selector().keySet()).containsExactly("env", "zone");
      assertThatThrownBy(() -> plan.waves().add(wave("y")))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> plan.waves().get(0).selector().put("a", "b"))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Nested
  class Semantics {

    @Test
    void a_selector_matches_hosts_carrying_all_its_labels() {
      WavePlan w = new WavePlan("w", Map.of("env", "prod", "zone", "z1"), null, null, 0.2, 1);

      assertThat(w.matches(Map.of("env", "prod", "zone", "z1", "rack", "r"))).isTrue();
      assertThat(w.matches(Map.of("env", "prod"))).isFalse();
      assertThat(w.matches(Map.of("env", "prod", "zone", "z2"))).isFalse();
      assertThat(wave("any").matches(Map.of())).isTrue();
    }

    @Test
    void capacity_caps_by_hosts_takes_the_ceiling_of_percent_or_takes_all() {
      assertThat(new WavePlan("w", Map.of(), 5, null, 0.2, 1).capacity(3)).isEqualTo(3);
      assertThat(new WavePlan("w", Map.of(), 5, null, 0.2, 1).capacity(9)).isEqualTo(5);
      assertThat(new WavePlan("w", Map.of(), null, 10, 0.2, 1).capacity(11)).isEqualTo(2);
      assertThat(new WavePlan("w", Map.of(), null, 10, 0.2, 1).capacity(10)).isEqualTo(1);
      assertThat(new WavePlan("w", Map.of(), null, 10, 0.2, 1).capacity(0)).isZero();
      assertThat(new WavePlan("w", Map.of(), null, 100, 0.2, 1).capacity(7)).isEqualTo(7);
      assertThat(wave("w").capacity(7)).isEqualTo(7);
    }

    @Test
    void the_classic_plan_goes_dev_staging_then_prod_by_tier_c_b_a_replicas_before_primaries() {
      Plan plan = PlanTemplates.classic();

      assertThat(plan.waves())
          .extracting(WavePlan::name)
          .containsExactly(
              "dev",
              "staging",
              "prod-canary",
              "prod-c-replicas",
              "prod-c-primaries",
              "prod-b-replicas",
              "prod-b-primaries",
              "prod-a-replicas",
              "prod-a-primaries",
              "prod-other");
      assertThat(plan.waves().get(2).selector())
          .isEqualTo(Map.of("env", "prod", "tier", "C", "role", "replica"));
      assertThat(plan.waves().get(2).hosts()).isEqualTo(2); // the first prod wave is small
      assertThat(plan.waves().get(8).selector())
          .isEqualTo(Map.of("env", "prod", "tier", "A", "role", "primary"));
      assertThat(plan.waves())
          .allSatisfy(
              w -> {
                assertThat(w.maxCrashFraction()).isEqualTo(0.2);
                assertThat(w.bake()).isPositive();
              });
      assertThat(plan.waves().get(8).bake()).isGreaterThan(plan.waves().get(3).bake());
      assertThat(plan.indexOf("prod-canary")).isEqualTo(2);
      assertThat(plan.indexOf("nope")).isEqualTo(-1);
    }
  }

  @Nested
  class FailureCap {

    @Test
    void is_the_hard_cap_of_the_waves_min_crashes_and_max_crash_fraction() {
      WavePlan wave = new WavePlan("prod", Map.of(), null, null, 0.2, 3);
      assertThat(wave.failureCap())
          .isEqualTo(
              new dev.rolloutledger.domain.gate.HardCap(
                  3, 0.2, dev.rolloutledger.domain.gate.HardCap.SHOCK_RATIO));
    }
  }
}
