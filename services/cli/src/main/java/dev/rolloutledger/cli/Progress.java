package dev.rolloutledger.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on the terminal (stderr), redrawn at most ten times a second. Quiet when
 * the output is not a terminal (piped, redirected, CI), so logs and scripts see only results.
 */
final class Progress implements AutoCloseable {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private final String label;
  private final boolean shown;
  private long lastDraw;
  private boolean drawn;

  private Progress(PrintStream out, String label, boolean shown) {
    this.out = out;
    this.label = label;
    this.shown = shown;
  }

  /** A bar when stderr and stdout are a terminal and {@code quiet} is not asked for. */
  static Progress of(String label, boolean quiet) {
    return new Progress(System.err, label, !quiet && System.console() != null);
  }

  /** Shows {@code done} of {@code total} (any unit), with a short note. */
  void update(double done, double total, String note) {
    update(done, total, () -> note);
  }

  /**
   * The same, with the note made only when the bar is drawn: callers that report thousands of times
   * a second (replay) pay nothing for a note nobody sees.
   */
  void update(double done, double total, java.util.function.Supplier<String> note) {
    if (!shown) {
      return;
    }
    long now = System.nanoTime();
    if (drawn && now - lastDraw < 100_000_000L) {
      return;
    }
    lastDraw = now;
    drawn = true;
    double f = total <= 0 ? 0 : Math.max(0, Math.min(1, done / total));
    int full = (int) Math.round(f * WIDTH);
    out.print(
        String.format(
            Locale.ROOT,
            "\r%s [%s%s] %3.0f%% %s\u001b[K",
            label,
            "#".repeat(full),
            ".".repeat(WIDTH - full),
            f * 100,
            note.get()));
    out.flush();
  }

  @Override
  public void close() {
    if (shown && drawn) {
      out.print("\r\u001b[K");
      out.flush();
    }
  }
}
