package dev.rolloutledger.domain.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.Apply;
import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Decision;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostCommand;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.WavePlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Real fleets (issue 16) in the simulator: hosts off from the start ({@code fleet.offline}), hosts
 * that die applying before they report ({@code behavior.diesBeforeReport}), and the report's
 * per-wave counts. Every assertion names its seed.
 */
class RealFleetSimulationTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration BEAT = Duration.ofSeconds(10);

  /** 20% (bake 10 min), then the rest (30 min), of env=prod; 600 Apply per minute. */
  private static Plan twoWaves() {
    Map<String, String> prod = Map.of("env", "prod");
    return new Plan(
        List.of(
            new WavePlan("first", prod, null, 20, 0.2, 1, Duration.ofMinutes(10)),
            new WavePlan("rest", prod, null, null, 0.2, 1, Duration.ofMinutes(30))),
        TIMEOUT,
        0.01,
        0.01,
        2.0,
        600,
        Map.of(),
        10);
  }

  private static Scenario scenario(
      long seed,
      int hosts,
      Map<String, Double> env,
      Scenario.Offline offline,
      Scenario.Behavior behavior,
      Liveness liveness,
      Duration beat,
      Duration horizon) {
    Map<String, Map<String, Double>> labels = new TreeMap<>();
    labels.put("env", env);
    return new Scenario(
        "real-fleet",
        seed,
        horizon,
        new Scenario.Fleet(hosts, beat, labels, liveness, null, offline),
        new Scenario.Release("rel-2", Severity.NORMAL),
        behavior,
        null,
        twoWaves(),
        null,
        List.of());
  }

  private static Scenario.Behavior good() {
    return new Scenario.Behavior(
        0, Duration.ZERO, Duration.ZERO, 0.5, 0, null, 0, Duration.ofMinutes(10), null);
  }

  /** Every host that applies fails silently after 20 s; {@code dies} of them die applying. */
  private static Scenario.Behavior totalFailure(double dies) {
    return new Scenario.Behavior(
        1.0,
        Duration.ofSeconds(20),
        Duration.ofSeconds(40),
        1.0,
        0,
        null,
        0,
        Duration.ofMinutes(10),
        null,
        1.0,
        dies);
  }

  /** What each host sent, and which hosts were registered and sent an Apply, and when. */
  private static final class Watch implements Simulator.Listener {
    final Set<String> registered = new HashSet<>();
    final Map<String, Map<String, String>> labels = new HashMap<>();
    final Map<String, List<LedgerInput>> sent = new HashMap<>();
    final Map<String, Instant> applySent = new HashMap<>();
    final List<String> journal = new ArrayList<>();
    SimulationReport report;

    @Override
    public void telemetry(LedgerInput input) {
      sent.computeIfAbsent(host(input), h -> new ArrayList<>()).add(input);
    }

    @Override
    public void input(LedgerInput input) {
      if (input instanceof HostRegistered r) {
        registered.add(r.host());
        labels.put(r.host(), r.labels());
      }
    }

    @Override
    public void decision(LedgerInput input, Decision decision) {
      for (HostCommand c : decision.commands()) {
        if (c instanceof Apply a) {
          applySent.putIfAbsent(a.host(), a.issuedAt());
        }
      }
      if (!(input instanceof ClockTick) || !decision.isEmpty()) {
        journal.add(input + " -> " + decision);
      }
    }

    Set<String> silentHosts() {
      Set<String> silent = new HashSet<>(registered);
      silent.removeAll(sent.keySet());
      return silent;
    }

    Instant first(String host) {
      return at(sent.get(host).get(0));
    }

    private static String host(LedgerInput input) {
      if (input instanceof Heartbeat h) {
        return h.host();
      } else if (input instanceof UpdateApplied u) {
        return u.host();
      } else if (input instanceof CrashReport c) {
        return c.host();
      } else if (input instanceof HostBack b) {
        return b.host();
      } else if (input instanceof HostSilent s) {
        return s.host();
      }
      throw new AssertionError("not telemetry: " + input);
    }

    static Instant at(LedgerInput input) {
      return input.at();
    }
  }

  @Nested
  class OfflineHosts {
    /** A good release over 400 prod hosts, 5% of them offline as {@code offline} says. */
    private Watch run(long seed, Scenario.Offline offline, Liveness liveness, Duration horizon) {
      Watch watch = new Watch();
      watch.report =
          Simulator.run(
              scenario(seed, 400, Map.of("prod", 1.0), offline, good(), liveness, BEAT, horizon),
              watch);
      return watch;
    }

    /** Back within minutes: before the rollout (at least 40 minutes of bakes) can complete. */
    private final Scenario.Offline back =
        new Scenario.Offline(0.05, Duration.ofMinutes(5), Duration.ofMinutes(10));

    @Test
    void a_good_release_completes_with_the_hosts_that_never_come_back_recorded_unreachable() {
      for (long seed = 1; seed <= 3; seed++) {
        Watch watch =
            run(seed, new Scenario.Offline(0.03), Liveness.HEARTBEATS, Duration.ofHours(2));
        SimulationReport r = watch.report;

        assertThat(r.completed()).as("seed %d", seed).isTrue();
        assertThat(r.unreachableHosts()).as("seed %d", seed).isEqualTo(12);
        assertThat(r.waves().stream().mapToInt(SimulationReport.Wave::unreachable).sum())
            .as("seed %d", seed)
            .isEqualTo(12);
        assertThat(r.exposedHosts()).as("seed %d", seed).isEqualTo(400 - 12);
        assertThat(watch.applySent.keySet())
            .as("seed %d", seed)
            .doesNotContainAnyElementsOf(watch.silentHosts());
      }
    }

    @Test
    void exactly_their_share_of_the_fleet_never_sends_anything_when_they_never_come_back() {
      for (long seed = 1; seed <= 3; seed++) {
        Watch watch =
            run(seed, new Scenario.Offline(0.05), Liveness.HEARTBEATS, Duration.ofMinutes(30));

        assertThat(watch.registered).as("seed %d", seed).hasSize(400);
        assertThat(watch.silentHosts()).as("seed %d", seed).hasSize(20);
        for (String host : watch.sent.keySet()) {
          assertThat(watch.first(host))
              .as("seed %d: %s beats from the start", seed, host)
              .isBeforeOrEqualTo(Simulator.T0.plus(BEAT));
        }
      }
    }

    @Test
    void hosts_that_come_back_heartbeat_from_then_on_and_take_the_release() {
      for (long seed = 1; seed <= 3; seed++) {
        Watch watch = run(seed, back, Liveness.HEARTBEATS, Duration.ofHours(4));

        assertThat(watch.silentHosts()).as("seed %d", seed).isEmpty();
        List<String> late =
            watch.sent.keySet().stream()
                .filter(h -> watch.first(h).isAfter(Simulator.T0.plus(BEAT)))
                .toList();
        assertThat(late).as("seed %d", seed).hasSize(20);
        for (String host : late) {
          List<LedgerInput> beats =
              watch.sent.get(host).stream().filter(i -> i instanceof Heartbeat).toList();
          assertThat(beats).as("seed %d: %s beats once back", seed, host).hasSizeGreaterThan(1);
          assertThat(watch.sent.get(host))
              .as("seed %d: %s takes the release once back", seed, host)
              .anyMatch(i -> i instanceof UpdateApplied);
          assertThat(Duration.between(watch.first(host), Watch.at(beats.get(beats.size() - 1))))
              .as("seed %d: %s keeps beating", seed, host)
              .isGreaterThan(BEAT);
        }
      }
    }

    @Test
    void a_failure_detector_announces_each_offline_host_when_it_comes_back_and_no_other() {
      for (long seed = 1; seed <= 3; seed++) {
        Watch watch = run(seed, back, Liveness.REPORTED, Duration.ofHours(4));

        List<String> announced =
            watch.sent.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(i -> i instanceof HostBack))
                .map(Map.Entry::getKey)
                .toList();
        assertThat(announced).as("seed %d", seed).hasSize(20);
        for (String host : announced) { // nothing before it comes back
          assertThat(watch.first(host)).as("seed %d", seed).isAfter(Simulator.T0.plus(BEAT));
        }
      }
    }

    @Test
    void the_share_rounds_to_whole_hosts() {
      assertThat(new Scenario.Offline(0.03).of(10_000)).isEqualTo(300);
      assertThat(new Scenario.Offline(0.03).of(1_001)).isEqualTo(30);
      assertThat(new Scenario.Offline(1.0).of(7)).isEqualTo(7);
      assertThat(new Scenario.Offline(0.0).of(7)).isZero();
    }
  }

  @Nested
  class Partition {
    @Test
    void a_fifth_of_the_fleet_off_pauses_the_rollout_in_its_first_wave_for_unreachable_hosts() {
      for (long seed = 1; seed <= 3; seed++) {
        SimulationReport r =
            Simulator.run(
                scenario(
                    seed,
                    400,
                    Map.of("prod", 1.0),
                    new Scenario.Offline(0.2),
                    good(),
                    Liveness.HEARTBEATS,
                    BEAT,
                    Duration.ofHours(2)));

        assertThat(r.halted()).as("seed %d", seed).isFalse();
        assertThat(r.completed()).as("seed %d", seed).isFalse();
        assertThat(r.pausedWave()).as("seed %d", seed).isEqualTo("first");
        assertThat(r.pauseReason()).as("seed %d", seed).contains("unreachable");
        assertThat(r.unreachableHosts())
            .as("seed %d", seed)
            .isEqualTo(r.waves().get(0).unreachable())
            .isGreaterThan(r.waves().get(0).hosts() / 10);
        assertThat(r.toJson())
            .as("seed %d", seed)
            .contains("\"pausedWave\": \"first\",\n  \"pauseReason\": ");
      }
    }
  }

  @Nested
  class DiesBeforeReport {
    @Test
    void a_host_that_dies_applying_sends_nothing_after_its_apply_not_even_the_apply() {
      for (long seed = 1; seed <= 3; seed++) {
        Watch watch = new Watch();
        SimulationReport r =
            Simulator.run(
                scenario(
                    seed,
                    300,
                    Map.of("prod", 1.0),
                    null,
                    totalFailure(1.0),
                    Liveness.HEARTBEATS,
                    BEAT,
                    Duration.ofMinutes(20)),
                watch);

        assertThat(watch.applySent).as("seed %d", seed).isNotEmpty();
        for (Map.Entry<String, Instant> apply : watch.applySent.entrySet()) {
          assertThat(watch.sent.getOrDefault(apply.getKey(), List.of()))
              .as("seed %d: %s", seed, apply.getKey())
              .allMatch(i -> !(i instanceof UpdateApplied) && !i.at().isAfter(apply.getValue()));
        }
        assertThat(r.exposedHosts()).as("seed %d", seed).isEqualTo(watch.applySent.size());
        assertThat(r.failedHosts()).as("seed %d", seed).isEqualTo(r.exposedHosts());
      }
    }

    @Test
    void a_total_failure_before_the_report_is_halted_in_the_first_wave_as_fast_as_one_after_it() {
      for (long seed = 1; seed <= 3; seed++) {
        SimulationReport before = totalFailureRun(seed, 1.0);
        SimulationReport after = totalFailureRun(seed, 0.0);

        assertThat(before.halted()).as("seed %d", seed).isTrue();
        assertThat(before.haltedWave()).as("seed %d", seed).isEqualTo("first");
        assertThat(after.haltedWave()).as("seed %d", seed).isEqualTo("first");
        assertThat(before.exposedHosts()).as("seed %d", seed).isEqualTo(before.firstWaveHosts());
        assertThat(before.timeToHalt())
            .as("seed %d: %s before, %s after", seed, before.timeToHalt(), after.timeToHalt())
            .isLessThanOrEqualTo(after.timeToHalt());
      }
    }

    private SimulationReport totalFailureRun(long seed, double dies) {
      return Simulator.run(
          scenario(
              seed,
              300,
              Map.of("prod", 1.0),
              null,
              totalFailure(dies),
              Liveness.HEARTBEATS,
              BEAT,
              Duration.ofMinutes(20)));
    }

    @Test
    void only_that_share_of_the_failing_hosts_dies_before_its_report() {
      for (long seed = 1; seed <= 3; seed++) {
        Watch watch = new Watch();
        Simulator.run(
            scenario(
                seed,
                500,
                Map.of("prod", 1.0),
                null,
                totalFailure(0.5),
                Liveness.HEARTBEATS,
                BEAT,
                Duration.ofMinutes(20)),
            watch);

        long reported =
            watch.applySent.keySet().stream()
                .filter(
                    h ->
                        watch.sent.getOrDefault(h, List.of()).stream()
                            .anyMatch(i -> i instanceof UpdateApplied))
                .count();
        assertThat(watch.applySent).as("seed %d", seed).hasSize(100); // the first wave
        assertThat(reported).as("seed %d", seed).isBetween(25L, 75L);
      }
    }

    @Test
    void thinned_heartbeats_give_the_host_stage_the_last_beat_before_the_death() {
      for (long seed = 1; seed <= 3; seed++) {
        Scenario s =
            scenario(
                seed,
                300,
                Map.of("prod", 1.0),
                new Scenario.Offline(0.05, Duration.ofMinutes(2), Duration.ofMinutes(5)),
                totalFailure(0.5),
                Liveness.HEARTBEATS,
                Duration.ofSeconds(3),
                Duration.ofMinutes(30));
        Watch thinned = new Watch();
        Watch every = new Watch();

        String a = Simulator.run(s, thinned).toJson();
        String b = Simulator.runEveryHeartbeat(s, every).toJson();

        assertThat(a).as("seed %d", seed).isEqualTo(b);
        assertThat(thinned.journal).as("seed %d", seed).isEqualTo(every.journal);
      }
    }
  }

  @Nested
  class ReportedWaves {
    @Test
    void come_in_plan_order_and_their_hosts_add_up_to_the_hosts_the_plan_assigned() {
      for (long seed = 1; seed <= 3; seed++) {
        Watch watch = new Watch();
        SimulationReport r =
            Simulator.run(
                scenario(
                    seed,
                    500,
                    Map.of("prod", 0.9, "lab", 0.1),
                    null,
                    good(),
                    Liveness.HEARTBEATS,
                    BEAT,
                    Duration.ofHours(2)),
                watch);

        long prod = watch.labels.values().stream().filter(l -> "prod".equals(l.get("env"))).count();
        assertThat(r.completed()).as("seed %d", seed).isTrue();
        assertThat(r.waves())
            .as("seed %d", seed)
            .extracting(SimulationReport.Wave::name)
            .containsExactly("first", "rest");
        assertThat(r.waves().stream().mapToInt(SimulationReport.Wave::hosts).sum())
            .as("seed %d", seed)
            .isEqualTo((int) prod)
            .isLessThan(500);
        assertThat(r.waves().stream().mapToInt(SimulationReport.Wave::applied).sum())
            .as("seed %d", seed)
            .isEqualTo(r.exposedHosts());
        assertThat(r.waves().get(0).hosts()).as("seed %d", seed).isEqualTo(r.firstWaveHosts());
        assertThat(r.unreachableHosts())
            .as("seed %d", seed)
            .isEqualTo(r.waves().stream().mapToInt(SimulationReport.Wave::unreachable).sum());
      }
    }

    @Test
    void list_a_batched_wave_as_its_batches_and_count_their_bakes_in_the_plans_minimum() {
      Plan batched =
          new Plan(
              List.of(
                  new WavePlan(
                      "all",
                      Map.of("env", "prod"),
                      null,
                      null,
                      0.2,
                      1,
                      Duration.ofMinutes(20),
                      false,
                      null,
                      3,
                      null,
                      Duration.ofMinutes(10),
                      null)),
              TIMEOUT,
              0.01,
              0.01,
              2.0,
              600,
              Map.of(),
              10);
      Scenario base =
          scenario(
              5,
              300,
              Map.of("prod", 1.0),
              null,
              good(),
              Liveness.HEARTBEATS,
              BEAT,
              Duration.ofHours(2));
      SimulationReport r =
          Simulator.run(
              new Scenario(
                  base.name(),
                  base.seed(),
                  base.horizon(),
                  base.fleet(),
                  base.release(),
                  base.behavior(),
                  null,
                  batched,
                  null,
                  List.of()));

      assertThat(r.completed()).isTrue();
      assertThat(r.waves())
          .extracting(SimulationReport.Wave::name)
          .containsExactly("all.1", "all.2", "all.3");
      assertThat(r.waves()).extracting(SimulationReport.Wave::hosts).containsExactly(100, 100, 100);
      assertThat(r.planMinimum()).isEqualTo(Duration.ofMinutes(10 + 10 + 20));
      assertThat(r.duration())
          .isBetween(r.planMinimum(), r.planMinimum().plus(r.planMinimum().dividedBy(10)));
    }

    @Test
    void are_in_the_json_after_the_other_fields() {
      SimulationReport r =
          Simulator.run(
              scenario(
                  4,
                  200,
                  Map.of("prod", 1.0),
                  null,
                  totalFailure(0.0),
                  Liveness.HEARTBEATS,
                  BEAT,
                  Duration.ofHours(1)));
      SimulationReport.Wave first = r.waves().get(0);

      assertThat(r.halted()).isTrue();
      assertThat(first.failed()).isPositive().isLessThanOrEqualTo(first.applied());
      assertThat(r.toJson())
          .contains(
              "  \"unreachableHosts\": "
                  + r.unreachableHosts()
                  + ",\n  \"pausedWave\": null,\n  \"pauseReason\": null,\n  \"waves\": [\n    ",
              "{\"name\": \"first\", \"hosts\": "
                  + first.hosts()
                  + ", \"applied\": "
                  + first.applied()
                  + ", \"failed\": "
                  + first.failed()
                  + ", \"unreachable\": "
                  + first.unreachable()
                  + "},\n    {\"name\": \"rest\"",
              "\n  ],\n  \"inputs\": ");
    }
  }
}
