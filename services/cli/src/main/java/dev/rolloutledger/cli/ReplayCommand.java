package dev.rolloutledger.cli;

import dev.rolloutledger.replay.RolloutReplay;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ledger replay}: verify a rollout log, or replay it under another plan (what-if). */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "--verify: recomputes every decision of LOG.jsonl from its inputs with the same engine and"
          + " checks them and the hash chain. Exit 0 \"verified N entries\", or 1 naming the first"
          + " line that diverges.",
    })
final class ReplayCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  Mode mode;

  static final class Mode {
    @Option(names = "--verify", required = true, description = "Verify the log.")
    boolean verify;
  }

  @Parameters(index = "0", paramLabel = "LOG.jsonl", description = "A rollout log.")
  Path logFile;

  @Option(names = "--quiet", description = "No progress bar, even on a terminal.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    long size = Files.exists(logFile) ? Files.size(logFile) : 0;
    long start = System.nanoTime();
    RolloutReplay.Verified v;
    try (InputStream in = Files2.open(logFile);
        Progress progress = Progress.of("verify", quiet)) {
      v = RolloutReplay.verify(in, bytes -> progress.update(bytes, size, mb(bytes)));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "verified %d entries (%d inputs, %d decisions) of rollout %s/%s in %.1f s (%.0f"
                + " entries/s)%n",
            v.entries(),
            v.inputs(),
            v.decisions(),
            v.header().tenant(),
            v.header().rollout(),
            seconds,
            v.entries() / Math.max(seconds, 1e-9));
    return 0;
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
  }
}
