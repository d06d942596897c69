package dev.rolloutledger.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {
  private Instant now = Instant.parse("2026-12-07T10:00:00Z");
  private final List<Duration> pauses = new ArrayList<>();

  private StreamThreadFailures failures() {
    Clock clock =
        new Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now;
          }
        };
    return new StreamThreadFailures(clock, pauses::add);
  }

  private static RuntimeException registryDown() {
    return new StreamsException("task failed", new IllegalStateException("registry unreachable"));
  }

  @Test
  void a_thread_is_replaced_after_a_growing_pause_until_failures_repeat_then_the_stream_stops() {
    StreamThreadFailures f = failures();
    List<StreamThreadExceptionResponse> answers = new ArrayList<>();
    for (int i = 0; i < StreamThreadFailures.MAX_FAILURES; i++) {
      answers.add(f.onFailure(registryDown()));
      now = now.plusSeconds(10);
    }

    assertThat(answers)
        .containsExactly(
            StreamThreadExceptionResponse.REPLACE_THREAD,
            StreamThreadExceptionResponse.REPLACE_THREAD,
            StreamThreadExceptionResponse.REPLACE_THREAD,
            StreamThreadExceptionResponse.REPLACE_THREAD,
            StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    assertThat(pauses)
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8));
    assertThat(f.stopped()).isTrue();
    assertThat(f.lastFailure()).contains("IllegalStateException: registry unreachable");
  }

  @Test
  void failures_spread_over_more_than_the_window_never_stop_the_stream() {
    StreamThreadFailures f = failures();
    for (int i = 0; i < 20; i++) {
      assertThat(f.onFailure(registryDown()))
          .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
      // MAX_FAILURES of them span just over the window
      now =
          now.plus(StreamThreadFailures.WINDOW.dividedBy(StreamThreadFailures.MAX_FAILURES - 1))
              .plusSeconds(1);
    }
    assertThat(f.stopped()).isFalse();
  }
}
