package dev.rolloutledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.Plan;
import java.io.ByteArrayInputStream;
import java.time.Duration;
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
}
