package dev.rolloutledger.server.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server does when a stream thread dies (docs/failures.md). Under exactly_once_v2 the
 * thread's transaction is aborted and its tasks are restored from their changelogs, so nothing
 * half-done remains either way. A transient fault (a broker moving leaders, the registry
 * restarting) heals when the thread is replaced; a lasting one (an incompatible schema in the
 * registry) would fail again at once, in a loop of restores. So a failed thread is replaced after a
 * growing pause (1 s, 2 s, 4 s, ...), and after {@value #MAX_FAILURES} failures within {@link
 * #WINDOW} the stream stops, with the cause in the log and in {@code /health}, for the operator to
 * fix.
 */
public final class StreamThreadFailures {
  private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailures.class);

  static final int MAX_FAILURES = 5;
  static final Duration WINDOW = Duration.ofMinutes(5);
  static final Duration MAX_PAUSE = Duration.ofSeconds(16);

  /** Waits before a replacement thread starts (real time in production). */
  interface Pause {
    void pause(Duration d) throws InterruptedException;
  }

  private final Clock clock;
  private final Pause pause;
  private final Deque<Instant> recent = new ArrayDeque<>();
  private volatile String lastFailure;
  private volatile boolean stopped;

  public StreamThreadFailures() {
    this(Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
  }

  StreamThreadFailures(Clock clock, Pause pause) {
    this.clock = clock;
    this.pause = pause;
  }

  /** The handler's answer to a stream thread that died of {@code e}. */
  public synchronized StreamThreadExceptionResponse onFailure(Throwable e) {
    Instant now = clock.instant();
    while (!recent.isEmpty() && recent.peekFirst().isBefore(now.minus(WINDOW))) {
      recent.removeFirst();
    }
    recent.addLast(now);
    lastFailure = now + ": " + rootCause(e);
    if (recent.size() >= MAX_FAILURES) {
      stopped = true;
      LOG.error(
          "the stream stopped after {} failures within {}; last: {}. Nothing half-done was kept"
              + " (exactly-once). Fix the cause (docs/failures.md) and restart the server.",
          recent.size(),
          WINDOW,
          rootCause(e),
          e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    Duration wait = Duration.ofSeconds(1L << Math.min(recent.size() - 1, 4));
    wait = wait.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : wait;
    LOG.error(
        "stream thread failed ({} of {} allowed within {}); replacing it in {}",
        recent.size(),
        MAX_FAILURES,
        WINDOW,
        wait,
        e);
    try {
      pause.pause(wait);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** The last failure, when and why; null if none. */
  public String lastFailure() {
    return lastFailure;
  }

  /** True once the failures made the stream stop. */
  public boolean stopped() {
    return stopped;
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
