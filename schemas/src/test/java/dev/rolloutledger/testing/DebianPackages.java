package dev.rolloutledger.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Debian packages a test needs (Chromium and Prometheus for the server's, ssh-keygen, unshare, ip,
 * curl and unzip for the bundle's; in the schemas test-jar so each module depends on one copy):
 * present, or installed with {@code apt-get install -y} when the tests run as root (CI on a fresh
 * Debian machine; {@code apt-get update} and again if that fails). Otherwise the test fails saying
 * what to install: it is never skipped.
 */
public final class DebianPackages {
  private DebianPackages() {}

  /** Makes {@code present} true by installing {@code packages}, or throws AssertionError. */
  public static synchronized void ensure(BooleanSupplier present, String... packages) {
    if (present.getAsBoolean()) {
      return;
    }
    List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y"));
    install.addAll(List.of(packages));
    StringBuilder tried = new StringBuilder();
    if (isRoot() && onPath("apt-get")) {
      if (!run(install, tried)) {
        run(List.of("apt-get", "update"), tried);
        run(install, tried);
      }
    } else {
      tried.append("not root, or no apt-get: cannot install them here\n");
    }
    if (!present.getAsBoolean()) {
      throw new AssertionError(
          "this test needs Debian's "
              + String.join(", ", packages)
              + ": run `sudo "
              + String.join(" ", install)
              + "` and the tests again.\n"
              + tried);
    }
  }

  /** True when {@code command} is an executable in a directory of the PATH. */
  public static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static boolean run(List<String> command, StringBuilder log) {
    try {
      Path out = Files.createTempFile("apt-get", ".out");
      try {
        ProcessBuilder b =
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        b.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = b.start();
        boolean done = p.waitFor(15, TimeUnit.MINUTES);
        if (!done) {
          p.destroyForcibly();
        }
        int code = done ? p.exitValue() : -1;
        log.append(String.join(" ", command)).append(": exit ").append(code).append('\n');
        if (code != 0) {
          // the tail says why (no network, a held lock): the rest is apt's progress
          String text = Files.readString(out, StandardCharsets.UTF_8);
          log.append(text, Math.max(0, text.length() - 2000), text.length()).append('\n');
        }
        return code == 0;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      log.append(String.join(" ", command)).append(": ").append(e.getMessage()).append('\n');
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
