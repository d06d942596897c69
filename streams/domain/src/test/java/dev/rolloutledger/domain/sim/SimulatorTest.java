package dev.rolloutledger.domain.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.Decision;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.WavePlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Whole rollouts through the real engine in virtual time, against the engine issue's yardsticks for
 * a few seeds each (the 300-run figures come from load-tests' DecisionQuality, in
 * docs/decision-quality.md).
 */
class SimulatorTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** canary 2 hosts (bake 10 min), 20% (30 min), the rest (1 h); 600 Apply per minute. */
  private static Plan threeWaves() {
    return threeWaves(Map.of());
  }

  private static Plan threeWaves(Map<String, Double> limits) {
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
        limits,
        10);
  }

  private static Scenario scenario(
      long seed, int hosts, Scenario.Behavior behavior, Severity severity) {
    Map<String, Map<String, Double>> labels = new TreeMap<>();
    labels.put("env", Map.of("prod", 1.0));
    labels.put("region", Map.of("eu", 0.5, "us", 0.5));
    return new Scenario(
        "test",
        seed,
        Duration.ofHours(6),
        new Scenario.Fleet(hosts, Duration.ofSeconds(10), labels),
        new Scenario.Release("rel-2", severity),
        behavior,
        null,
        threeWaves(),
        new Scenario.Historical(Duration.ofMinutes(5)),
        List.of());
  }

  private static Scenario.Behavior failing(double p, Duration delay, double silent) {
    return new Scenario.Behavior(
        p, delay, delay.multipliedBy(2), silent, 0.0, null, 0.0001, Duration.ofMinutes(10), null);
  }

  private static Scenario.Behavior good() {
    return failing(0, Duration.ZERO, 0.5);
  }

  @Nested
  class TotalSilentFailure {
    @Test
    void is_halted_within_the_heartbeat_timeout_plus_five_seconds_with_only_the_first_wave() {
      for (long seed = 1; seed <= 5; seed++) {
        // CrowdStrike 2024: every host that applies dies within seconds and reports nothing.
        SimulationReport r =
            Simulator.run(
                scenario(seed, 500, failing(1.0, Duration.ofSeconds(5), 1.0), Severity.NORMAL));

        assertThat(r.halted()).as("seed %d", seed).isTrue();
        assertThat(r.haltSignal()).isEqualTo("silence");
        assertThat(r.duration().minus(r.firstFailure()))
            .isLessThanOrEqualTo(TIMEOUT.plusSeconds(5));
        assertThat(r.exposedHosts()).isEqualTo(r.firstWaveHosts()).isEqualTo(2);
        assertThat(r.historicalExposedHosts()).isEqualTo(500);
        assertThat(r.historicalFailedHosts()).isEqualTo(500);
      }
    }
  }

  @Nested
  class CrashingRelease {
    @Test
    void a_release_that_crashes_half_the_hosts_it_reaches_is_halted_early() {
      SimulationReport r =
          Simulator.run(
              scenario(11, 500, failing(0.5, Duration.ofSeconds(20), 0.0), Severity.NORMAL));

      assertThat(r.halted()).isTrue();
      assertThat(r.exposedHosts()).isLessThanOrEqualTo(2 + 100); // at worst canary and 20%
      assertThat(r.completed()).isFalse();
    }
  }

  @Nested
  class GoodRelease {
    @Test
    void completes_within_ten_percent_of_the_plans_own_minimum_time() {
      SimulationReport r = Simulator.run(scenario(3, 500, good(), Severity.NORMAL));

      assertThat(r.halted()).isFalse();
      assertThat(r.completed()).isTrue();
      assertThat(r.promotedWaves()).containsExactly("canary", "early", "rest");
      assertThat(r.planMinimum()).isEqualTo(Duration.ofMinutes(10 + 30 + 60));
      assertThat(r.duration())
          .isBetween(r.planMinimum(), r.planMinimum().plus(r.planMinimum().dividedBy(10)));
      assertThat(r.exposedHosts()).isEqualTo(500);
    }

    @Test
    void over_the_classic_plan_a_wave_without_hosts_adds_nothing_to_the_plans_minimum() {
      // every prod host has a tier and a role: the classic plan's last wave (prod-other) is empty
      Map<String, Map<String, Double>> labels = new TreeMap<>();
      labels.put("env", Map.of("dev", 0.1, "staging", 0.1, "prod", 0.8));
      labels.put("tier", Map.of("A", 0.3, "B", 0.3, "C", 0.4));
      labels.put("role", Map.of("primary", 0.5, "replica", 0.5));
      Scenario s =
          new Scenario(
              "classic plan",
              4,
              Duration.ofDays(1),
              new Scenario.Fleet(300, Duration.ofSeconds(10), labels),
              new Scenario.Release("rel-2", Severity.NORMAL),
              good(),
              null,
              dev.rolloutledger.domain.PlanTemplates.classic(),
              null,
              List.of());

      SimulationReport r = Simulator.run(s);

      assertThat(r.completed()).isTrue();
      assertThat(r.planMinimum()).isLessThan(Duration.ofHours(10)); // 9 h 10 min of bakes
      assertThat(r.duration())
          .isBetween(r.planMinimum(), r.planMinimum().plus(r.planMinimum().dividedBy(10)));
    }

    @Test
    void an_emergency_takes_every_wave_with_compressed_bakes() {
      SimulationReport r = Simulator.run(scenario(3, 500, good(), Severity.EMERGENCY));

      assertThat(r.promotedWaves()).containsExactly("canary", "early", "rest");
      assertThat(r.planMinimum()).isEqualTo(Duration.ofMinutes(10));
      assertThat(r.duration()).isLessThan(Duration.ofMinutes(12));
    }
  }

  @Nested
  class Determinism {
    @Test
    void the_same_scenario_and_seed_give_the_same_report_and_log_byte_for_byte() {
      Scenario s = scenario(5, 300, failing(0.3, Duration.ofMinutes(1), 0.5), Severity.NORMAL);
      List<String> first = new ArrayList<>();
      List<String> second = new ArrayList<>();

      String a = Simulator.run(s, recorder(first)).toJson();
      String b = Simulator.run(s, recorder(second)).toJson();

      assertThat(b).isEqualTo(a);
      assertThat(second).isEqualTo(first);
      assertThat(first).hasSizeGreaterThan(300);
    }

    @Test
    void another_seed_gives_another_run() {
      Scenario.Behavior b = failing(0.3, Duration.ofMinutes(1), 0.5);
      String a = Simulator.run(scenario(5, 300, b, Severity.NORMAL)).toJson();
      String c = Simulator.run(scenario(6, 300, b, Severity.NORMAL)).toJson();

      assertThat(c).isNotEqualTo(a);
    }
  }

  private static Simulator.Listener recorder(List<String> into) {
    return new Simulator.Listener() {
      @Override
      public void decision(LedgerInput input, Decision decision) {
        if (!(input instanceof ClockTick) || !decision.isEmpty()) {
          into.add(input + " -> " + decision);
        }
      }
    };
  }

  /**
   * The host stage given only the heartbeats that matter forwards what it forwards given every
   * heartbeat: the same journal, so the same decisions, second for second.
   */
  @Nested
  class ThinnedHeartbeats {
    private void sameAsEveryHeartbeat(Scenario s) {
      List<String> thinned = new ArrayList<>();
      List<String> every = new ArrayList<>();

      String a = Simulator.run(s, recorder(thinned)).toJson();
      String b = Simulator.runEveryHeartbeat(s, recorder(every)).toJson();

      assertThat(a).isEqualTo(b);
      assertThat(thinned).isEqualTo(every);
    }

    private Scenario withPlan(Scenario s, Plan plan, Duration interval) {
      return new Scenario(
          s.name(),
          s.seed(),
          s.horizon(),
          new Scenario.Fleet(
              s.fleet().hosts(), interval, s.fleet().labels(), s.fleet().liveness(), null),
          s.release(),
          s.behavior(),
          s.policy(),
          plan,
          s.historical(),
          s.approvals());
    }

    /** Silent, crashing and hot failures that recover, background outages and a shock. */
    private Scenario.Behavior mixed() {
      return new Scenario.Behavior(
          0.3,
          Duration.ofSeconds(40),
          Duration.ofMinutes(3),
          0.4,
          0.3,
          Duration.ofMinutes(2),
          0.01,
          Duration.ofMinutes(3),
          List.of(
              new Scenario.Shock(
                  Duration.ofMinutes(5), Duration.ofSeconds(50), Map.of("region", "eu"), 0.1)));
    }

    @Test
    void silent_failures_give_the_same_journal() {
      for (long seed = 1; seed <= 3; seed++) {
        sameAsEveryHeartbeat(
            scenario(seed, 300, failing(0.97, Duration.ofSeconds(20), 0.98), Severity.NORMAL));
      }
    }

    @Test
    void mixed_failures_with_metric_ceilings_give_the_same_journal() {
      Plan limited = threeWaves(Map.of("cpu", 0.9, "errorRate", 0.5));
      for (long seed = 1; seed <= 3; seed++) {
        Scenario s = scenario(seed, 200, mixed(), Severity.NORMAL);
        for (int interval : new int[] {3, 7, 10, 20}) {
          sameAsEveryHeartbeat(withPlan(s, limited, Duration.ofSeconds(interval)));
        }
      }
    }

    @Test
    void a_reported_fleet_gives_the_same_journal() {
      Plan limited = threeWaves(Map.of("cpu", 0.9));
      Scenario s = scenario(4, 200, mixed(), Severity.NORMAL);
      sameAsEveryHeartbeat(
          withPlan(
              s.withFleet(s.fleet().withLiveness(Liveness.REPORTED)),
              limited,
              Duration.ofSeconds(10)));
    }
  }

  /** Liveness reported by a failure detector (ADR 0006) against the same fleet beating. */
  @Nested
  class ReportedLiveness {
    private Scenario reported(Scenario s) {
      return s.withFleet(s.fleet().withLiveness(Liveness.REPORTED));
    }

    private static String outcome(SimulationReport r) {
      return String.join(
          " ",
          String.valueOf(r.halted()),
          String.valueOf(r.haltedWave()),
          String.valueOf(r.haltSignal()),
          String.valueOf(r.exposedHosts()),
          String.valueOf(r.failedHosts()),
          String.valueOf(r.timeToHalt()),
          String.valueOf(r.promotedWaves()),
          String.valueOf(r.completed()),
          String.valueOf(r.duration()));
    }

    @Test
    void a_silent_failure_is_halted_at_the_same_second_from_as_many_inputs() {
      for (long seed = 1; seed <= 3; seed++) {
        Scenario beating =
            scenario(seed, 1_000, failing(0.97, Duration.ofSeconds(20), 0.98), Severity.NORMAL);
        SimulationReport hb = Simulator.run(beating);
        SimulationReport rep = Simulator.run(reported(beating));

        assertThat(rep.halted()).isTrue();
        assertThat(outcome(rep)).isEqualTo(outcome(hb));
        // both journals hold news only (ADR 0007): a detector's reports where the host stage's
        // were, and the host stage's first sight of each host (version 5, reachability)
        assertThat(hb.inputs()).isEqualTo(rep.inputs() + 1_000);
      }
    }

    @Test
    void a_good_release_completes_the_same_way_without_a_heartbeat_per_host_and_timeout() {
      Scenario beating = scenario(2, 500, good(), Severity.NORMAL);
      SimulationReport hb = Simulator.run(beating);
      List<LedgerInput> inputs = new ArrayList<>();
      SimulationReport rep =
          Simulator.run(
              reported(beating),
              new Simulator.Listener() {
                @Override
                public void input(LedgerInput input) {
                  inputs.add(input);
                }
              });

      assertThat(rep.completed()).isTrue();
      assertThat(outcome(rep)).isEqualTo(outcome(hb));
      // background failures are reported (0.0001 per host-hour over 500 hosts), healthy hosts not
      assertThat(inputs).noneMatch(i -> i instanceof Heartbeat);
      assertThat(inputs.stream().filter(i -> i instanceof HostSilent).count())
          .isEqualTo(inputs.stream().filter(i -> i instanceof HostBack).count());
      // the host stage absorbs the beating fleet's heartbeats as the detector spares them (ADR
      // 0007), but for its first sight of each host (version 5, reachability)
      assertThat(hb.inputs()).isEqualTo(rep.inputs() + 500);
    }

    @Test
    void a_detector_report_names_the_hosts_last_sign_of_life() {
      Scenario s =
          reported(scenario(4, 300, failing(1.0, Duration.ofSeconds(40), 1.0), Severity.NORMAL));
      List<HostSilent> reports = new ArrayList<>();
      Simulator.run(
          s,
          new Simulator.Listener() {
            @Override
            public void input(LedgerInput input) {
              if (input instanceof HostSilent h) {
                reports.add(h);
              }
            }
          });

      assertThat(reports)
          .isNotEmpty()
          .allSatisfy(
              h -> {
                // the default detector delay is the heartbeat interval (10 s)
                assertThat(Duration.between(h.lastSeenAt(), h.at()))
                    .isGreaterThanOrEqualTo(Duration.ZERO)
                    .isLessThanOrEqualTo(Duration.ofSeconds(10));
              });
    }
  }

  @Nested
  class InvalidScenarios {
    @Test
    void name_the_field_they_refuse() {
      assertThatThrownBy(
              () ->
                  new Scenario.Fleet(
                      10, Duration.ofSeconds(10), Map.of("env", Map.of("dev", 0.5, "prod", 0.4))))
          .isInstanceOf(InvalidFieldException.class)
          .extracting(e -> ((InvalidFieldException) e).field())
          .isEqualTo("fleet.labels.env");
      assertThatThrownBy(() -> new Scenario.Fleet(0, Duration.ofSeconds(10), Map.of()))
          .extracting(e -> ((InvalidFieldException) e).field())
          .isEqualTo("fleet.hosts");
      assertThatThrownBy(() -> failing(1.5, Duration.ZERO, 0))
          .extracting(e -> ((InvalidFieldException) e).field())
          .isEqualTo("behavior.failProbability");
      assertThatThrownBy(
              () ->
                  new Scenario(
                      "x",
                      1,
                      Duration.ofHours(1),
                      new Scenario.Fleet(1, Duration.ofSeconds(10), Map.of()),
                      new Scenario.Release("r", Severity.NORMAL),
                      good(),
                      null,
                      null,
                      null,
                      List.of(new Scenario.Approval("nope", Duration.ZERO))))
          .extracting(e -> ((InvalidFieldException) e).field())
          .isEqualTo("approvals.wave");
    }
  }
}
