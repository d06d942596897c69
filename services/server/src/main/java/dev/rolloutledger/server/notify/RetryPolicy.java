package dev.rolloutledger.server.notify;

import java.time.Duration;

/**
 * When a delivery is tried again: after a connection error, a timeout, a 5xx, a 408 or a 429, with
 * exponential backoff ({@code firstDelay}, twice that, four times... at most {@code maxDelay}), up
 * to {@code attempts} attempts in all; anything else (a 2xx: delivered; another 4xx or a 3xx, which
 * is not followed) is final.
 */
public record RetryPolicy(int attempts, Duration firstDelay, Duration maxDelay) {
  /** 1 s, 2 s, 4 s ... 64 s: eight attempts over about two minutes. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(8, Duration.ofSeconds(1), Duration.ofSeconds(64));

  public RetryPolicy {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, not " + attempts);
    }
    if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0) {
      throw new IllegalArgumentException("0 <= firstDelay <= maxDelay expected");
    }
  }

  /** Whether an answer with this status is worth another attempt. */
  public static boolean retryable(int status) {
    return status >= 500 || status == 408 || status == 429;
  }

  public static boolean delivered(int status) {
    return status >= 200 && status < 300;
  }

  /**
   * The wait before the next attempt after {@code made} attempts failed (1: the first failed), or
   * null when none is left.
   */
  public Duration delayAfter(int made) {
    if (made >= attempts) {
      return null;
    }
    Duration d = firstDelay;
    for (int i = 1; i < made && d.compareTo(maxDelay) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxDelay) > 0 ? maxDelay : d;
  }
}
