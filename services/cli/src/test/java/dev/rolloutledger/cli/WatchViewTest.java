package dev.rolloutledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The watch's view as a pure function of the rollout, its latest evidence and the time. */
class WatchViewTest {
  static final Instant STARTED = Instant.parse("2026-12-07T19:00:00Z");

  static JsonNode rollout(String status, String currentWave) throws Exception {
    return Api.JSON.readTree(
        """
        {"rollout": "r1", "release": "cf-9", "status": "%s", "currentWave": "%s",
         "waves": [
           {"name": "canary", "assigned": 10, "applied": 5, "crashed": 1, "silent": 1, "hot": 0,
            "dispatched": 10, "unreachable": 2, "bake": "PT1H", "approval": false,
            "approved": false},
           {"name": "rest", "assigned": 90, "applied": 0, "crashed": 0, "silent": 0, "hot": 0,
            "dispatched": 0, "unreachable": 0, "bake": "PT2H", "approval": true,
            "approved": false}],
         "ledgerSeq": 4, "ledgerHead": "ab", "plannedAt": "2026-12-07T18:59:00Z",
         "waveStartedAt": "2026-12-07T19:00:00Z"}"""
            .formatted(status, currentWave));
  }

  static JsonNode point(double crash) throws Exception {
    return Api.JSON.readTree(
        """
        {"n": 3, "at": "2026-12-07T19:10:00Z", "wave": "canary", "waveIndex": 0,
         "status": "ACTIVE", "decision": null, "assigned": 10, "applied": 5, "failed": 1,
         "updatedAtRisk": 5, "baselineAtRisk": 90, "baselineHosts": 92, "baselineFailing": 0,
         "signals": [
           {"signal": "CRASH", "eValue": %s, "threshold": 60.0, "updatedFailures": 1,
            "baselineFailures": 0},
           {"signal": "SILENCE", "eValue": 1.0, "threshold": 60.0, "updatedFailures": 0,
            "baselineFailures": 0}]}"""
            .formatted(crash));
  }

  static String line(List<String> lines, String start) {
    return lines.stream().filter(l -> l.startsWith(start)).findFirst().orElseThrow();
  }

  @Nested
  class Waves {
    @Test
    void each_wave_has_a_bar_of_applied_of_assigned_its_failed_unreachable_and_status()
        throws Exception {
      List<String> lines =
          WatchView.render(
              new WatchView.State(
                  rollout("ACTIVE", "canary"), null, STARTED.plus(Duration.ofMinutes(18))));

      assertThat(lines.get(0))
          .isEqualTo(
              "rollout r1  release cf-9  ACTIVE  wave 1/2 canary  ledger seq 4  at"
                  + " 2026-12-07T19:18:00Z");
      // 5 of 10 applied: half the bar; crashed 1 + silent 1 = 2 failed; 2 unreachable
      assertThat(line(lines, "canary").split("\\s{2,}"))
          .containsExactly(
              "canary", "[##########..........]", "5/10", "2", "2", "baking, ~42m00s left");
      assertThat(line(lines, "rest").split("\\s{2,}"))
          .containsExactly(
              "rest", "[....................]", "0/90", "0", "0", "waiting, needs approval");
      assertThat(lines).contains("EVIDENCE  none yet");
    }

    @Test
    void a_passed_bake_with_approval_pending_says_both() throws Exception {
      JsonNode r = rollout("ACTIVE", "rest");
      Instant now = STARTED.plus(Duration.ofHours(3));

      assertThat(WatchView.waveStatus(r, 0, now)).isEqualTo("promoted");
      assertThat(WatchView.waveStatus(r, 1, now)).isEqualTo("baked, needs approval");
    }

    @Test
    void halted_paused_and_completed_rollouts_say_so_per_wave() throws Exception {
      Instant now = STARTED.plusSeconds(5);
      JsonNode halted = rollout("HALTED", "canary");
      JsonNode paused = rollout("PAUSED", "canary");
      JsonNode done = rollout("COMPLETED", "rest");

      assertThat(WatchView.waveStatus(halted, 0, now)).isEqualTo("HALTED");
      assertThat(WatchView.waveStatus(halted, 1, now)).isEqualTo("not started");
      assertThat(WatchView.waveStatus(paused, 0, now)).isEqualTo("paused");
      assertThat(WatchView.waveStatus(done, 0, now)).isEqualTo("promoted");
      assertThat(WatchView.waveStatus(done, 1, now)).isEqualTo("promoted");
    }
  }

  @Nested
  class Evidence {
    @Test
    void each_signal_shows_its_e_value_against_its_threshold_on_a_log_scale() throws Exception {
      // e = sqrt(60): half way to the threshold on a log scale
      List<String> lines =
          WatchView.render(
              new WatchView.State(rollout("ACTIVE", "canary"), point(Math.sqrt(60)), STARTED));

      assertThat(line(lines, "EVIDENCE"))
          .startsWith("EVIDENCE  wave canary at 2026-12-07T19:10:00Z:");
      assertThat(line(lines, "SIGNAL").split("\\s{2,}"))
          .containsExactly("SIGNAL", "TOWARDS HALT", "E-VALUE", "FAILURES");
      assertThat(line(lines, "CRASH").split("\\s{2,}"))
          .containsExactly("CRASH", "[##########..........]", "7.75 / 60", "1 updated, 0 baseline");
      assertThat(line(lines, "SILENCE")).contains("[....................]", "1 / 60");
      assertThat(line(lines, "FAILING"))
          .isEqualTo("FAILING   updated 1/5 (20.0%), baseline 0/92 (0.0%)");
    }

    @Test
    void a_signal_at_its_threshold_fills_the_bar_and_says_halt() throws Exception {
      List<String> lines =
          WatchView.render(new WatchView.State(rollout("HALTED", "canary"), point(75), STARTED));

      assertThat(line(lines, "CRASH")).contains("[####################]", "75 / 60 HALT");
      assertThat(line(lines, "SILENCE")).doesNotContain("HALT");
    }
  }

  @Nested
  class Summary {
    @Test
    void the_plain_line_has_counts_and_e_values_and_no_ansi() throws Exception {
      String line =
          WatchView.summary(new WatchView.State(rollout("ACTIVE", "canary"), point(3.2), STARTED));

      assertThat(line)
          .isEqualTo(
              "r1 ACTIVE wave canary | canary 5/10 applied 2 failed 2 unreachable | rest 0/90"
                  + " applied 0 failed 0 unreachable | evidence canary CRASH 3.2/60 SILENCE 1/60");
      assertThat(line).doesNotContain("\u001b");
    }

    @Test
    void is_the_same_while_only_time_passes_so_nothing_is_printed() throws Exception {
      JsonNode r = rollout("ACTIVE", "canary");
      JsonNode p = point(3.2);

      assertThat(WatchView.summary(new WatchView.State(r, p, STARTED)))
          .isEqualTo(WatchView.summary(new WatchView.State(r, p, STARTED.plusSeconds(90))));
      assertThat(WatchView.summary(new WatchView.State(r, point(9.5), STARTED)))
          .isNotEqualTo(WatchView.summary(new WatchView.State(r, p, STARTED)));
    }
  }

  @Test
  void a_frame_goes_back_up_over_the_previous_one_cuts_long_lines_and_clears_what_is_left() {
    String first = RolloutWatch.Screen.frame(0, List.of("a", "b", "c"), 0);
    String second = RolloutWatch.Screen.frame(3, List.of("a", "b"), 0);
    String narrow = RolloutWatch.Screen.frame(0, List.of("abcdefgh", "abc"), 5);

    assertThat(first).doesNotContain("\u001b[3A").contains("\u001b[2Ka\n", "\u001b[2Kc\n");
    assertThat(second).startsWith("\r\u001b[3A").endsWith("\u001b[2Kb\n\u001b[J");
    // cut short of the last column, so no line wraps onto a second row
    assertThat(narrow).contains("\u001b[2Kabcd\n", "\u001b[2Kabc\n").doesNotContain("abcde");
  }

  @Test
  void a_frame_taller_than_the_terminal_is_cut_to_fit_and_says_how_many_lines_it_left_out() {
    List<String> lines = List.of("1", "2", "3", "4", "5", "6");

    List<String> fitted = RolloutWatch.Screen.fit(lines, 5);

    // rows - 1 lines at most: the cursor cannot go up past the top of the screen
    assertThat(fitted)
        .containsExactly("1", "2", "3", "... 3 more lines: a taller terminal shows them");
    assertThat(RolloutWatch.Screen.fit(lines, 7)).isEqualTo(lines);
    assertThat(RolloutWatch.Screen.fit(lines, 0)).as("unknown height").isEqualTo(lines);
  }

  @Test
  void numbers_and_durations_are_short() {
    assertThat(WatchView.number(60.0)).isEqualTo("60");
    assertThat(WatchView.number(3.14159)).isEqualTo("3.14");
    assertThat(WatchView.number(2.5e9)).isEqualTo("2.50e+09");
    assertThat(WatchView.duration(Duration.ofSeconds(3725))).isEqualTo("1h02m");
    assertThat(WatchView.duration(Duration.ofSeconds(61))).isEqualTo("1m01s");
    assertThat(WatchView.evidenceFraction(0.2, 60)).isZero();
    assertThat(WatchView.evidenceFraction(600, 60)).isEqualTo(1.0);
  }
}
