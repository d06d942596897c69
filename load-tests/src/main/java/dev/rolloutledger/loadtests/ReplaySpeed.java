package dev.rolloutledger.loadtests;

import com.sun.management.OperatingSystemMXBean;
import dev.rolloutledger.replay.RolloutReplay;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How fast {@code ledger replay --verify} ({@link RolloutReplay#verify}) checks a rollout log, and
 * where its CPU goes: the engine thread (this one), the reading thread ({@code replay-reader}:
 * lines, hash chain, parsing) and the rest of the process (JIT compilers, garbage collector). The
 * first run in a JVM is what the CLI does (cold: the JIT compiles while it runs); later runs show
 * the code once compiled.
 *
 * <pre>
 * ./ledger simulate load-tests/incidents/good-release.json --log /tmp/good10k.jsonl --quiet
 * ./mvnw -q -B -pl load-tests -am package -DskipTests
 * java -Xmx4g -XX:+UseParallelGC \
 *   -cp "load-tests/target/ledger-load-tests-0.1.0-SNAPSHOT.jar:load-tests/target/lib/*" \
 *   dev.rolloutledger.loadtests.ReplaySpeed /tmp/good10k.jsonl [RUNS]
 * </pre>
 *
 * A measurement, not a test: nothing here asserts a time.
 */
public final class ReplaySpeed {
  private ReplaySpeed() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ReplaySpeed LOG.jsonl [RUNS]");
      System.exit(2);
    }
    Path log = Path.of(args[0]);
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.out.printf(
        Locale.ROOT,
        "replay --verify of %s (%,d bytes), %d cores, %s %s, load %s%n",
        log,
        Files.size(log),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        loadAverage());
    for (int run = 1; run <= runs; run++) {
      long process0 = os.getProcessCpuTime();
      long engine0 = threads.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      ReaderCpu reader = new ReaderCpu(threads);
      RolloutReplay.Verified v;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(log), 1 << 16)) {
        v = RolloutReplay.verify(in, bytes -> reader.sample());
      }
      double wall = (System.nanoTime() - wall0) / 1e9;
      double engine = (threads.getCurrentThreadCpuTime() - engine0) / 1e9;
      double process = (os.getProcessCpuTime() - process0) / 1e9;
      double read = reader.cpu / 1e9;
      System.out.printf(
          Locale.ROOT,
          "run %d%s: %,d entries in %.2f s = %,.0f entries/s; CPU engine %.2f s, reader %.2f s,"
              + " rest (JIT, GC) %.2f s; load %s%n",
          run,
          run == 1 ? " (cold, as the CLI)" : "",
          v.entries(),
          wall,
          v.entries() / wall,
          engine,
          read,
          process - engine - read,
          loadAverage());
    }
  }

  /**
   * The reading thread's CPU time, sampled as the engine reports progress (it ends with the log).
   */
  private static final class ReaderCpu {
    private final ThreadMXBean threads;
    private long id = -1;
    private long cpu;

    ReaderCpu(ThreadMXBean threads) {
      this.threads = threads;
    }

    void sample() {
      if (id < 0) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
          if (t.getName().equals("replay-reader") && t.isAlive()) {
            id = t.getId();
          }
        }
      }
      long now = id < 0 ? -1 : threads.getThreadCpuTime(id);
      if (now > 0) {
        cpu = now;
      }
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim().replaceAll(" \\S+ \\S+$", "");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
