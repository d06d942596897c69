package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolloutledger.agent.ApiClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ledger rollout watch ROLLOUT}: polls the rollout and its evidence every second and shows
 * them ({@link WatchView}): on a terminal, redrawn in place; otherwise one plain line per change.
 * Exits 0 when the rollout completes, 1 (the answer is no) when it halts.
 */
@Command(
    name = "watch",
    description = {
      "Watch a rollout live: its waves (applied, failed, unreachable, bake left) and the evidence"
          + " of each signal against its threshold, redrawn in place every second on a terminal;"
          + " piped, one plain line per change.",
      "Exit codes: 0 the rollout completed, 1 it halted, 2 unknown rollout or bad option, 3 the"
          + " server cannot be reached."
    })
final class RolloutWatch implements Callable<Integer> {
  /** Consecutive failed polls (server unreachable, 5xx) tolerated, e.g. during a failover. */
  static final int TOLERATED_FAILURES = 10;

  @Mixin Api.Options api;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ROLLOUT")
  String rollout;

  @Option(
      names = "--interval",
      defaultValue = "PT1S",
      description = "How often to poll (ISO-8601, default ${DEFAULT-VALUE}).")
  String interval;

  @Option(
      names = "--plain",
      description = "One plain line per change, no redrawing, even on a terminal.")
  boolean plain;

  @Override
  public Integer call() throws Exception {
    Duration every = every();
    ApiClient client = api.client();
    PrintWriter out = spec.commandLine().getOut();
    boolean live = !plain && onTerminal();
    EvidenceFeed evidence = new EvidenceFeed(client, api.tenantPath("/rollouts/" + rollout));
    String lastLine = null;
    boolean seen = false;
    int failures = 0;
    try (Screen screen = live ? new Screen(out) : null) {
      while (true) {
        JsonNode r;
        JsonNode point;
        try {
          r = client.get(api.tenantPath("/rollouts/" + rollout), Duration.ofSeconds(10));
          point = evidence.latest();
          failures = 0;
          seen = true;
        } catch (ApiClient.ApiException e) {
          // a rollout just created may not be known for a moment: 404 until it was seen once
          boolean transient_ = e.status() >= 500 || (e.status() == 404 && !seen);
          if (!transient_ || ++failures > TOLERATED_FAILURES) {
            throw e;
          }
          Thread.sleep(every.toMillis());
          continue;
        } catch (IOException e) {
          if (++failures > TOLERATED_FAILURES) {
            throw e;
          }
          Thread.sleep(every.toMillis());
          continue;
        }
        WatchView.State state = new WatchView.State(r, point, Instant.now());
        if (screen != null) {
          screen.draw(WatchView.render(state));
        } else {
          String line = WatchView.summary(state);
          if (!line.equals(lastLine)) {
            out.println(state.now().truncatedTo(ChronoUnit.SECONDS) + " " + line);
            out.flush();
            lastLine = line;
          }
        }
        String status = r.path("status").asText();
        if ("COMPLETED".equals(status)) {
          return 0;
        }
        if ("HALTED".equals(status)) {
          return LedgerCli.ANSWER_NO;
        }
        Thread.sleep(every.toMillis());
      }
    }
  }

  /**
   * Whether stdout is a terminal that understands cursor movement: a console (from JDK 22 on, one
   * that {@code isTerminal()}), and not {@code TERM=dumb}.
   */
  static boolean onTerminal() {
    java.io.Console console = System.console();
    if (console == null || "dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException | RuntimeException before22) {
      return true; // until JDK 22, System.console() is null unless both ends are a terminal
    }
  }

  private Duration every() {
    try {
      Duration d = Duration.parse(interval);
      if (d.compareTo(Duration.ofMillis(100)) < 0) {
        throw new LedgerCli.UsageProblem("--interval must be at least PT0.1S, was " + interval);
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new LedgerCli.UsageProblem("--interval must be an ISO-8601 duration like PT1S");
    }
  }

  /**
   * The rollout's evidence points (GET .../evidence?from=N), read incrementally: each poll asks
   * only for points after the last one seen. A server without the endpoint (404) has none.
   */
  static final class EvidenceFeed {
    /** Points asked for at once: the ledger's page size, which every endpoint here accepts. */
    static final int PAGE = 500;

    private final ApiClient client;
    private final String rolloutPath;
    private long from;
    private JsonNode latest;

    EvidenceFeed(ApiClient client, String rolloutPath) {
      this.client = client;
      this.rolloutPath = rolloutPath;
    }

    /** The latest point, or null when there is none (yet). */
    JsonNode latest() throws IOException, InterruptedException {
      for (int pages = 0; pages < 100; pages++) {
        JsonNode page;
        try {
          page =
              client.get(
                  rolloutPath + "/evidence?from=" + from + "&limit=" + PAGE,
                  Duration.ofSeconds(10));
        } catch (ApiClient.ApiException e) {
          if (e.status() == 404) {
            return latest;
          }
          throw e;
        }
        JsonNode points = page.path("points");
        if (points.size() > 0) {
          latest = points.get(points.size() - 1);
          from = latest.path("n").asLong() + 1;
        }
        if (!page.hasNonNull("next")) {
          return latest;
        }
        from = page.get("next").asLong();
      }
      return latest;
    }
  }

  /**
   * The terminal: each frame overwrites the one before (cursor up, clear line), the cursor hidden
   * meanwhile and shown again on exit and on Ctrl-C (a shutdown hook). The terminal's size is read
   * again for every frame, so a resized window redraws right.
   */
  static final class Screen implements AutoCloseable {
    static final String HIDE_CURSOR = "\u001b[?25l";
    static final String SHOW_CURSOR = "\u001b[?25h";
    private final PrintWriter out;
    private final Thread restore;
    private int drawn;

    Screen(PrintWriter out) {
      this.out = out;
      this.restore =
          new Thread(
              () -> {
                out.print(SHOW_CURSOR);
                out.flush();
              });
      Runtime.getRuntime().addShutdownHook(restore);
      out.print(HIDE_CURSOR);
    }

    void draw(List<String> lines) {
      Size size = Size.of();
      List<String> shown = fit(lines, size.rows());
      out.print(frame(drawn, shown, size.columns()));
      out.flush();
      drawn = shown.size();
    }

    /**
     * At most {@code rows - 1} lines (0: unknown, all): the cursor cannot go up past the top of the
     * screen, so a taller frame would scroll and the next one would be drawn over the wrong rows.
     * The last line left says how many were cut.
     */
    static List<String> fit(List<String> lines, int rows) {
      if (rows < 3 || lines.size() <= rows - 1) {
        return lines;
      }
      List<String> fitted = new java.util.ArrayList<>(lines.subList(0, rows - 2));
      fitted.add(
          "... " + (lines.size() - (rows - 2)) + " more lines: a taller terminal shows them");
      return fitted;
    }

    /**
     * The characters that replace a frame of {@code previous} lines with {@code lines}: up to the
     * first line of the previous frame, each line cleared and written, and anything left below
     * cleared. Lines are cut to the terminal's {@code width} (0: unknown, not cut): a line that
     * wrapped would take two rows, and the next frame would go up one row short.
     */
    static String frame(int previous, List<String> lines, int width) {
      StringBuilder b = new StringBuilder();
      if (previous > 0) {
        b.append("\r\u001b[").append(previous).append('A');
      }
      for (String line : lines) {
        String shown = width > 1 && line.length() >= width ? line.substring(0, width - 1) : line;
        b.append("\u001b[2K").append(shown).append('\n');
      }
      return b.append("\u001b[J").toString();
    }

    @Override
    public void close() {
      out.print(SHOW_CURSOR);
      out.flush();
      try {
        Runtime.getRuntime().removeShutdownHook(restore);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
  }

  /**
   * The terminal's rows and columns: {@code stty size} of /dev/tty, else $LINES and $COLUMNS (which
   * a shell does not update for a running program), else 0 (unknown).
   */
  record Size(int rows, int columns) {
    static Size of() {
      int rows = env("LINES");
      int columns = env("COLUMNS");
      try {
        Process stty =
            new ProcessBuilder("stty", "size")
                .redirectInput(new java.io.File("/dev/tty"))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String size = new String(stty.getInputStream().readAllBytes()).strip();
        stty.waitFor();
        String[] rowsColumns = size.split("\\s+");
        if (rowsColumns.length == 2) {
          return new Size(Integer.parseInt(rowsColumns[0]), Integer.parseInt(rowsColumns[1]));
        }
      } catch (IOException | NumberFormatException e) {
        // no terminal to ask: the environment's, or unknown
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new Size(rows, columns);
    }

    private static int env(String name) {
      try {
        String value = System.getenv(name);
        return value == null ? 0 : Integer.parseInt(value.strip());
      } catch (NumberFormatException e) {
        return 0;
      }
    }
  }
}
