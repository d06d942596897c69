package dev.rolloutledger.loadtests.fleet;

/**
 * Rate control of an open-loop generator: how many events are due by a point in time at a fixed
 * rate, whatever was sent before. A sender that falls behind catches up at once (the backlog is
 * due), so the offered rate is the rate asked for, not what a slow sender managed; the caller
 * compares the two.
 */
public final class Pacer {
  private final double perSecond;
  private final long startNanos;
  private long sent;

  public Pacer(double perSecond, long startNanos) {
    if (!(perSecond > 0)) {
      throw new IllegalArgumentException("rate must be positive, was " + perSecond);
    }
    this.perSecond = perSecond;
    this.startNanos = startNanos;
  }

  /** Events due at {@code nowNanos} and not yet taken, at most {@code max}; counts them as sent. */
  public int take(long nowNanos, int max) {
    long due = (long) Math.floor((nowNanos - startNanos) / 1e9 * perSecond);
    long n = Math.min(Math.max(0, due - sent), max);
    sent += n;
    return (int) n;
  }

  public long sent() {
    return sent;
  }
}
