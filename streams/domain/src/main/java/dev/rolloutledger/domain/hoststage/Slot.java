package dev.rolloutledger.domain.hoststage;

/**
 * A host's slot in memory ({@link HostSlot} is its changelog form), linked into at most one {@link
 * SlotWheel} of its tenant.
 */
final class Slot {
  /** No sign of life known yet (a restored slot until the next tick, a detector's report). */
  static final long UNKNOWN = Long.MIN_VALUE;

  final String host;
  long lastSeen = UNKNOWN;
  long over;
  String overRelease;
  int watchVersion;
  boolean silenceOwn;
  boolean silenceExternal;
  boolean answerPending;

  /** Waiting in its tenant's list of slots without a last sign of life for the next tick. */
  boolean pending;

  /** The wheel it is linked into (null: none), the second of its bucket there, its neighbours. */
  SlotWheel wheel;

  long second;
  Slot prev;
  Slot next;

  Slot(String host) {
    this.host = host;
  }
}
