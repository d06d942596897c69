package dev.rolloutledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.WavePlan;
import dev.rolloutledger.domain.sim.SimulationReport;
import dev.rolloutledger.domain.sim.Simulator;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WhatIfTest {
  static final String BIG_BANG =
      """
      {"waves": [{"name": "all", "selector": {}, "bake": "PT5M", "maxCrashFraction": 1.0}],
       "maxDispatchPerMinute": 100000}""";

  static WhatIf.Result whatIf(byte[] log, Plan plan, OwnerPolicy policy) {
    return WhatIf.run(
        new ByteArrayInputStream(log), plan, policy, Duration.ofHours(6), (e, h) -> {});
  }

  @Test
  void a_good_rollout_under_its_own_plan_does_what_it_did() {
    WhatIf.Result r = whatIf(RolloutReplayTest.log(RolloutReplayTest.GOOD), null, null);

    assertThat(r.actual().completed()).isTrue();
    assertThat(r.whatIf().completed()).isTrue();
    assertThat(r.whatIf().promotedWaves()).isEqualTo(r.actual().promotedWaves());
    assertThat(r.whatIf().exposedHosts()).isEqualTo(r.actual().exposedHosts()).isEqualTo(40);
    assertThat(r.whatIf().failedHosts()).isZero();
    assertThat(r.assumedHealthy()).isZero();
  }

  @Test
  void a_halted_rollout_replayed_all_at_once_exposes_every_host_and_moves_each_failure_with_it() {
    // nine in ten hosts crash soon after applying: the recorded rollout halts in its first wave
    byte[] log =
        RolloutReplayTest.log(
            RolloutReplayTest.BAD
                .replace("\"failProbability\": 0.34", "\"failProbability\": 0.9")
                .replace("\"silentFraction\": 0.5", "\"silentFraction\": 0.0"));

    WhatIf.Result r = whatIf(log, ScenarioJson.plan(BIG_BANG), null);

    assertThat(r.actual().halted()).isTrue();
    assertThat(r.actual().haltedWave()).isEqualTo("dev");
    assertThat(r.whatIf().exposedHosts()).isEqualTo(40).isGreaterThan(r.actual().exposedHosts());
    // the hosts that failed in the recording fail again, wherever the new plan puts them
    assertThat(r.whatIf().failedHosts()).isEqualTo(r.actual().failedHosts()).isPositive();
    // what the recording never saw is assumed healthy, and counted
    assertThat(r.assumedHealthy()).isEqualTo(40 - r.actual().exposedHosts());
  }

  @Test
  void hosts_the_new_plan_never_reaches_stay_as_they_were() {
    Plan devOnly =
        ScenarioJson.plan(
            """
            {"waves": [{"name": "dev", "selector": {"env": "dev"}, "bake": "PT5M"}]}""");

    WhatIf.Result r = whatIf(RolloutReplayTest.log(RolloutReplayTest.GOOD), devOnly, null);

    assertThat(r.whatIf().completed()).isTrue();
    assertThat(r.whatIf().promotedWaves()).containsExactly("dev");
    assertThat(r.whatIf().exposedHosts()).isEqualTo(r.whatIf().firstWaveHosts()).isLessThan(40);
  }

  @Test
  void a_paused_policy_keeps_every_host_on_what_it_ran() {
    OwnerPolicy paused = ScenarioJson.policy("{\"paused\": true, \"by\": \"owner\"}", "sim");

    WhatIf.Result r = whatIf(RolloutReplayTest.log(RolloutReplayTest.GOOD), null, paused);

    assertThat(r.whatIf().exposedHosts()).isZero();
    assertThat(r.whatIf().completed()).isFalse();
  }

  @Test
  void a_simulated_log_tells_silent_failures_by_the_host_stages_reports() {
    // every host that applies dies silently; no host fails in the background
    String silent =
        RolloutReplayTest.BAD
            .replace("\"failProbability\": 0.34", "\"failProbability\": 1.0")
            .replace("\"silentFraction\": 0.5", "\"silentFraction\": 1.0");
    byte[] log = RolloutReplayTest.log(silent);
    SimulationReport simulated = Simulator.run(ScenarioJson.scenario(silent));

    WhatIf.Result r = whatIf(log, ScenarioJson.plan(BIG_BANG), null);

    assertThat(new String(log, StandardCharsets.UTF_8)).contains("\"detector\":\"host-stage\"");
    assertThat(r.actual().halted()).isTrue();
    assertThat(r.actual().haltSignal()).isEqualTo(simulated.haltSignal()).isEqualTo("silence");
    assertThat(r.actual().exposedHosts()).isEqualTo(simulated.exposedHosts());
    // the recording ends at the halt: a host the host stage had not reported by then is not known
    // to have failed (nor would it be from a server's journal)
    assertThat(r.actual().failedHosts()).isBetween(1, simulated.failedHosts());
    assertThat(r.whatIf().failedHosts()).isEqualTo(r.actual().failedHosts());
  }

  @Test
  void the_host_stage_given_the_heartbeats_that_matter_decides_as_given_every_one() {
    List<byte[]> logs =
        List.of(
            RolloutReplayTest.log(RolloutReplayTest.GOOD),
            RolloutReplayTest.log(RolloutReplayTest.BAD),
            // outages before the hosts apply: the what-if replays them as recorded
            RolloutReplayTest.log(
                RolloutReplayTest.GOOD.replace(
                    "\"silentFraction\": 0.5",
                    "\"silentFraction\": 0.5, \"backgroundFailurePerHostHour\": 3,"
                        + " \"backgroundOutage\": \"PT2M\"")),
            everyHeartbeatLog());
    for (byte[] log : logs) {
      // a timeout of 2 minutes: the host stage reports after 59 s, so 10 s beats are thinned
      Plan patient =
          ScenarioJson.plan(
              """
              {"waves": [
                 {"name": "dev", "selector": {"env": "dev"}, "bake": "PT5M"},
                 {"name": "canary", "selector": {"env": "prod"}, "hosts": 4, "bake": "PT5M"},
                 {"name": "rest", "selector": {}, "bake": "PT5M"}],
               "heartbeatTimeout": "PT2M"}""");
      for (Plan plan : new Plan[] {null, ScenarioJson.plan(BIG_BANG), patient}) {
        String thinned = run(log, plan, false);
        assertThat(run(log, plan, true)).isEqualTo(thinned);
      }
    }
  }

  private static String run(byte[] log, Plan plan, boolean everyHeartbeat) {
    return WhatIf.run(
            new ByteArrayInputStream(log),
            plan,
            null,
            Duration.ofHours(6),
            (e, h) -> {},
            everyHeartbeat)
        .toJson();
  }

  @Test
  void a_version_1_log_still_reads_a_silence_from_the_gap_in_a_hosts_heartbeats() {
    byte[] log = everyHeartbeatLog();

    WhatIf.Result r = whatIf(log, null, null);

    // h0 beat until 12 s after the apply at 2 s and never again: silent, in the recording and
    // wherever the what-if applies it
    assertThat(r.actual().exposedHosts()).isEqualTo(10);
    assertThat(r.actual().failedHosts()).isEqualTo(1);
    assertThat(r.whatIf().exposedHosts()).isEqualTo(10);
    assertThat(r.whatIf().failedHosts()).isEqualTo(1);
    assertThat(r.whatIf().completed()).isEqualTo(r.actual().completed()).isTrue();
    assertThat(r.assumedHealthy()).isZero();
  }

  @Test
  void a_host_cordoned_before_the_rollout_stays_out_of_the_what_if_too() {
    String t = "acme";
    Instant t0 = Instant.parse("2026-12-07T00:00:00Z");
    List<LedgerInput> in = new ArrayList<>();
    for (int h = 0; h < 10; h++) {
      in.add(new HostRegistered(t, t0, "h" + h, Map.of("env", "dev")));
    }
    in.add(
        new dev.rolloutledger.domain.HostLifecycleChanged(
            t, t0, "h9", dev.rolloutledger.domain.HostLifecycle.CORDONED, "ops"));
    in.add(
        new ReleasePublished(
            t, t0, "rel", "agent", "2", "a".repeat(64), "vendor", Severity.NORMAL));
    WavePlan dev =
        new WavePlan("dev", Map.of("env", "dev"), null, null, 0.3, 1, Duration.ofMinutes(5));
    in.add(new RolloutPlanned(t, t0, "r1", "rel", new Plan(List.of(dev))));
    for (int s = 1; s <= 400; s++) {
      for (int h = 0; h < 9; h++) {
        if (s == 2) {
          in.add(new UpdateApplied(t, t0.plusSeconds(s), "h" + h, "rel", true, null));
        } else if (s % 10 == 2) {
          in.add(new Heartbeat(t, t0.plusSeconds(s), "h" + h, "rel", Map.of()));
        }
      }
      in.add(new ClockTick(t, t0.plusSeconds(s)));
    }
    byte[] log =
        AbsorbedHeartbeatsLogTest.log(
            new RolloutLog.Header(t, "r1", "export", RolloutLog.VERSION_EVERY_HEARTBEAT),
            EngineConfig.defaults(),
            in);

    WhatIf.Result r = whatIf(log, ScenarioJson.plan(BIG_BANG), null);

    assertThat(r.actual().exposedHosts()).isEqualTo(9);
    assertThat(r.actual().completed()).isTrue();
    assertThat(r.whatIf().exposedHosts()).isEqualTo(9);
    assertThat(r.whatIf().completed()).isTrue();
  }

  /**
   * A server's log from before the host stage (version 1): ten hosts apply at 2 s and beat every 10
   * s, but h0 stops after 12 s; one wave that tolerates it, baked 5 minutes.
   */
  private static byte[] everyHeartbeatLog() {
    String t = "acme";
    Instant t0 = Instant.parse("2026-12-07T00:00:00Z");
    List<LedgerInput> in = new ArrayList<>();
    for (int h = 0; h < 10; h++) {
      in.add(new HostRegistered(t, t0, "h" + h, Map.of("env", "dev")));
    }
    in.add(
        new ReleasePublished(
            t, t0, "rel", "agent", "2", "a".repeat(64), "vendor", Severity.NORMAL));
    WavePlan all =
        new WavePlan("all", Map.of("env", "dev"), null, null, 0.3, 1, Duration.ofMinutes(5));
    in.add(new RolloutPlanned(t, t0, "r1", "rel", new Plan(List.of(all))));
    for (int s = 1; s <= 400; s++) {
      for (int h = 0; h < 10; h++) {
        if (s == 2) {
          in.add(new UpdateApplied(t, t0.plusSeconds(s), "h" + h, "rel", true, null));
        } else if (s % 10 == 2 && (h != 0 || s <= 12)) {
          in.add(new Heartbeat(t, t0.plusSeconds(s), "h" + h, "rel", Map.of()));
        }
      }
      in.add(new ClockTick(t, t0.plusSeconds(s)));
    }
    return AbsorbedHeartbeatsLogTest.log(
        new RolloutLog.Header(t, "r1", "export", RolloutLog.VERSION_EVERY_HEARTBEAT),
        EngineConfig.defaults(),
        in);
  }
}
