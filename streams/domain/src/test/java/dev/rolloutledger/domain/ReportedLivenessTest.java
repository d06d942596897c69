package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.Scenario.TENANT;
import static dev.rolloutledger.domain.Scenario.wave;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Liveness reported by a failure detector (ADR 0006): a host is alive until a {@link HostSilent}
 * says otherwise, and then silent at its last sign of life plus the heartbeat timeout.
 */
class ReportedLivenessTest {

  private static final Duration TIMEOUT = Plan.DEFAULT_HEARTBEAT_TIMEOUT;

  /** dev (d1..d3, 10 min bake) then prod (p1), with liveness as given. */
  private static Scenario rollout(Liveness liveness) {
    Scenario s = new Scenario().hosts("dev", "d1", "d2", "d3").hosts("prod", "p1");
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

  private static Decision silent(Scenario s, String host, Instant lastSeenAt) {
    return s.apply(new HostSilent(TENANT, s.now, host, lastSeenAt));
  }

  @Test
  void hosts_that_say_nothing_stay_alive_and_the_wave_promotes() {
    Scenario s = rollout(Liveness.REPORTED);
    Instant applied = s.now;

    // an hour of ticks, every minute, and not one heartbeat
    for (int m = 1; m <= 60; m++) {
      tickAt(s, applied.plus(Duration.ofMinutes(m)));
    }

    assertThat(s.allEntries())
        .noneMatch(e -> e instanceof RolloutHalted)
        .anySatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        WavePromoted.class, p -> assertThat(p.wave()).isEqualTo("dev")));
    assertThat(s.rolloutState("r1").counts(0).silent()).isZero();
    assertThat(s.hostRecord("d1").livenessReported()).isTrue();
  }

  @Test
  void the_same_quiet_hosts_under_heartbeats_are_silent() {
    // the control: what the test above would see if the plan judged from heartbeats
    Scenario s = rollout(Liveness.HEARTBEATS);
    Decision d = tickAt(s, s.now.plus(TIMEOUT).plusSeconds(1));

    assertThat(d.entries())
        .singleElement()
        .isInstanceOfSatisfying(
            RolloutHalted.class, h -> assertThat(h.reason()).isEqualTo(RolloutEngine.SILENCE));
  }

  @Test
  void a_reported_silence_is_judged_at_the_last_sign_of_life_plus_the_timeout() {
    Scenario s = rollout(Liveness.REPORTED);
    Instant lastApply = s.now; // d3's apply: the engine's last sign of life of d3
    Instant died = lastApply.plusSeconds(5);
    s.now = died.plusSeconds(10); // the detector notices 10 s later
    for (String h : List.of("d1", "d2", "d3")) {
      assertThat(silent(s, h, died)).isEqualTo(Decision.none());
    }

    assertThat(tickAt(s, died.plus(TIMEOUT)).entries()).isEmpty(); // not yet: not past it
    Decision d = tickAt(s, died.plus(TIMEOUT).plusSeconds(1));

    assertThat(d.entries())
        .singleElement()
        .isInstanceOfSatisfying(
            RolloutHalted.class,
            h -> {
              assertThat(h.reason()).isEqualTo(RolloutEngine.SILENCE);
              assertThat(h.evidence())
                  .containsEntry("silent", "3")
                  .containsEntry("newlySilent", "d1,d2,d3");
            });
    assertThat(d.commands())
        .allSatisfy(c -> assertThat(c).isInstanceOf(Hold.class))
        .extracting(HostCommand::host)
        .containsExactly("d1", "d2", "d3", "p1");
  }

  @Test
  void a_host_back_before_the_timeout_answers_the_report() {
    Scenario s = rollout(Liveness.REPORTED);
    Instant lastSeen = s.now;
    s.now = lastSeen.plusSeconds(10);
    silent(s, "d1", lastSeen);
    s.now = lastSeen.plusSeconds(20);
    s.apply(new HostBack(TENANT, s.now, "d1"));
    silent(s, "d2", lastSeen);
    s.now = lastSeen.plusSeconds(25);
    s.apply(new Heartbeat(TENANT, s.now, "d2", "rel", Map.of())); // a heartbeat answers it too

    tickAt(s, lastSeen.plus(TIMEOUT).plusSeconds(60));

    assertThat(s.hostRecord("d1").silent()).isFalse();
    assertThat(s.hostRecord("d1").silenceReported()).isFalse();
    assertThat(s.hostRecord("d2").silent()).isFalse();
    assertThat(s.rolloutState("r1").counts(0).silent()).isZero();
    assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.ACTIVE);
  }

  @Test
  void a_report_older_than_the_engines_last_sign_of_life_counts_from_that_sign() {
    Scenario s = rollout(Liveness.REPORTED);
    Instant applied = s.now; // d3 applied here
    s.now = applied.plusSeconds(2);
    silent(s, "d3", applied.minusSeconds(40)); // the detector lags: it last saw d3 before its apply

    assertThat(s.hostRecord("d3").lastSeenAt()).isEqualTo(applied);
    assertThat(tickAt(s, applied.plus(TIMEOUT)).entries()).isEmpty();
    assertThat(s.hostRecord("d3").silent()).isFalse();
    tickAt(s, applied.plus(TIMEOUT).plusSeconds(1));
    assertThat(s.hostRecord("d3").silent()).isTrue();
  }

  @Test
  void a_later_report_moves_the_clock_forward_and_an_earlier_one_does_not_move_it_back() {
    Scenario s = rollout(Liveness.REPORTED);
    Instant t = s.now;
    s.now = t.plusSeconds(30);
    silent(s, "d1", t.plusSeconds(20));
    silent(s, "d1", t.plusSeconds(10));
    assertThat(s.hostRecord("d1").lastSeenAt()).isEqualTo(t.plusSeconds(20));
    silent(s, "d1", t.plusSeconds(25));
    assertThat(s.hostRecord("d1").lastSeenAt()).isEqualTo(t.plusSeconds(25));
  }

  @Test
  void a_baseline_host_reported_silent_is_the_baselines_failure_and_recovers_when_back() {
    Scenario s = rollout(Liveness.REPORTED);
    Instant t = s.now;
    s.now = t.plusSeconds(5);
    silent(s, "p1", t); // p1 is in the prod wave, not yet updated

    tickAt(s, t.plus(TIMEOUT).plusSeconds(1));
    assertThat(s.hostRecord("p1").baselineFailing()).isTrue();

    s.now = s.now.plusSeconds(1);
    s.apply(new HostBack(TENANT, s.now, "p1"));
    assertThat(s.hostRecord("p1").baselineFailing()).isFalse();
  }

  @Test
  void under_heartbeats_a_detectors_report_is_ignored() {
    Scenario s = rollout(Liveness.HEARTBEATS);
    HostRecord before = s.hostRecord("d1");
    s.now = s.now.plusSeconds(3);

    assertThat(silent(s, "d1", s.now.minusSeconds(1))).isEqualTo(Decision.none());
    assertThat(s.hostRecord("d1")).isEqualTo(before);
    assertThat(s.engine.indexMatchesStore(TENANT)).isTrue();
  }

  @Test
  void a_report_of_a_host_bound_to_no_rollout_changes_nothing() {
    Scenario s = new Scenario().hosts("dev", "d1");
    HostRecord before = s.hostRecord("d1");

    assertThat(silent(s, "d1", s.now)).isEqualTo(Decision.none());
    assertThat(silent(s, "nobody", s.now)).isEqualTo(Decision.none());
    assertThat(s.hostRecord("d1")).isEqualTo(before);
  }

  @Test
  void a_rebuilt_index_sees_the_reported_silences_the_live_one_saw() {
    Scenario s = rollout(Liveness.REPORTED);
    Instant t = s.now;
    s.now = t.plusSeconds(5);
    silent(s, "d1", t);
    silent(s, "d2", t);
    assertThat(s.engine.indexMatchesStore(TENANT)).isTrue();

    // a second engine on the same store (a restart) reaches the same verdict
    RolloutEngine restarted = new RolloutEngine(s.store, new EngineConfig(Scenario.TTL));
    Decision d = restarted.apply(new ClockTick(TENANT, t.plus(TIMEOUT).plusSeconds(1)));
    assertThat(d.entries())
        .singleElement()
        .isInstanceOfSatisfying(
            RolloutHalted.class,
            h -> assertThat(h.evidence()).containsEntry("newlySilent", "d1,d2"));
  }

  @Test
  void a_report_must_not_see_the_host_after_it_was_made() {
    Instant at = Scenario.START;
    assertThatThrownBy(() -> new HostSilent(TENANT, at, "h1", at.plusMillis(1)))
        .isInstanceOfSatisfying(
            InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("lastSeenAt"));
  }

  @Test
  void an_unknown_liveness_names_the_field() {
    assertThatThrownBy(() -> Liveness.parse("plan.liveness", "gossip"))
        .isInstanceOfSatisfying(
            InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("plan.liveness"));
    assertThat(Liveness.parse("plan.liveness", "reported")).isEqualTo(Liveness.REPORTED);
  }
}
