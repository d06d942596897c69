package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * How the Apply of a host's current assignment went out (reset when it is assigned again): when it
 * was last sent, how many times (an Apply that expired unanswered is sent once more), and whether
 * the host was recorded unreachable in its wave instead (no sign of life at dispatch, or both
 * Applies unanswered).
 *
 * @param sentAt event time the Apply was last sent, null if never
 * @param sends how many times it was sent since the host was assigned or came back (0, 1 or 2)
 * @param unreachable recorded unreachable in its wave: the wave does not wait for it
 */
public record Delivery(Instant sentAt, int sends, boolean unreachable) {

  /** Nothing sent. */
  public static final Delivery NONE = new Delivery(null, 0, false);

  public Delivery {
    if (sends < 0) {
      throw new InvalidFieldException("sends", "must be >= 0");
    }
    if ((sentAt == null) != (sends == 0)) {
      throw new InvalidFieldException("sentAt", "must be set exactly when sends > 0");
    }
  }

  /** Sent (again) at {@code at}: no longer unreachable. */
  public Delivery sentAt(Instant at) {
    return new Delivery(at, sends + 1, false);
  }

  /** Recorded unreachable: the Apply, if any was sent, is given up. */
  public Delivery markedUnreachable() {
    return new Delivery(sentAt, sends, true);
  }

  /** Came back: to be sent afresh (once, and once more if that expires unanswered). */
  public Delivery reachable() {
    return unreachable ? NONE : this;
  }
}
