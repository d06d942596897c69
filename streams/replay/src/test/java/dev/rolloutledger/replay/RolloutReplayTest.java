package dev.rolloutledger.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.sim.Scenario;
import dev.rolloutledger.domain.sim.Simulator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

class RolloutReplayTest {

  /** 40 hosts in three waves; the release crashes a third of the hosts that apply it. */
  static final String BAD =
      """
      {"name": "bad", "seed": 3, "horizon": "PT30M",
       "fleet": {"hosts": 40, "heartbeatInterval": "PT10S", "labels": {"env": {"dev": 0.2, "prod": 0.8}}},
       "release": {"id": "r-9"},
       "behavior": {"failProbability": 0.34, "failDelay": {"median": "PT20S", "p95": "PT1M"},
                    "silentFraction": 0.5},
       "plan": {"waves": [
          {"name": "dev", "selector": {"env": "dev"}, "bake": "PT5M"},
          {"name": "canary", "selector": {"env": "prod"}, "hosts": 4, "bake": "PT5M"},
          {"name": "rest", "selector": {}, "bake": "PT5M"}]}}
      """;

  static final String GOOD = BAD.replace("\"failProbability\": 0.34", "\"failProbability\": 0.0");

  static byte[] log(String scenarioJson) {
    Scenario scenario = ScenarioJson.scenario(scenarioJson);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RolloutLogWriter writer = new RolloutLogWriter(out, RolloutLog.Header.simulation())) {
      Simulator.run(scenario, writer.recording(new Simulator.Listener() {}));
    }
    return out.toByteArray();
  }

  static RolloutReplay.Verified verify(byte[] log) {
    return RolloutReplay.verify(new ByteArrayInputStream(log), bytes -> {});
  }

  static List<String> lines(byte[] log) {
    return new ArrayList<>(List.of(new String(log, StandardCharsets.UTF_8).split("\n")));
  }

  static byte[] join(List<String> lines) {
    return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  @Nested
  class A_faithful_log {
    @Test
    void verifies_with_every_input_and_decision_counted() {
      byte[] log = log(BAD);
      List<String> lines = lines(log);
      long inputs = lines.stream().filter(l -> l.startsWith("{\"input\":")).count();
      long decisions = lines.stream().filter(l -> l.startsWith("{\"decision\":")).count();

      RolloutReplay.Verified v = verify(log);

      // news only (ADR 0007): 40 registrations, the release and the plan, applies, crashes, ticks
      assertThat(v.header().version()).isEqualTo(RolloutLog.VERSION_CURRENT);
      assertThat(v.inputs()).isEqualTo(inputs).isGreaterThan(42);
      assertThat(v.decisions()).isEqualTo(decisions).isGreaterThanOrEqualTo(2);
      assertThat(v.header().rollout()).isEqualTo(Simulator.ROLLOUT);
      assertThat(lines.get(lines.size() - 1)).startsWith("{\"end\":true");
    }

    @Test
    void is_the_same_bytes_for_the_same_scenario_and_seed() {
      assertThat(log(GOOD)).isEqualTo(log(GOOD));
    }

    @Test
    void of_a_good_release_records_every_promotion_and_the_completion() {
      byte[] log = log(GOOD);
      List<String> lines = lines(log);

      assertThat(lines.stream().filter(l -> l.startsWith("{\"decision\":\"WavePromoted\"")))
          .hasSize(3);
      assertThat(lines.stream().filter(l -> l.startsWith("{\"decision\":\"RolloutCompleted\"")))
          .hasSize(1);
      assertThat(verify(log).decisions()).isEqualTo(7); // 3 started, 3 promoted, 1 completed
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class A_tampered_log {
    final List<String> original = lines(log(BAD));

    /**
     * Positions to tamper with: about 80 spread over the log, plus every decision, its neighbours
     * and the last lines (verifying the whole log for every line would be quadratic).
     */
    final List<Integer> positions = positions();

    private List<Integer> positions() {
      java.util.TreeSet<Integer> at = new java.util.TreeSet<>();
      int stride = Math.max(1, original.size() / 80);
      for (int i = 1; i < original.size(); i += stride) {
        at.add(i);
      }
      for (int i = 1; i < original.size(); i++) {
        if (original.get(i).startsWith("{\"decision\":")) {
          at.addAll(List.of(i - 1, i, i + 1));
        }
      }
      at.addAll(List.of(original.size() - 2, original.size() - 1));
      at.removeIf(i -> i < 1 || i >= original.size());
      return new ArrayList<>(at);
    }

    @Test
    void is_caught_at_the_dropped_line_whichever_it_is() {
      for (int i : positions) {
        List<String> lines = new ArrayList<>(original);
        lines.remove(i);
        long named = failingLine(join(lines));
        assertThat(named).as("dropped line %d", i + 1).isEqualTo(i + 1);
      }
    }

    @Test
    void is_caught_at_an_inserted_line() {
      for (int i : positions) {
        List<String> lines = new ArrayList<>(original);
        lines.add(i, original.get(i - 1)); // a copy of the line before, e.g. a replayed heartbeat
        assertThat(failingLine(join(lines))).as("inserted at %d", i + 1).isEqualTo(i + 1);
      }
    }

    @Test
    void is_caught_where_two_lines_are_swapped() {
      for (int i : positions) {
        if (i + 1 >= original.size()) {
          continue;
        }
        List<String> lines = new ArrayList<>(original);
        lines.set(i, original.get(i + 1));
        lines.set(i + 1, original.get(i));
        assertThat(failingLine(join(lines))).as("swapped %d", i + 1).isEqualTo(i + 1);
      }
    }

    @Test
    void is_caught_at_an_edited_line() {
      Pattern digit = Pattern.compile("\"at\":\"[^\"]*?(\\d)Z\"");
      for (int i : positions) {
        List<String> lines = new ArrayList<>(original);
        Matcher m = digit.matcher(original.get(i));
        if (!m.find()) {
          continue;
        }
        char d = original.get(i).charAt(m.start(1));
        String edited =
            original.get(i).substring(0, m.start(1))
                + (char) ('0' + (d - '0' + 1) % 10)
                + original.get(i).substring(m.start(1) + 1);
        lines.set(i, edited);
        assertThat(failingLine(join(lines))).as("edited %d", i + 1).isEqualTo(i + 1);
      }
    }

    @Test
    void is_caught_when_its_tail_is_cut() {
      List<String> lines = new ArrayList<>(original.subList(0, original.size() - 1));

      assertThatThrownBy(() -> verify(join(lines)))
          .isInstanceOf(LogException.class)
          .hasMessageContaining("ends without its end line");
    }

    @Test
    void is_caught_even_when_the_chain_is_recomputed_if_a_decision_was_changed() {
      List<String> lines = new ArrayList<>(original);
      int halt = indexOf(lines, "{\"decision\":\"RolloutHalted\"");
      lines.set(halt, lines.get(halt).replace("\"wave\":\"", "\"wave\":\"x"));

      byte[] rechained = rechain(lines);

      assertThatThrownBy(() -> verify(rechained))
          .isInstanceOf(LogException.class)
          .hasMessageContaining("line " + (halt + 1) + " records a decision that differs");
    }

    @Test
    void is_caught_even_when_the_chain_is_recomputed_if_a_crash_report_was_removed() {
      List<String> lines = new ArrayList<>(original);
      lines.removeIf(l -> l.startsWith("{\"input\":\"CrashReport\""));

      byte[] rechained = rechain(lines);

      assertThatThrownBy(() -> verify(rechained)).isInstanceOf(LogException.class);
    }

    private long failingLine(byte[] log) {
      try {
        verify(log);
      } catch (LogException e) {
        return e.line();
      }
      return -1;
    }
  }

  @Test
  void a_file_that_is_not_a_rollout_log_is_refused_at_line_1() {
    byte[] notALog = "{\"hello\": 1}\n".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> verify(notALog))
        .isInstanceOf(LogException.class)
        .hasMessageStartingWith("line 1 ");
  }

  static int indexOf(List<String> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no line starts with " + prefix);
  }

  /** What a forger would do: recompute every chain after editing. */
  static byte[] rechain(List<String> lines) {
    RolloutLog.Chain chain = new RolloutLog.Chain();
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      String body = line.substring(0, line.length() - RolloutLog.CHAIN_SUFFIX);
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      out.add(body + ",\"chain\":\"" + chain.next(b, b.length) + "\"}");
    }
    return join(out);
  }
}
