package dev.rolloutledger.domain;

/**
 * Where a chunked assignment goes on (ADR 0007): the next hosts to bind are free hosts matching
 * wave {@code wave}, in host-id order after {@code after} (null: from the first).
 */
public record AssignmentCursor(int wave, String after) {
  public AssignmentCursor {
    Checks.atLeast("wave", wave, 0);
    Checks.optionalId("after", after);
  }
}
