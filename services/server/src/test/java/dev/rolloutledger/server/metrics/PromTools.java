package dev.rolloutledger.server.metrics;

import dev.rolloutledger.testing.DebianPackages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code prometheus} package ({@code prometheus} and {@code promtool}): found on the PATH,
 * or installed ({@link DebianPackages}); and commands run to their end.
 */
final class PromTools {
  private PromTools() {}

  /** The output and exit code of a finished command. */
  record Run(int exit, String output) {}

  static void ensureInstalled() {
    DebianPackages.ensure(
        () -> DebianPackages.onPath("promtool") && DebianPackages.onPath("prometheus"),
        "prometheus");
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
