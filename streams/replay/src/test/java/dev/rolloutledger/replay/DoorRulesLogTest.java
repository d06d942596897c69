package dev.rolloutledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.ManualHalt;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A log is one more door: an input line that no door would accept (docs/api.md, "What every door
 * accepts") is refused at its line, naming the field, before the engine sees it.
 */
class DoorRulesLogTest {
  private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");

  /** A well-chained log of {@code inputs} (line 1 the header, then one line each, then the end). */
  static byte[] log(List<LedgerInput> inputs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RolloutLogWriter writer = new RolloutLogWriter(out, RolloutLog.Header.simulation())) {
      inputs.forEach(writer::input);
    }
    return out.toByteArray();
  }

  private static LogException refusal(byte[] log) {
    try {
      RolloutReplay.verify(new ByteArrayInputStream(log), bytes -> {});
    } catch (LogException e) {
      return e;
    }
    throw new AssertionError("the log verified");
  }

  private static final HostRegistered H1 = new HostRegistered("sim", AT, "h1", Map.of());

  @Test
  void a_200_character_host_is_refused_at_its_line_naming_the_field() {
    byte[] log = log(List.of(H1, new Heartbeat("sim", AT, "h".repeat(200), "r-1", Map.of())));

    LogException e = refusal(log);

    assertThat(e.line()).isEqualTo(3);
    assertThat(e.getMessage())
        .isEqualTo(
            "line 3 holds an input no door accepts: field host must be at most 128 characters,"
                + " was 200");
  }

  @Test
  void a_nan_or_infinite_metric_is_refused_at_its_line_naming_the_field() {
    for (double value : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
      byte[] log = log(List.of(H1, new Heartbeat("sim", AT, "h1", "r-1", Map.of("cpu", value))));

      LogException e = refusal(log);

      assertThat(e.line()).as("%s", value).isEqualTo(3);
      assertThat(e.reason()).as("%s", value).contains("metrics").contains("cpu");
    }
  }

  @Test
  void an_infinite_metric_written_as_a_number_is_refused_as_not_finite() {
    byte[] log = log(List.of(H1, new Heartbeat("sim", AT, "h1", "r-1", Map.of("cpu", 0.5))));
    // 1e999 is valid JSON that reads as Infinity; the chain is recomputed, only the rule refuses it
    String edited =
        rechain(new String(log, java.nio.charset.StandardCharsets.UTF_8), "0.5", "1e999");

    LogException e = refusal(edited.getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(e.line()).isEqualTo(3);
    assertThat(e.reason()).contains("metrics[cpu]").contains("finite number");
  }

  @Test
  void a_reason_with_a_nul_or_an_at_before_1970_is_refused_naming_the_field() {
    LogException nul =
        refusal(log(List.of(H1, new ManualHalt("sim", AT, "sim-rollout", "alice", "a\u0000b"))));
    assertThat(nul.getMessage()).startsWith("line 3 holds an input no door accepts: field reason");

    LogException early =
        refusal(log(List.of(new HostRegistered("sim", Instant.ofEpochMilli(-1), "h1", Map.of()))));
    assertThat(early.getMessage()).startsWith("line 2 holds an input no door accepts: field at");
  }

  @Test
  void edge_values_every_door_accepts_are_read_back_as_they_were() throws Exception {
    Heartbeat edge =
        new Heartbeat(
            "sim",
            Instant.parse("9999-12-31T23:59:59.999Z"),
            "h".repeat(128),
            "r-1",
            Map.of(
                "région 🚀/x",
                Double.MAX_VALUE,
                "tiny",
                Double.MIN_VALUE,
                "neg",
                -Double.MAX_VALUE));
    HostRegistered labels =
        new HostRegistered(
            "sim", Instant.EPOCH, "h1", Map.of("kubernetes.io/zone", "zürich \"west\" ✓"));
    byte[] log = log(List.of(labels, edge));

    try (RolloutLogReader reader = new RolloutLogReader(new ByteArrayInputStream(log))) {
      assertThat(reader.next()).isEqualTo(RolloutLog.Kind.INPUT);
      assertThat(reader.input()).isEqualTo(labels);
      assertThat(reader.next()).isEqualTo(RolloutLog.Kind.INPUT);
      assertThat(reader.input()).isEqualTo(edge);
    }
  }

  @Test
  void a_host_lifecycle_change_is_written_read_back_and_refused_when_no_door_accepts_it()
      throws Exception {
    var cordon =
        new dev.rolloutledger.domain.HostLifecycleChanged(
            "sim", AT, "h1", dev.rolloutledger.domain.HostLifecycle.CORDONED, "alice");
    try (RolloutLogReader reader =
        new RolloutLogReader(new ByteArrayInputStream(log(List.of(H1, cordon))))) {
      assertThat(reader.next()).isEqualTo(RolloutLog.Kind.INPUT);
      assertThat(reader.input()).isEqualTo(H1);
      assertThat(reader.next()).isEqualTo(RolloutLog.Kind.INPUT);
      assertThat(reader.input()).isEqualTo(cordon);
    }

    LogException bad =
        refusal(
            log(
                List.of(
                    H1,
                    new dev.rolloutledger.domain.HostLifecycleChanged(
                        "sim", AT, "h1", dev.rolloutledger.domain.HostLifecycle.RETIRED, "a/b"))));
    assertThat(bad.getMessage()).startsWith("line 3 holds an input no door accepts: field by");
  }

  /** {@code log} with {@code from} replaced by {@code to}, every chain recomputed. */
  static String rechain(String log, String from, String to) {
    RolloutLog.Chain chain = new RolloutLog.Chain();
    StringBuilder out = new StringBuilder();
    for (String line : log.split("\n")) {
      String body = line.substring(0, line.lastIndexOf(",\"chain\":\"")).replace(from, to);
      byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      out.append(body).append(",\"chain\":\"").append(chain.next(b, b.length)).append("\"}\n");
    }
    return out.toString();
  }
}
