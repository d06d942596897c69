package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.Scenario.TENANT;
import static dev.rolloutledger.domain.Scenario.wave;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Heartbeats absorbed by the host stage (ADR 0007): the journal holds no "still alive" heartbeat,
 * every host is alive until a detector reports it, and each detector is believed for the plans it
 * serves: the host stage for heartbeats plans, the fleet's own detector for reported plans.
 */
class AbsorbedHeartbeatsTest {

  private static final Duration TIMEOUT = Plan.DEFAULT_HEARTBEAT_TIMEOUT;

  /** dev (d1..d3, 10 min bake) then prod (p1), liveness as given, heartbeats absorbed. */
  private static Scenario rollout(Liveness liveness) {
    Scenario s = new Scenario(new EngineConfig(Scenario.TTL).withHeartbeatsAbsorbed(true));
    s.hosts("dev", "d1", "d2", "d3").hosts("prod", "p1");
    s.release("rel");
    s.plan(
        "r1",
        "rel",
        new Plan(
                List.of(
                    wave("dev", "env", "dev").withBake(Duration.ofMinutes(10)),
                    wave("prod", "env", "prod")))
            .withLiveness(liveness));
    s.applied("d1", "rel");
    s.applied("d2", "rel");
    s.applied("d3", "rel");
    return s;
  }

  private static Decision tickAt(Scenario s, Instant at) {
    s.now = at;
    return s.apply(new ClockTick(TENANT, at));
  }

  private static void report(Scenario s, Detector detector, Instant lastSeenAt, String... hosts) {
    for (String h : hosts) {
      assertThat(s.apply(new HostSilent(TENANT, s.now, h, lastSeenAt, detector)))
          .isEqualTo(Decision.none());
    }
  }

  @Nested
  class UnderAHeartbeatsPlan {
    @Test
    void quiet_hosts_the_host_stage_did_not_report_stay_alive_and_the_wave_promotes() {
      Scenario s = rollout(Liveness.HEARTBEATS);
      Instant applied = s.now;
      for (int m = 1; m <= 11; m++) {
        tickAt(s, applied.plus(Duration.ofMinutes(m)));
      }
      assertThat(s.allEntries())
          .noneMatch(e -> e instanceof RolloutHalted)
          .anyMatch(e -> e instanceof WavePromoted p && p.wave().equals("dev"));
    }

    @Test
    void the_host_stages_report_is_judged_at_the_last_sign_of_life_plus_the_timeout() {
      Scenario s = rollout(Liveness.HEARTBEATS);
      Instant died = s.now.plusSeconds(5);
      s.now = died.plusSeconds(14); // the host stage reports after half the timeout less a tick
      report(s, Detector.HOST_STAGE, died, "d1", "d2", "d3");

      assertThat(tickAt(s, died.plus(TIMEOUT)).entries()).isEmpty();
      Decision d = tickAt(s, died.plus(TIMEOUT).plusSeconds(1));

      assertThat(d.entries())
          .singleElement()
          .isInstanceOfSatisfying(
              RolloutHalted.class,
              h -> {
                assertThat(h.reason()).isEqualTo(RolloutEngine.SILENCE);
                assertThat(h.evidence()).containsEntry("newlySilent", "d1,d2,d3");
              });
    }

    @Test
    void a_fleet_detectors_report_is_not_believed() {
      Scenario s = rollout(Liveness.HEARTBEATS);
      Instant died = s.now.plusSeconds(5);
      s.now = died.plusSeconds(14);
      report(s, Detector.EXTERNAL, died, "d1", "d2", "d3");
      assertThat(tickAt(s, died.plus(TIMEOUT).plusSeconds(1)).entries()).isEmpty();
    }

    @Test
    void a_heartbeat_after_the_report_answers_it() {
      Scenario s = rollout(Liveness.HEARTBEATS);
      Instant died = s.now.plusSeconds(5);
      s.now = died.plusSeconds(14);
      report(s, Detector.HOST_STAGE, died, "d1", "d2", "d3");
      s.now = died.plusSeconds(20);
      for (String h : List.of("d1", "d2", "d3")) {
        s.apply(new Heartbeat(TENANT, s.now, h, "rel", java.util.Map.of()));
      }
      assertThat(tickAt(s, died.plus(TIMEOUT).plusSeconds(1)).entries()).isEmpty();
    }
  }

  @Nested
  class UnderAReportedPlan {
    @Test
    void the_host_stages_report_is_not_believed() {
      Scenario s = rollout(Liveness.REPORTED);
      Instant died = s.now.plusSeconds(5);
      s.now = died.plusSeconds(14);
      report(s, Detector.HOST_STAGE, died, "d1", "d2", "d3");
      assertThat(tickAt(s, died.plus(TIMEOUT).plusSeconds(1)).entries()).isEmpty();
    }

    @Test
    void the_fleet_detectors_report_is_judged() {
      Scenario s = rollout(Liveness.REPORTED);
      Instant died = s.now.plusSeconds(5);
      s.now = died.plusSeconds(14);
      report(s, Detector.EXTERNAL, died, "d1", "d2", "d3");
      assertThat(tickAt(s, died.plus(TIMEOUT).plusSeconds(1)).entries())
          .singleElement()
          .isInstanceOf(RolloutHalted.class);
    }
  }

  @Test
  void
      hosts_bound_before_the_upgrade_are_not_taken_for_silent_when_their_heartbeats_are_absorbed() {
    // planned and applied by an engine that saw every heartbeat (v1), under a heartbeats plan
    Scenario before = new Scenario();
    before.hosts("dev", "d1", "d2", "d3").hosts("prod", "p1");
    before.release("rel");
    before.plan(
        "r1",
        "rel",
        new Plan(
            List.of(
                wave("dev", "env", "dev").withBake(Duration.ofMinutes(10)),
                wave("prod", "env", "prod"))));
    for (String h : List.of("d1", "d2", "d3")) {
      before.applied(h, "rel");
    }
    // the upgraded engine on the same state: the host stage now absorbs their heartbeats
    RolloutEngine after =
        new RolloutEngine(before.store, new EngineConfig(Scenario.TTL).journalV2());
    Instant later = before.now.plus(TIMEOUT).plusSeconds(5);
    assertThat(after.apply(new ClockTick(TENANT, later)).entries())
        .noneMatch(e -> e instanceof RolloutHalted);
    // and the host stage's report of a host that did stop is believed
    after.apply(new HostSilent(TENANT, later, "d1", before.now, Detector.HOST_STAGE));
    assertThat(after.apply(new ClockTick(TENANT, later.plusSeconds(1))).entries())
        .singleElement()
        .isInstanceOf(RolloutHalted.class);
  }

  @Test
  void without_absorbed_heartbeats_the_host_stages_report_is_ignored() {
    Scenario s = new Scenario();
    s.hosts("dev", "d1");
    s.release("rel");
    s.plan(
        "r1", "rel", new Plan(List.of(wave("dev", "env", "dev"))).withLiveness(Liveness.REPORTED));
    s.applied("d1", "rel");
    Instant died = s.now;
    s.now = died.plusSeconds(14);
    report(s, Detector.HOST_STAGE, died, "d1");
    assertThat(tickAt(s, died.plus(TIMEOUT).plusSeconds(1)).entries())
        .noneMatch(e -> e instanceof RolloutHalted);
  }
}
