package dev.rolloutledger.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Locale;

/** The suite's findings: printed as they come and appended to the results file. */
public final class Report {
  private final Path file;
  private final long start = System.nanoTime();

  public Report(Path file) {
    this.file = file;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A line with the elapsed time and the machine's load average beside it. */
  public synchronized void line(String format, Object... args) {
    String text =
        String.format(
            Locale.ROOT,
            "[%6.1f s, load %s] %s",
            (System.nanoTime() - start) / 1e9,
            loadAverage(),
            String.format(Locale.ROOT, format, args));
    System.out.println(text);
    System.out.flush();
    try {
      Files.writeString(
          file,
          text + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void header(String what) {
    line("==== %s (%s)", what, Instant.now());
  }

  /** {@code /proc/loadavg}'s three figures, as {@code uptime} prints them. */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return String.format(
          Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  public double seconds() {
    return (System.nanoTime() - start) / 1e9;
  }
}
