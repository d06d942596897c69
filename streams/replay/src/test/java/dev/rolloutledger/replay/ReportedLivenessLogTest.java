package dev.rolloutledger.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.Liveness;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Logs of rollouts whose liveness a failure detector reported (ADR 0006): they verify, and a
 * what-if reads each host's silence from the detector's reports rather than from gaps.
 */
class ReportedLivenessLogTest {
  static final String BAD_REPORTED =
      RolloutReplayTest.BAD
          .replace("\"failProbability\": 0.34", "\"failProbability\": 0.9")
          .replace("\"silentFraction\": 0.5", "\"silentFraction\": 1.0")
          .replace(
              "\"heartbeatInterval\": \"PT10S\",",
              "\"heartbeatInterval\": \"PT10S\", \"liveness\": \"reported\",");

  @Test
  void a_reported_log_carries_the_detectors_reports_and_verifies() {
    byte[] log = RolloutReplayTest.log(BAD_REPORTED);
    String text = new String(log, StandardCharsets.UTF_8);

    assertThat(text).contains("\"input\":\"HostSilent\"").contains("\"liveness\":\"reported\"");
    assertThat(text).doesNotContain("\"input\":\"Heartbeat\"");
    RolloutReplay.Verified v = RolloutReplayTest.verify(log);
    assertThat(v.inputs()).isPositive();
  }

  @Test
  void a_what_if_moves_the_reported_silences_as_it_moves_heartbeat_gaps() {
    byte[] log = RolloutReplayTest.log(BAD_REPORTED);

    WhatIf.Result r = WhatIfTest.whatIf(log, ScenarioJson.plan(WhatIfTest.BIG_BANG), null);

    assertThat(r.actual().halted()).isTrue();
    assertThat(r.actual().haltSignal()).isEqualTo("silence");
    assertThat(r.whatIf().exposedHosts()).isEqualTo(40);
    // every host the recording saw fail (silent, by the detector's word) fails again
    assertThat(r.whatIf().failedHosts()).isEqualTo(r.actual().failedHosts()).isPositive();
  }

  @Test
  void a_scenario_reads_the_fleets_liveness_and_refuses_a_plan_that_says_otherwise() {
    assertThat(ScenarioJson.scenario(BAD_REPORTED).effectivePlan().liveness())
        .isEqualTo(Liveness.REPORTED);
    String contradicting =
        BAD_REPORTED.replace(
            "\"plan\": {\"waves\"", "\"plan\": {\"liveness\": \"heartbeats\", \"waves\"");
    assertThatThrownBy(() -> ScenarioJson.scenario(contradicting))
        .isInstanceOfSatisfying(
            InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("plan.liveness"));
    String unknown = BAD_REPORTED.replace("\"liveness\": \"reported\"", "\"liveness\": \"gossip\"");
    assertThatThrownBy(() -> ScenarioJson.scenario(unknown))
        .isInstanceOfSatisfying(
            InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("fleet.liveness"));
  }
}
