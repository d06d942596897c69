package dev.rolloutledger.domain.hoststage;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Slots in buckets by a second (of their last sign of life when they were linked), each bucket a
 * doubly linked list through the slots themselves: linking and unlinking a slot cost a bucket
 * lookup, and a clock tick takes out only the buckets up to a second, so it visits the slots that
 * may be due rather than every slot.
 *
 * <p>The host stage links a slot once and leaves it where it is while its heartbeats move its last
 * sign of life on (a heartbeat does not touch the wheel): a slot's bucket is never later than its
 * last sign of life, and a tick that takes a slot out whose last sign of life has moved on links it
 * again at its new second.
 */
final class SlotWheel {
  private final TreeMap<Long, Slot> heads = new TreeMap<>();

  void link(Slot s, long second) {
    Slot head = heads.get(second);
    s.wheel = this;
    s.second = second;
    s.prev = null;
    s.next = head;
    if (head != null) {
      head.prev = s;
    }
    heads.put(second, s);
  }

  void unlink(Slot s) {
    if (s.prev != null) {
      s.prev.next = s.next;
    } else if (s.next != null) {
      heads.put(s.second, s.next);
    } else {
      heads.remove(s.second);
    }
    if (s.next != null) {
      s.next.prev = s.prev;
    }
    s.wheel = null;
    s.prev = null;
    s.next = null;
  }

  /** Unlinks every slot of the buckets up to {@code second} (inclusive) into {@code out}. */
  void takeUpTo(long second, List<Slot> out) {
    while (!heads.isEmpty() && heads.firstKey() <= second) {
      Map.Entry<Long, Slot> bucket = heads.pollFirstEntry();
      Slot s = bucket.getValue();
      while (s != null) {
        Slot next = s.next;
        s.wheel = null;
        s.prev = null;
        s.next = null;
        out.add(s);
        s = next;
      }
    }
  }

  /** Slots linked (walks every bucket: for tests). */
  int size() {
    int n = 0;
    for (Slot head : heads.values()) {
      for (Slot s = head; s != null; s = s.next) {
        n++;
      }
    }
    return n;
  }
}
