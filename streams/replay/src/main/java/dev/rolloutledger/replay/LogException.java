package dev.rolloutledger.replay;

/** A rollout log that is malformed, tampered with or diverges, at a line (from 1). */
public final class LogException extends RuntimeException {
  private final long line;
  private final String reason;

  public LogException(long line, String reason) {
    super("line " + line + " " + reason);
    this.line = line;
    this.reason = reason;
  }

  public long line() {
    return line;
  }

  public String reason() {
    return reason;
  }
}
