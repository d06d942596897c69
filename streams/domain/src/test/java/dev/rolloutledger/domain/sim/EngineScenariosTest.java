package dev.rolloutledger.domain.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.WavePlan;
import dev.rolloutledger.domain.sim.FleetSimulation.Behaviour;
import dev.rolloutledger.domain.sim.FleetSimulation.Result;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Whole rollouts through the real engine in virtual time, against the engine issue's yardsticks for
 * one run each (the 300-run statistics are the simulator's, in the replay issue).
 */
class EngineScenariosTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration HEARTBEAT = Duration.ofSeconds(10);

  /** canary 2 hosts (bake 10 min), 20% (30 min), the rest (1 h); 600 Apply per minute. */
  private static Plan threeWaves() {
    Map<String, String> prod = Map.of("env", "prod");
    return new Plan(
        List.of(
            new WavePlan("canary", prod, 2, null, 0.2, 1, Duration.ofMinutes(10)),
            new WavePlan("early", prod, null, 20, 0.2, 1, Duration.ofMinutes(30)),
            new WavePlan("rest", prod, null, null, 0.2, 1, Duration.ofHours(1))),
        TIMEOUT,
        0.01,
        0.01,
        2.0,
        600,
        Map.of(),
        10);
  }

  @Nested
  class TotalSilentFailure {
    @Test
    void
        is_halted_within_the_heartbeat_timeout_plus_five_seconds_with_only_the_first_wave_exposed() {
      // CrowdStrike 2024: every host that applies dies within seconds and reports nothing.
      Result r =
          new FleetSimulation(7, new Behaviour(1.0, Duration.ofSeconds(5), true))
              .run(500, threeWaves(), HEARTBEAT, Duration.ofHours(3));

      assertThat(r.halted()).isNotNull();
      assertThat(r.haltReason()).isEqualTo("silent hosts");
      // time from the first failure to HALT, in event time
      assertThat(Duration.between(r.firstFailure(), r.halted()))
          .isLessThanOrEqualTo(TIMEOUT.plusSeconds(5));
      assertThat(r.exposedHosts()).isEqualTo(2); // the first wave, nothing more
    }
  }

  @Nested
  class CrashingRelease {
    @Test
    void a_release_that_crashes_half_the_hosts_is_halted_in_the_canary() {
      Result r =
          new FleetSimulation(11, new Behaviour(0.5, Duration.ofSeconds(20), false))
              .run(500, threeWaves(), HEARTBEAT, Duration.ofHours(3));

      assertThat(r.halted()).isNotNull();
      assertThat(r.exposedHosts()).isLessThanOrEqualTo(2 + 100); // at worst the canary and 20%
    }
  }

  @Nested
  class GoodRelease {
    @Test
    void completes_within_ten_percent_of_the_plans_own_minimum_time() {
      Result r =
          new FleetSimulation(3, Behaviour.good())
              .run(500, threeWaves(), HEARTBEAT, Duration.ofHours(3));

      assertThat(r.halted()).isNull();
      assertThat(r.completed()).isNotNull();
      // the plan's minimum: its bakes (dispatch of at most 400 hosts at 600/min fits in one minute)
      Duration minimum = Duration.ofMinutes(10 + 30 + 60);
      Duration took = Duration.between(FleetSimulation.T0, r.completed());
      assertThat(took).isBetween(minimum, minimum.plus(minimum.dividedBy(10)));
      assertThat(r.exposedHosts()).isEqualTo(500);
    }
  }
}
