package dev.rolloutledger.server.notify;

import java.util.TreeMap;

/**
 * How far a partition of the decisions topic is done: every entry read whose deliveries have all
 * been delivered or given up. The offset to commit is the first entry not done yet (or the next to
 * read, when none waits), so a restart sends again what was in flight and never skips it. One dead
 * receiver holds that offset back only until its delivery runs out of attempts: {@link Deliveries}
 * then skips what waits for it, and sends it one probe at a time.
 */
final class PartitionProgress {
  private final TreeMap<Long, Integer> waiting = new TreeMap<>();
  private long next = -1;
  private volatile boolean revoked;

  /** Entry {@code offset} was read and handed {@code deliveries} deliveries (0: none to send). */
  synchronized void read(long offset, int deliveries) {
    next = Math.max(next, offset + 1);
    if (deliveries > 0) {
      waiting.put(offset, deliveries);
    }
  }

  /** One delivery of entry {@code offset} was delivered or given up. */
  synchronized void done(long offset) {
    Integer left = waiting.get(offset);
    if (left == null) {
      return;
    }
    if (left <= 1) {
      waiting.remove(offset);
    } else {
      waiting.put(offset, left - 1);
    }
  }

  /** The offset to commit; -1 before anything was read. */
  synchronized long committable() {
    return waiting.isEmpty() ? next : waiting.firstKey();
  }

  /** The partition went to another instance (or this one stops): its deliveries stop here. */
  void revoke() {
    revoked = true;
  }

  boolean revoked() {
    return revoked;
  }
}
