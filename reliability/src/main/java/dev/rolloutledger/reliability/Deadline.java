package dev.rolloutledger.reliability;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Every wait of the suite has one: past it, the suite fails saying what it waited for. */
public final class Deadline {
  private final long end;

  private Deadline(long end) {
    this.end = end;
  }

  public static Deadline in(Duration d) {
    return new Deadline(System.nanoTime() + d.toNanos());
  }

  public boolean passed() {
    return System.nanoTime() > end;
  }

  public Duration left() {
    return Duration.ofNanos(Math.max(0, end - System.nanoTime()));
  }

  /** Polls {@code done} every {@code every} until it holds; throws naming {@code what} if late. */
  public static void await(String what, Duration limit, Duration every, BooleanSupplier done) {
    Deadline d = in(limit);
    while (!done.getAsBoolean()) {
      if (d.passed()) {
        throw new TimeBoundExceeded(what + ": not done after " + limit);
      }
      pause(every);
    }
  }

  /** Sleeps; the suite's pacing of its own load and faults, never a wait for Kafka. */
  public static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** A wait of the suite took longer than its bound. */
  public static final class TimeBoundExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TimeBoundExceeded(String message) {
      super(message);
    }
  }
}
