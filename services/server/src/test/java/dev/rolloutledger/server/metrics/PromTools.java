package dev.rolloutledger.server.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code prometheus} package ({@code prometheus} and {@code promtool}): found on the PATH,
 * or installed with apt-get when the tests run as root (a fresh CI machine). Otherwise the test
 * fails saying how to install it; it is never skipped.
 */
final class PromTools {
  private PromTools() {}

  /** The output and exit code of a finished command. */
  record Run(int exit, String output) {}

  static synchronized void ensureInstalled() throws Exception {
    if (onPath("promtool") && onPath("prometheus")) {
      return;
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root || !onPath("apt-get")) {
      throw new AssertionError(
          "promtool and prometheus are missing: install Debian's prometheus package"
              + " (sudo apt-get install -y prometheus) and run the tests again");
    }
    Run install = run(List.of("apt-get", "install", "-y", "prometheus"), 600);
    if (install.exit() != 0) {
      run(List.of("apt-get", "update"), 600);
      install = run(List.of("apt-get", "install", "-y", "prometheus"), 600);
    }
    if (install.exit() != 0 || !onPath("promtool") || !onPath("prometheus")) {
      throw new AssertionError(
          "apt-get install -y prometheus failed (exit "
              + install.exit()
              + "):\n"
              + install.output());
    }
  }

  static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  /** Runs {@code command} to its end (at most {@code seconds}), stdout and stderr together. */
  static Run run(List<String> command, long seconds) throws IOException, InterruptedException {
    Path out = Files.createTempFile("promtool", ".out");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not end within " + seconds + " s");
      }
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
