package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.Scenario.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.hoststage.HostStage;
import dev.rolloutledger.domain.hoststage.HostWatch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The system's own outage is never judged as the fleet's silence (ADR 0008): a fleet of 10 hosts
 * beating every 10 s through the host stage into the engine, a first wave of all of them unless a
 * test says otherwise (no baseline left whose silence would make the cap's shock guard hold, as in
 * any rollout's last wave), a heartbeat timeout of 30 s, and Rollout Ledger itself down (no
 * heartbeat, no tick recorded) from second {@value #DOWN_FROM} to {@value #DOWN_UNTIL}, in the
 * first wave's bake.
 */
class OutageGraceTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration BAKE = Duration.ofMinutes(10);
  private static final int DOWN_FROM = 120;
  private static final int DOWN_UNTIL = 420;
  private static final EngineConfig V4 = EngineConfig.defaults().journalV4();
  private static final EngineConfig V3 = EngineConfig.defaults().journalV3();

  /** The fleet, the host stage and the engine, second by second. */
  private static final class World {
    final Scenario s;
    final HostStage stage = new HostStage();
    final List<String> hosts = new ArrayList<>();
    final Map<String, Integer> appliedAt = new HashMap<>();
    final Map<String, Integer> applyDue = new HashMap<>();
    final int dieAfterApply; // seconds; -1: the release is good
    final Instant t0;
    int sec;

    World(EngineConfig config, int dieAfterApply) {
      this(config, dieAfterApply, 10);
    }

    World(EngineConfig config, int dieAfterApply, int firstWave) {
      this.s = new Scenario(config);
      this.dieAfterApply = dieAfterApply;
      for (int i = 0; i < 10; i++) {
        String h = String.format("h%02d", i);
        hosts.add(h);
        feed(new HostRegistered(TENANT, s.now, h, Map.of("env", "prod")));
      }
      feed(
          new ReleasePublished(
              TENANT, s.now, "rel", "agent", "2.0", Scenario.sha("rel"), "ci", Severity.NORMAL));
      Map<String, String> prod = Map.of("env", "prod");
      Plan plan =
          new Plan(
              List.of(
                  new WavePlan("canary", prod, firstWave, null, 0.2, 1, BAKE),
                  new WavePlan("rest", prod, null, null, 0.2, 1, BAKE)),
              TIMEOUT,
              Plan.DEFAULT_ALPHA,
              Plan.DEFAULT_BETA,
              Plan.DEFAULT_TOLERATED_RATIO,
              Plan.DEFAULT_MAX_DISPATCH_PER_MINUTE,
              Map.of(),
              Plan.DEFAULT_EMERGENCY_COMPRESSION);
      t0 = s.now;
      feed(new RolloutPlanned(TENANT, s.now, "r1", "rel", plan));
    }

    boolean alive(String h) {
      Integer applied = appliedAt.get(h);
      return dieAfterApply < 0 || applied == null || sec < applied + dieAfterApply;
    }

    /**
     * Seconds up to {@code to}; the system records nothing in [{@code downFrom}, {@code
     * downUntil}).
     */
    World runUntil(int to, int downFrom, int downUntil) {
      while (sec < to && !s.rolloutState("r1").status().isFinal()) {
        sec++;
        Instant at = t0.plusSeconds(sec);
        s.now = at;
        boolean up = sec < downFrom || sec >= downUntil;
        for (int i = 0; i < hosts.size(); i++) {
          String h = hosts.get(i);
          if (!alive(h)) {
            continue;
          }
          Integer due = applyDue.get(h);
          if (due != null && due <= sec && !appliedAt.containsKey(h)) {
            appliedAt.put(h, sec); // the agent applies; its report waits for the system if down
          }
          if (up && appliedAt.containsKey(h) && applyDue.containsKey(h)) {
            applyDue.remove(h);
            telemetry(new UpdateApplied(TENANT, at, h, "rel", true, null));
          }
          if (up && sec % 10 == i % 10) {
            String release = appliedAt.containsKey(h) ? "rel" : "old";
            telemetry(new Heartbeat(TENANT, at, h, release, Map.of()));
          }
        }
        if (up) {
          feed(new ClockTick(TENANT, at));
          for (HostSilent report : stage.tick(at)) {
            feed(report);
          }
        }
      }
      return this;
    }

    World runUntil(int to) {
      return runUntil(to, DOWN_FROM, DOWN_UNTIL);
    }

    private void telemetry(LedgerInput input) {
      for (LedgerInput news : stage.absorb(input).news()) {
        feed(news);
      }
    }

    private void feed(LedgerInput input) {
      Decision d = s.apply(input);
      if (!d.entries().isEmpty()) {
        stage.watch(HostWatch.ofGated(TENANT, s.store.rollouts(TENANT)));
      }
      for (HostCommand c : d.commands()) {
        if (c instanceof Apply a) {
          applyDue.putIfAbsent(a.host(), sec + 1);
        }
      }
      for (LedgerInput next : d.continuations()) {
        feed(next);
      }
    }

    RolloutState rollout() {
      return s.rolloutState("r1");
    }

    <T extends LedgerEntry> List<T> entries(Class<T> type) {
      return s.allEntries().stream().filter(type::isInstance).map(type::cast).toList();
    }
  }

  @Test
  void an_outage_longer_than_the_timeout_halts_a_good_release_when_the_clock_is_not_followed() {
    // the bug ADR 0008 fixes: the first tick after the outage judges every host silent
    World w = new World(V3, -1).runUntil(DOWN_UNTIL + 5);

    assertThat(w.rollout().status()).isEqualTo(RolloutStatus.HALTED);
    assertThat(w.entries(RolloutHalted.class).get(0).reason()).isEqualTo(RolloutEngine.SILENCE);
  }

  @Test
  void a_good_release_survives_the_outage_which_is_recorded_with_its_grace() {
    World w = new World(V4, -1).runUntil(DOWN_UNTIL + 120);

    assertThat(w.rollout().status()).isEqualTo(RolloutStatus.ACTIVE);
    assertThat(w.entries(RolloutHalted.class)).isEmpty();
    List<OutageRecorded> outages = w.entries(OutageRecorded.class);
    assertThat(outages).hasSize(1);
    OutageRecorded outage = outages.get(0);
    assertThat(outage.from()).isEqualTo(w.t0.plusSeconds(DOWN_FROM - 1));
    assertThat(outage.at()).isEqualTo(w.t0.plusSeconds(DOWN_UNTIL));
    assertThat(outage.graceUntil()).isEqualTo(w.t0.plusSeconds(DOWN_UNTIL).plus(TIMEOUT));
    assertThat(outage.bakeExtendedBy()).isEqualTo(Duration.ofSeconds(DOWN_UNTIL - DOWN_FROM + 1));
    assertThat(LedgerHash.of(outage)).hasSize(64);
  }

  @Test
  void the_bake_counts_observed_time_only_and_the_rollout_completes() {
    World w = new World(V4, -1, 8).runUntil(3_600);

    assertThat(w.rollout().status()).isEqualTo(RolloutStatus.COMPLETED);
    WaveStarted canary = w.entries(WaveStarted.class).get(0);
    WavePromoted promoted = w.entries(WavePromoted.class).get(0);
    Duration unobserved = w.entries(OutageRecorded.class).get(0).bakeExtendedBy();
    assertThat(promoted.at()).isAfterOrEqualTo(canary.at().plus(BAKE).plus(unobserved));
    // and not much later: a heartbeat or a tick promotes it within seconds
    assertThat(promoted.at()).isBefore(canary.at().plus(BAKE).plus(unobserved).plusSeconds(40));
    // the second wave had no outage: its bake is its own
    assertThat(w.rollout().clock().unobserved()).isZero();
  }

  @Test
  void hosts_that_died_during_the_outage_are_judged_when_the_grace_ends() {
    // the release kills each canary host 15 s after it applied (second 2): their last heartbeats
    // are at 10 to 16, so their silence is certain from second 41 on; the system is down from 30
    World w = new World(V4, 15);
    w.runUntil(25, Integer.MAX_VALUE, Integer.MAX_VALUE);
    assertThat(w.rollout().status()).isEqualTo(RolloutStatus.ACTIVE);
    w.runUntil(DOWN_UNTIL + 120, 30, DOWN_UNTIL);

    assertThat(w.rollout().status()).isEqualTo(RolloutStatus.HALTED);
    RolloutHalted halt = w.entries(RolloutHalted.class).get(0);
    OutageRecorded outage = w.entries(OutageRecorded.class).get(0);
    assertThat(halt.reason()).isEqualTo(RolloutEngine.SILENCE);
    assertThat(halt.at()).isAfterOrEqualTo(outage.graceUntil());
    assertThat(halt.at()).isBeforeOrEqualTo(outage.graceUntil().plusSeconds(1));
  }

  @Test
  void a_bad_release_still_halts_within_its_timeout_when_there_is_no_outage() {
    World w = new World(V4, 15).runUntil(600, Integer.MAX_VALUE, Integer.MAX_VALUE);

    assertThat(w.rollout().status()).isEqualTo(RolloutStatus.HALTED);
    assertThat(w.entries(OutageRecorded.class)).isEmpty();
    Instant applied = w.t0.plusSeconds(w.appliedAt.values().stream().min(Integer::compare).get());
    assertThat(w.entries(RolloutHalted.class).get(0).at())
        .isBeforeOrEqualTo(applied.plusSeconds(15).plus(TIMEOUT).plusSeconds(11));
  }

  @Test
  void a_gap_of_a_third_of_the_timeout_is_not_an_outage() {
    // last tick at 119, next at 129: 10 s, the heartbeats of 120..128 lost
    World w = new World(V4, -1).runUntil(400, DOWN_FROM, DOWN_FROM + 9);

    assertThat(w.entries(OutageRecorded.class)).isEmpty();
    assertThat(w.rollout().clock().graceUntil()).isNull();
    assertThat(w.rollout().clock().unobserved()).isZero();
    assertThat(w.rollout().status()).isEqualTo(RolloutStatus.ACTIVE);
  }

  @Test
  void a_gap_shorter_than_the_timeout_but_longer_than_a_beat_is_an_outage_too() {
    // 25 s without a tick: a host beating every 10 s is not heard for 35 s, past the timeout
    World v3 = new World(V3, -1).runUntil(400, DOWN_FROM, DOWN_FROM + 25);
    World v4 = new World(V4, -1).runUntil(400, DOWN_FROM, DOWN_FROM + 25);

    assertThat(v3.rollout().status()).isEqualTo(RolloutStatus.HALTED);
    assertThat(v4.rollout().status()).isEqualTo(RolloutStatus.ACTIVE);
    assertThat(v4.entries(OutageRecorded.class)).hasSize(1);
  }

  @Test
  void the_engine_index_still_matches_the_store_after_the_grace() {
    World w = new World(V4, -1).runUntil(DOWN_UNTIL + 120);

    assertThat(w.s.engine.indexMatchesStore(TENANT)).isTrue();
  }
}
