package dev.rolloutledger.loadtests.fleet;

/** A status line on the terminal, rewritten in place; nothing when output is piped. */
public final class Progress {
  private final boolean on;
  private long lastAt;

  public Progress(boolean on) {
    this.on = on;
  }

  public void say(String line) {
    if (!on) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastAt < 100_000_000L) {
      return;
    }
    lastAt = now;
    System.err.print("\r\033[K" + line);
    System.err.flush();
  }

  public void clear() {
    if (on) {
      System.err.print("\r\033[K");
      System.err.flush();
    }
  }

  public void fail(String line) {
    System.err.println((on ? "\r\033[K" : "") + line);
  }

  public void done() {
    clear();
  }
}
