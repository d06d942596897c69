package dev.rolloutledger.domain.hoststage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.Detector;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.WavePlan;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A stage made with {@code evictAfter} lets go of a slot it reported silent and has not seen since
 * for longer than that, and nothing else; a host it let go is news at its first heartbeat.
 */
class HostStageEvictionTest {
  static final String T = "acme";
  static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");
  static final Duration EVICT_AFTER = Duration.ofSeconds(60);

  final HostStage stage = new HostStage(EVICT_AFTER);

  static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  static Heartbeat beat(String tenant, String host, long s) {
    return new Heartbeat(tenant, at(s), host, "r1", Map.of());
  }

  static HostWatch watch(String tenant, Liveness liveness) {
    WavePlan all = new WavePlan("all", Map.of(), null, 100, 0.5, 1, Duration.ofMinutes(1));
    Plan plan =
        new Plan(List.of(all), Duration.ofSeconds(30), 0.01, 0.01, 2.0, 600, Map.of(), 10)
            .withLiveness(liveness); // heartbeats: silenceAfter 14 s
    return HostWatch.of(tenant, List.of(plan));
  }

  /** Ticks every second from {@code from} to {@code to}; h2 beats every 10 s meanwhile. */
  List<HostStage.Evicted> ticks(long from, long to) {
    List<HostStage.Evicted> evicted = new java.util.ArrayList<>();
    for (long s = from; s <= to; s++) {
      if (s % 10 == 0) {
        stage.absorb(beat(T, "h2", s));
      }
      stage.tick(at(s));
      evicted.addAll(stage.evicted());
    }
    return evicted;
  }

  @Nested
  class LetsGo {
    @Test
    void a_host_reported_silent_and_unseen_past_evictAfter_and_nothing_else() {
      stage.watch(watch(T, Liveness.HEARTBEATS));
      stage.absorb(beat(T, "h1", 10));
      stage.absorb(beat("quiet", "q1", 10)); // a tenant with no watch: never reported
      stage.tick(at(25));
      assertThat(stage.slot(T, "h1").silenceOwn()).isTrue();

      // last seen at 10: let go at the first tick more than 60 s later
      assertThat(ticks(26, 70)).isEmpty();
      assertThat(ticks(71, 71)).containsExactly(new HostStage.Evicted(T, "h1", true));
      assertThat(stage.slot(T, "h1")).isNull();
      assertThat(stage.slot(T, "h2")).isNotNull();
      assertThat(stage.slot("quiet", "q1")).isNotNull();
      assertThat(stage.tenantState(T).evicted()).isTrue();
      assertThat(ticks(72, 500)).isEmpty();
      assertThat(stage.hosts()).isEqualTo(2);
    }

    @Test
    void only_the_first_slot_let_go_changes_the_tenant() {
      stage.watch(watch(T, Liveness.HEARTBEATS));
      stage.absorb(beat(T, "h1", 10));
      stage.absorb(beat(T, "h3", 10));
      stage.absorb(beat(T, "h4", 20));
      assertThat(ticks(11, 81))
          .containsExactly(
              new HostStage.Evicted(T, "h1", true),
              new HostStage.Evicted(T, "h3", false),
              new HostStage.Evicted(T, "h4", false));
    }

    @Test
    void a_host_that_answers_its_report_is_kept() {
      stage.watch(watch(T, Liveness.HEARTBEATS));
      stage.absorb(beat(T, "h1", 10));
      stage.tick(at(25));
      assertThat(stage.absorb(beat(T, "h1", 50)).news()).hasSize(1);
      assertThat(ticks(51, 100)).isEmpty(); // silent again from 50, reported at 65, not yet gone
      assertThat(ticks(101, 111)).containsExactly(new HostStage.Evicted(T, "h1", true));
    }

    @Test
    void a_host_only_a_detector_reported_is_kept_the_stage_may_still_owe_its_own_report() {
      stage.watch(watch(T, Liveness.REPORTED)); // no heartbeats plan: the stage reports nobody
      stage.absorb(beat(T, "h1", 10));
      stage.absorb(new HostSilent(T, at(20), "h1", at(10)));
      assertThat(ticks(21, 1000)).isEmpty();

      stage.watch(watch(T, Liveness.HEARTBEATS)); // a heartbeats rollout starts
      assertThat(stage.tick(at(1001)))
          .contains(new HostSilent(T, at(1001), "h1", at(10), Detector.HOST_STAGE));
      // reported now, and unseen for longer than evictAfter: let go after its report
      assertThat(stage.evicted()).containsExactly(new HostStage.Evicted(T, "h1", true));
    }

    @Test
    void a_stage_made_without_evictAfter_keeps_every_slot() {
      HostStage keeps = new HostStage();
      keeps.watch(watch(T, Liveness.HEARTBEATS));
      keeps.absorb(beat(T, "h1", 10));
      keeps.tick(at(25));
      keeps.tick(at(1_000_000));
      assertThat(keeps.evicted()).isEmpty();
      assertThat(keeps.slot(T, "h1")).isNotNull();
    }
  }

  @Nested
  class ComingBack {
    @Test
    void a_host_let_go_is_news_at_its_first_heartbeat_so_its_report_is_answered() {
      stage.watch(watch(T, Liveness.HEARTBEATS));
      stage.absorb(beat(T, "h1", 10));
      stage.tick(at(25));
      ticks(26, 71);
      assertThat(stage.slot(T, "h1")).isNull();

      Heartbeat back = beat(T, "h1", 500);
      HostStage.Absorbed first = stage.absorb(back);
      assertThat(first.news()).containsExactly(back);
      assertThat(first.slotChanged()).isTrue();
      assertThat(stage.absorb(beat(T, "h1", 510)).news()).isEmpty();
      // and it is watched again: silent from 510, reported after 524
      assertThat(stage.tick(at(525)))
          .contains(new HostSilent(T, at(525), "h1", at(510), Detector.HOST_STAGE));
    }

    @Test
    void a_new_host_of_a_tenant_that_let_one_go_is_news_once_too() {
      stage.watch(watch(T, Liveness.HEARTBEATS));
      stage.absorb(beat(T, "h1", 10));
      ticks(11, 71);
      assertThat(stage.absorb(beat(T, "new", 80)).news()).hasSize(1);
      assertThat(stage.absorb(beat(T, "new", 90)).news()).isEmpty();
      // another tenant's new hosts are not
      assertThat(stage.absorb(beat("other", "new", 80)).news()).isEmpty();
    }

    @Test
    void after_a_restart_too() {
      stage.watch(watch(T, Liveness.HEARTBEATS));
      stage.absorb(beat(T, "h1", 10));
      ticks(11, 71);
      HostStage restarted = new HostStage(EVICT_AFTER);
      restarted.restore(stage.tenantState(T));
      restarted.restore(stage.slot(T, "h2"));
      restarted.restoreWatch(stage.watchOf(T));
      assertThat(restarted.absorb(beat(T, "h1", 80)).news()).hasSize(1);
      assertThat(restarted.absorb(beat(T, "h2", 80)).news()).isEmpty();
    }
  }

  @Test
  void a_restored_report_is_let_go_by_its_true_last_sight_not_the_restart() {
    stage.watch(watch(T, Liveness.HEARTBEATS));
    stage.absorb(beat(T, "h1", 10));
    stage.tick(at(25));
    HostStage restarted = new HostStage(EVICT_AFTER);
    restarted.restore(stage.slot(T, "h1"));
    restarted.restoreWatch(stage.watchOf(T));
    restarted.tick(at(70));
    assertThat(restarted.evicted()).isEmpty();
    restarted.tick(at(71));
    assertThat(restarted.evicted()).containsExactly(new HostStage.Evicted(T, "h1", true));
  }
}
