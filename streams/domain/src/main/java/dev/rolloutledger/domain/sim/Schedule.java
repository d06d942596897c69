package dev.rolloutledger.domain.sim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * What happens when: the simulation's events in virtual seconds, in the order they were scheduled
 * within a second. It also keeps, per host, the moments it is due to go down ({@link #nextDown}),
 * so the heartbeat before each reaches the host stage, and the host's pending background failure,
 * which is drawn again when the release changes the host's failure rate.
 */
final class Schedule {

  enum Kind {
    APPLY,
    FAIL_SILENT,
    FAIL_CRASH,
    FAIL_OVER_LIMITS,
    RECOVER_RELEASE,
    BACKGROUND,
    UP,
    SHOCK_DOWN,
    SHOCK_END,
    APPROVE,
    REPORT_SILENT,
    BACK_ONLINE
  }

  /** {@code ref}: the approval's index, a background failure's generation, a report's outage. */
  record Event(long at, long order, Kind kind, int host, int ref) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
    }
  }

  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private long order;
  private final Map<Integer, PriorityQueue<Long>> pendingDowns = new HashMap<>();
  private final long[] nextDown; // the head of each host's pendingDowns, read at every beat
  private final Map<Integer, Long> backgroundAt = new HashMap<>();
  private final int[] backgroundGeneration;

  Schedule(int hosts) {
    this.nextDown = new long[hosts];
    Arrays.fill(nextDown, Long.MAX_VALUE);
    this.backgroundGeneration = new int[hosts];
  }

  /** The next event if it is due by second {@code s}, else null. */
  Event due(long s) {
    return !queue.isEmpty() && queue.peek().at() <= s ? queue.poll() : null;
  }

  void push(long at, Kind kind, int host, int ref) {
    queue.add(new Event(at, order++, kind, host, ref));
  }

  /** An event that takes the host down at {@code at}. */
  void pushDown(long at, Kind kind, int host) {
    int ref = 0;
    if (kind == Kind.BACKGROUND) {
      backgroundAt.put(host, at);
      ref = backgroundGeneration[host];
    }
    pendingDowns.computeIfAbsent(host, k -> new PriorityQueue<>()).add(at);
    nextDown[host] = Math.min(nextDown[host], at);
    push(at, kind, host, ref);
  }

  /** When the host next goes down, or {@link Long#MAX_VALUE}. */
  long nextDown(int host) {
    return nextDown[host];
  }

  /** Whether a background failure event is still the host's current one. */
  boolean currentBackground(Event e) {
    return e.ref() == backgroundGeneration[e.host()];
  }

  boolean hasBackground(int host) {
    return backgroundAt.containsKey(host);
  }

  /** The host's background failure happened. */
  void backgroundDone(int host) {
    backgroundAt.remove(host);
  }

  /** Forgets the host's pending background failure (it is drawn again). */
  void cancelBackground(int host) {
    Long at = backgroundAt.remove(host);
    if (at != null) {
      backgroundGeneration[host]++;
      forgetDown(host, at);
    }
  }

  /** The host went down as scheduled at {@code at}. */
  void forgetDown(int host, long at) {
    PriorityQueue<Long> pending = pendingDowns.get(host);
    if (pending != null) {
      pending.remove(at);
      if (pending.isEmpty()) {
        pendingDowns.remove(host);
      }
    }
    nextDown[host] = pending == null || pending.isEmpty() ? Long.MAX_VALUE : pending.peek();
  }
}
