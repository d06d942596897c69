package dev.rolloutledger.domain.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.Severity;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code ledger incidents} and the server's what-if both say of an incident. */
class IncidentComparisonTest {
  private static final IncidentComparison.Historical ALL_AT_ONCE =
      new IncidentComparison.Historical(Duration.ofMinutes(78), 10_000, 9_717);

  @Test
  void a_halt_is_told_beside_the_historical_outage() {
    IncidentComparison c =
        new IncidentComparison(
            "crowdstrike-2024",
            10_000,
            ALL_AT_ONCE,
            new IncidentComparison.Staged(
                true,
                "devbox",
                "crash",
                91,
                91,
                90,
                Duration.ofSeconds(22),
                false,
                Duration.ofSeconds(23)));

    assertThat(c.summary())
        .isEqualTo(
            "All at once, crowdstrike-2024 reached 10,000 of 10,000 hosts within 1 h 18 min and"
                + " 9,717 failed; under this plan it was halted in wave devbox by the crash signal"
                + " 22 s after the first apply, with 91 hosts exposed and 90 failed.");
  }

  @Test
  void a_good_release_has_no_history_and_completes() {
    IncidentComparison c =
        new IncidentComparison(
            "good-release",
            10_000,
            null,
            new IncidentComparison.Staged(
                false, null, null, 91, 10_000, 0, null, true, Duration.ofDays(8)));

    assertThat(c.summary())
        .isEqualTo(
            "Under this plan good-release it was not halted and completed in 8 d, with 10,000"
                + " hosts exposed and 0 failed.");
  }

  @Test
  void a_run_that_ends_at_its_horizon_says_so() {
    IncidentComparison c =
        new IncidentComparison(
            "x",
            10,
            ALL_AT_ONCE,
            new IncidentComparison.Staged(
                false, null, null, 1, 0, 0, null, false, Duration.ofDays(1)));

    assertThat(c.summary()).contains("it was neither halted nor completed within 1 d");
  }

  @Test
  void durations_read_as_people_write_them() {
    assertThat(IncidentComparison.human(Duration.ofSeconds(236))).isEqualTo("3 min 56 s");
    assertThat(IncidentComparison.human(Duration.ofMinutes(550))).isEqualTo("9 h 10 min");
    assertThat(IncidentComparison.human(Duration.ofMillis(1500))).isEqualTo("1.5 s");
    assertThat(IncidentComparison.human(Duration.ZERO)).isEqualTo("0 s");
  }

  @Test
  void a_library_scenario_with_its_own_plan_is_refused_naming_the_field() {
    Scenario withPlan =
        new Scenario(
            "s",
            1,
            Duration.ofHours(1),
            new Scenario.Fleet(10, Duration.ofSeconds(10), Map.of()),
            new Scenario.Release("r", Severity.NORMAL),
            new Scenario.Behavior(
                0, Duration.ZERO, Duration.ZERO, 0, 0, null, 0, Duration.ofMinutes(10), null),
            null,
            Plan.defaultPlan(),
            null,
            null);

    assertThatThrownBy(() -> IncidentComparison.requireNoPlan(withPlan))
        .isInstanceOf(InvalidFieldException.class)
        .extracting(e -> ((InvalidFieldException) e).field())
        .isEqualTo("plan");
    assertThat(IncidentComparison.requireNoPlan(withPlan.withPlan(null)).plan()).isNull();
  }
}
