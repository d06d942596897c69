package dev.rolloutledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.LedgerInput;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommonLinesTest {

  private static LedgerInput read(String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return new CommonLines("sim").read(b, b.length);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void reads_every_line_of_a_simulated_log_as_the_general_parser_does(boolean bad) {
    byte[] log = RolloutReplayTest.log(bad ? RolloutReplayTest.BAD : RolloutReplayTest.GOOD);
    int inputs = 0;
    int ticksAndBeats = 0;
    try (RolloutLogReader reader = new RolloutLogReader(new ByteArrayInputStream(log))) {
      CommonLines common = new CommonLines(reader.header().tenant());
      RolloutLog.Kind kind;
      while ((kind = reader.next()) != null) {
        if (kind != RolloutLog.Kind.INPUT) {
          continue;
        }
        inputs++;
        if (common.read(reader.body(), reader.bodyLength()) != null) {
          ticksAndBeats++;
        }
        assertThat(reader.input()).isEqualTo(reader.parsedInput());
      }
    }
    // registrations, the release, the plan and the outcomes go the general way
    assertThat(ticksAndBeats).isGreaterThan(inputs / 3).isLessThan(inputs);
  }

  @Test
  void reads_a_tick_and_a_heartbeat_without_metrics() {
    assertThat(read("{\"input\":\"ClockTick\",\"at\":\"2024-07-19T04:09:01Z\""))
        .isEqualTo(new ClockTick("sim", Instant.parse("2024-07-19T04:09:01Z")));
    assertThat(
            read(
                "{\"input\":\"Heartbeat\",\"tenant\":\"sim\",\"at\":\"2024-07-19T04:09:01.250Z\","
                    + "\"host\":\"h1\",\"release\":\"r-1\",\"metrics\":{}"))
        .isEqualTo(
            new Heartbeat("sim", Instant.parse("2024-07-19T04:09:01.250Z"), "h1", "r-1", Map.of()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // metrics, a null release, another tenant, an escape, a field more, a field missing
        "{\"input\":\"Heartbeat\",\"tenant\":\"sim\",\"at\":\"2024-07-19T04:09:01Z\",\"host\":\"h1\",\"release\":\"r\",\"metrics\":{\"cpu\":1.0}",
        "{\"input\":\"Heartbeat\",\"tenant\":\"sim\",\"at\":\"2024-07-19T04:09:01Z\",\"host\":\"h1\",\"release\":null,\"metrics\":{}",
        "{\"input\":\"Heartbeat\",\"tenant\":\"other\",\"at\":\"2024-07-19T04:09:01Z\",\"host\":\"h1\",\"release\":\"r\",\"metrics\":{}",
        "{\"input\":\"Heartbeat\",\"tenant\":\"sim\",\"at\":\"2024-07-19T04:09:01Z\",\"host\":\"h\\u0031\",\"release\":\"r\",\"metrics\":{}",
        "{\"input\":\"Heartbeat\",\"tenant\":\"sim\",\"at\":\"2024-07-19T04:09:01Z\",\"host\":\"h1\",\"release\":\"r\",\"metrics\":{},\"x\":1",
        "{\"input\":\"Heartbeat\",\"tenant\":\"sim\",\"at\":\"2024-07-19T04:09:01Z\",\"host\":\"h1\",\"metrics\":{}",
        // a value the domain or the instant parser refuses, a tick with more to it
        "{\"input\":\"Heartbeat\",\"tenant\":\"sim\",\"at\":\"2024-07-19T04:09:01Z\",\"host\":\" \",\"release\":\"r\",\"metrics\":{}",
        "{\"input\":\"Heartbeat\",\"tenant\":\"sim\",\"at\":\"yesterday\",\"host\":\"h1\",\"release\":\"r\",\"metrics\":{}",
        "{\"input\":\"ClockTick\",\"at\":\"2024-07-19T04:09:01Z\",\"tenant\":\"sim\"",
        "{\"input\":\"ClockTick\",\"at\":\"2024-07-19T04:09:01Z",
        "{\"input\":\"CrashReport\",\"tenant\":\"sim\""
      })
  void leaves_any_other_line_to_the_general_parser(String body) {
    assertThat(read(body)).isNull();
  }
}
