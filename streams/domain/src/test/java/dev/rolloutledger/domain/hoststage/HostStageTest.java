package dev.rolloutledger.domain.hoststage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Detector;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.WavePlan;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HostStageTest {
  static final String T = "acme";
  static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

  final HostStage stage = new HostStage();

  static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  static Heartbeat beat(String host, long s, Map<String, Double> metrics) {
    return new Heartbeat(T, at(s), host, "r1", metrics);
  }

  static Plan plan(Duration timeout, Map<String, Double> limits, Liveness liveness) {
    WavePlan all = new WavePlan("all", Map.of(), null, 100, 0.5, 1, Duration.ofMinutes(1));
    return new Plan(List.of(all), timeout, 0.01, 0.01, 2.0, 600, limits, 10).withLiveness(liveness);
  }

  void watch(Plan... plans) {
    stage.watch(HostWatch.of(T, List.of(plans)));
  }

  @Nested
  class Absorbs {
    @Test
    void a_heartbeat_that_says_still_alive_is_written_nowhere() {
      watch(plan(Duration.ofSeconds(30), Map.of("cpu", 0.9), Liveness.HEARTBEATS));
      assertThat(stage.absorb(beat("h1", 1, Map.of("cpu", 0.2))).news()).isEmpty();
      HostStage.Absorbed second = stage.absorb(beat("h1", 11, Map.of("cpu", 0.3)));
      assertThat(second).isSameAs(HostStage.NOTHING);
      assertThat(second.slotChanged()).isFalse();
    }

    @Test
    void the_first_sight_of_a_host_is_a_transition_for_the_changelog_but_not_news() {
      HostStage.Absorbed first = stage.absorb(beat("h1", 1, Map.of()));
      assertThat(first.news()).isEmpty();
      assertThat(first.slotChanged()).isTrue();
      assertThat(stage.slot(T, "h1").lastSeenAt()).isEqualTo(at(1));
    }

    @Test
    void applies_crashes_and_a_detectors_reports_always_go_on() {
      var applied = new UpdateApplied(T, at(1), "h1", "r1", true, null);
      var crash = new CrashReport(T, at(2), "h1", "r1", "BSOD", "KERNEL");
      var silent = new HostSilent(T, at(3), "h2", at(1));
      var back = new HostBack(T, at(4), "h2");
      assertThat(stage.absorb(applied).news()).containsExactly(applied);
      assertThat(stage.absorb(crash).news()).containsExactly(crash);
      assertThat(stage.absorb(silent).news()).containsExactly(silent);
      assertThat(stage.absorb(back).news()).containsExactly(back);
    }
  }

  @Nested
  class Metrics {
    @Test
    void a_heartbeat_crossing_a_ceiling_and_coming_back_is_news_each_way_once() {
      watch(plan(Duration.ofSeconds(30), Map.of("cpu", 0.9), Liveness.HEARTBEATS));
      stage.absorb(beat("h1", 1, Map.of("cpu", 0.5)));
      Heartbeat hot = beat("h1", 11, Map.of("cpu", 0.95));
      assertThat(stage.absorb(hot).news()).containsExactly(hot);
      assertThat(stage.absorb(beat("h1", 21, Map.of("cpu", 0.97))).news()).isEmpty();
      Heartbeat cool = beat("h1", 31, Map.of("cpu", 0.4));
      assertThat(stage.absorb(cool).news()).containsExactly(cool);
      assertThat(stage.absorb(beat("h1", 41, Map.of("cpu", 0.4))).news()).isEmpty();
    }

    @Test
    void with_two_plans_crossing_the_higher_ceiling_too_is_news() {
      watch(
          plan(Duration.ofSeconds(30), Map.of("cpu", 0.8), Liveness.HEARTBEATS),
          plan(Duration.ofSeconds(30), Map.of("cpu", 0.9), Liveness.HEARTBEATS));
      assertThat(stage.absorb(beat("h1", 1, Map.of("cpu", 0.85))).news()).hasSize(1);
      assertThat(stage.absorb(beat("h1", 2, Map.of("cpu", 0.86))).news()).isEmpty();
      assertThat(stage.absorb(beat("h1", 3, Map.of("cpu", 0.95))).news()).hasSize(1);
    }

    @Test
    void an_over_ceiling_heartbeat_naming_another_release_is_news() {
      watch(plan(Duration.ofSeconds(30), Map.of("cpu", 0.9), Liveness.HEARTBEATS));
      stage.absorb(new Heartbeat(T, at(1), "h1", "r0", Map.of("cpu", 0.95)));
      Heartbeat updated = new Heartbeat(T, at(2), "h1", "r1", Map.of("cpu", 0.95));
      assertThat(stage.absorb(updated).news()).containsExactly(updated);
    }

    @Test
    void metrics_no_plan_watches_are_absorbed() {
      watch(plan(Duration.ofSeconds(30), Map.of("cpu", 0.9), Liveness.HEARTBEATS));
      assertThat(stage.absorb(beat("h1", 1, Map.of("memory", 99.0))).news()).isEmpty();
    }

    @Test
    void after_the_watch_changes_only_hosts_over_a_ceiling_are_forwarded_again() {
      watch(plan(Duration.ofSeconds(30), Map.of("cpu", 0.9), Liveness.HEARTBEATS));
      stage.absorb(beat("cool", 1, Map.of("cpu", 0.1)));
      stage.absorb(beat("hot", 1, Map.of("cpu", 0.95)));
      watch(plan(Duration.ofSeconds(60), Map.of("cpu", 0.9), Liveness.HEARTBEATS));
      assertThat(stage.absorb(beat("cool", 2, Map.of("cpu", 0.1))).news()).isEmpty();
      assertThat(stage.absorb(beat("hot", 2, Map.of("cpu", 0.95))).news()).hasSize(1);
      assertThat(stage.absorb(beat("hot", 3, Map.of("cpu", 0.95))).news()).isEmpty();
    }
  }

  @Nested
  class Answers {
    @Test
    void after_a_crash_the_next_heartbeat_is_news_so_a_baseline_host_can_recover() {
      watch(plan(Duration.ofSeconds(30), Map.of("cpu", 0.9), Liveness.HEARTBEATS));
      stage.absorb(beat("h1", 1, Map.of()));
      stage.absorb(new CrashReport(T, at(2), "h1", "r0", "BSOD", "KERNEL"));
      Heartbeat up = beat("h1", 12, Map.of("cpu", 0.1));
      assertThat(stage.absorb(up).news()).containsExactly(up);
      assertThat(stage.absorb(beat("h1", 22, Map.of("cpu", 0.1))).news()).isEmpty();
    }

    @Test
    void after_a_failed_apply_too_but_not_after_a_good_one() {
      stage.absorb(new UpdateApplied(T, at(1), "h1", "r1", false, "disk full"));
      assertThat(stage.absorb(beat("h1", 2, Map.of())).news()).hasSize(1);
      stage.absorb(new UpdateApplied(T, at(3), "h2", "r1", true, null));
      assertThat(stage.absorb(beat("h2", 4, Map.of())).news()).isEmpty();
    }

    @Test
    void a_rollout_that_starts_with_the_same_ceilings_gets_the_hosts_over_them_again() {
      Plan p = plan(Duration.ofSeconds(30), Map.of("cpu", 0.9), Liveness.HEARTBEATS);
      stage.watch(HostWatch.of(T, Map.of("r1", p)));
      stage.absorb(beat("hot", 1, Map.of("cpu", 0.95)));
      stage.absorb(beat("cool", 1, Map.of("cpu", 0.1)));
      stage.watch(HostWatch.of(T, Map.of("r1", p, "r2", p)));
      assertThat(stage.absorb(beat("hot", 2, Map.of("cpu", 0.95))).news()).hasSize(1);
      assertThat(stage.absorb(beat("cool", 2, Map.of("cpu", 0.1))).news()).isEmpty();
    }
  }

  @Nested
  class Silence {
    @Test
    void a_host_quiet_past_half_the_timeout_less_a_tick_is_reported_once_with_its_last_sight() {
      watch(plan(Duration.ofSeconds(30), Map.of(), Liveness.HEARTBEATS));
      stage.absorb(beat("h1", 10, Map.of()));
      stage.absorb(beat("h2", 20, Map.of()));
      // silenceAfter = 15 s - 1 s = 14 s: h1 is due after second 24
      assertThat(stage.tick(at(24))).isEmpty();
      List<HostSilent> due = stage.tick(at(25));
      assertThat(due).containsExactly(new HostSilent(T, at(25), "h1", at(10), Detector.HOST_STAGE));
      assertThat(stage.tick(at(26))).isEmpty();
      assertThat(stage.tick(at(35)))
          .containsExactly(new HostSilent(T, at(35), "h2", at(20), Detector.HOST_STAGE));
    }

    @Test
    void the_next_heartbeat_after_a_report_answers_it() {
      watch(plan(Duration.ofSeconds(30), Map.of(), Liveness.HEARTBEATS));
      stage.absorb(beat("h1", 10, Map.of()));
      stage.tick(at(30));
      Heartbeat back = beat("h1", 31, Map.of());
      assertThat(stage.absorb(back).news()).containsExactly(back);
      assertThat(stage.absorb(beat("h1", 41, Map.of())).news()).isEmpty();
      assertThat(stage.tick(at(55))).isEmpty();
      assertThat(stage.tick(at(56))).hasSize(1); // quiet again past 14 s after 41
    }

    @Test
    void a_detectors_report_is_answered_by_the_next_heartbeat_too() {
      stage.absorb(beat("h1", 10, Map.of()));
      stage.absorb(new HostSilent(T, at(20), "h1", at(10)));
      assertThat(stage.absorb(beat("h1", 21, Map.of())).news()).hasSize(1);
    }

    @Test
    void without_a_heartbeats_plan_nobody_is_reported() {
      watch(plan(Duration.ofSeconds(30), Map.of(), Liveness.REPORTED));
      stage.absorb(beat("h1", 10, Map.of()));
      assertThat(stage.tick(at(1000))).isEmpty();
    }

    @Test
    void a_host_bound_later_keeps_its_true_last_sight() {
      stage.absorb(beat("h1", 10, Map.of()));
      assertThat(stage.tick(at(100))).isEmpty();
      watch(plan(Duration.ofSeconds(30), Map.of(), Liveness.HEARTBEATS));
      assertThat(stage.tick(at(101)))
          .containsExactly(new HostSilent(T, at(101), "h1", at(10), Detector.HOST_STAGE));
    }

    @Test
    void an_apply_is_a_sign_of_life_so_a_host_that_dies_applying_is_reported_from_the_apply() {
      watch(plan(Duration.ofSeconds(30), Map.of(), Liveness.HEARTBEATS));
      stage.absorb(beat("h1", 1, Map.of()));
      stage.absorb(new UpdateApplied(T, at(5), "h1", "r1", true, null));
      assertThat(stage.tick(at(19))).isEmpty();
      assertThat(stage.tick(at(20))).extracting(HostSilent::lastSeenAt).containsExactly(at(5));
    }

    @Test
    void a_late_heartbeat_never_moves_the_last_sight_back() {
      watch(plan(Duration.ofSeconds(30), Map.of(), Liveness.HEARTBEATS));
      stage.absorb(beat("h1", 20, Map.of()));
      stage.absorb(beat("h1", 10, Map.of()));
      assertThat(stage.slot(T, "h1").lastSeenAt()).isEqualTo(at(20));
    }
  }

  @Nested
  class Restore {
    @Test
    void a_restored_slot_takes_the_next_tick_as_its_last_sight_never_a_false_silence() {
      watch(plan(Duration.ofSeconds(30), Map.of(), Liveness.HEARTBEATS));
      stage.absorb(beat("h1", 10, Map.of()));
      HostSlot saved = stage.slot(T, "h1");

      HostStage restarted = new HostStage();
      restarted.watch(stage.watchOf(T));
      restarted.restore(saved);
      assertThat(restarted.tick(at(100))).isEmpty(); // down for 90 s: not the host's fault
      assertThat(restarted.tick(at(114))).isEmpty();
      assertThat(restarted.tick(at(115)))
          .containsExactly(new HostSilent(T, at(115), "h1", at(100), Detector.HOST_STAGE));
    }

    @Test
    void a_restored_report_still_waits_for_its_answer() {
      watch(plan(Duration.ofSeconds(30), Map.of(), Liveness.HEARTBEATS));
      stage.absorb(beat("h1", 10, Map.of()));
      stage.tick(at(30));
      HostStage restarted = new HostStage();
      restarted.watch(stage.watchOf(T));
      restarted.restore(stage.slot(T, "h1"));
      assertThat(restarted.tick(at(100))).isEmpty();
      assertThat(restarted.absorb(beat("h1", 101, Map.of())).news()).hasSize(1);
    }
  }

  @Test
  void the_watch_takes_the_shortest_heartbeats_timeout_and_every_ceiling() {
    HostWatch w =
        HostWatch.of(
            T,
            List.of(
                plan(Duration.ofSeconds(60), Map.of("cpu", 0.9), Liveness.HEARTBEATS),
                plan(Duration.ofSeconds(10), Map.of("cpu", 0.8), Liveness.REPORTED),
                plan(
                    Duration.ofSeconds(40),
                    Map.of("cpu", 0.9, "errorRate", 0.05),
                    Liveness.HEARTBEATS)));
    assertThat(w.silenceAfter()).isEqualTo(Duration.ofSeconds(19));
    assertThat(w.limits()).isEqualTo(Map.of("cpu", List.of(0.8, 0.9), "errorRate", List.of(0.05)));
    assertThat(HostWatch.silenceAfter(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(1));
  }
}
