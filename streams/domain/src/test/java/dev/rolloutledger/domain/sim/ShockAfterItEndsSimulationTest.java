package dev.rolloutledger.domain.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.WavePlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * DecisionQuality's good-shock case (docs/decision-quality.md): a good release over 2,000 hosts
 * with background failures, and 30% of region eu dark for 10 minutes during the 10% wave. Seeds 21
 * and 56 halted falsely on a version 2 journal, after the shock, by the failure fraction cap: the
 * wave's hosts the shock silenced were still counted once the baseline had recovered. A version 3
 * journal counts a silence only while it lasts; a release that kills its hosts silently still halts
 * in its first wave, as fast.
 */
class ShockAfterItEndsSimulationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final EngineConfig V2 = EngineConfig.defaults().journalV2();
  private static final EngineConfig V3 = EngineConfig.defaults().journalV3();

  /** DecisionQuality.goodRelease with its shock, and a release failing as {@code behavior}. */
  private static Scenario goodShock(long seed, double failProbability, double silentFraction) {
    Map<String, String> prod = Map.of("env", "prod");
    Plan plan =
        new Plan(
            List.of(
                new WavePlan("canary", prod, 20, null, 0.2, 1, Duration.ofMinutes(10)),
                new WavePlan("early", prod, null, 10, 0.2, 1, Duration.ofMinutes(30)),
                new WavePlan("rest", prod, null, 100, 0.2, 1, Duration.ofHours(1))),
            TIMEOUT,
            0.01,
            0.01,
            2.0,
            600,
            Map.of(),
            10);
    Map<String, Map<String, Double>> labels = new TreeMap<>();
    labels.put("env", Map.of("prod", 1.0));
    labels.put("region", Map.of("eu", 0.5, "us", 0.5));
    return new Scenario(
        "good-shock",
        seed,
        Duration.ofHours(6),
        new Scenario.Fleet(2_000, Duration.ofSeconds(10), labels),
        new Scenario.Release("good-1", Severity.NORMAL),
        new Scenario.Behavior(
            failProbability,
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            silentFraction,
            0.0,
            null,
            0.02,
            Duration.ofMinutes(10),
            List.of(
                new Scenario.Shock(
                    Duration.ofMinutes(20), Duration.ofMinutes(10), Map.of("region", "eu"), 0.3))),
        null,
        plan,
        null,
        List.of());
  }

  @Test
  void seeds_21_and_56_halted_after_the_shock_on_a_version_2_journal() {
    for (long seed : new long[] {21, 56}) {
      SimulationReport r = Simulator.run(goodShock(seed, 0.0, 0.5), V2);
      assertThat(r.halted()).as("seed %d", seed).isTrue();
      assertThat(r.haltedWave()).as("seed %d", seed).isEqualTo("early");
    }
  }

  @Test
  void seeds_21_and_56_complete_on_a_version_3_journal() {
    for (long seed : new long[] {21, 56}) {
      SimulationReport r = Simulator.run(goodShock(seed, 0.0, 0.5), V3);
      assertThat(r.halted()).as("seed %d", seed).isFalse();
      assertThat(r.completed()).as("seed %d", seed).isTrue();
    }
  }

  @Test
  void a_release_whose_hosts_die_silently_halts_in_the_canary_as_fast_as_before() {
    for (long seed : new long[] {21, 56}) {
      SimulationReport v2 = Simulator.run(goodShock(seed, 1.0, 1.0), V2);
      SimulationReport v3 = Simulator.run(goodShock(seed, 1.0, 1.0), V3);
      assertThat(v3.halted()).as("seed %d", seed).isTrue();
      assertThat(v3.haltedWave()).isEqualTo("canary");
      assertThat(v3.duration()).isEqualTo(v2.duration());
      assertThat(v3.exposedHosts()).isEqualTo(v2.exposedHosts());
    }
  }
}
