package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ledger} launcher keeps the logs of earlier starts. Run on a copy of the script whose
 * "server jar" is not a jar: each {@code up} starts it, it fails at once, and the script gives up,
 * leaving that start's log.
 */
class LauncherLogsTest {
  private static final Path SCRIPT =
      Path.of("").toAbsolutePath().getParent().getParent().resolve("ledger");

  @TempDir Path root;

  @Test
  void each_start_keeps_the_previous_server_logs_numbered_newest_first() throws Exception {
    Path script = Files.copy(SCRIPT, root.resolve("ledger"), StandardCopyOption.COPY_ATTRIBUTES);
    Path target = Files.createDirectories(root.resolve("services/server/target"));
    for (int start = 1; start <= 7; start++) {
      Path jar = target.resolve("ledger-server-start" + start + ".jar");
      Files.writeString(jar, "not a jar");
      assertThat(up(script)).isNotZero();
      Files.delete(jar);
    }

    Path logs = root.resolve("home/logs");
    assertThat(read(logs.resolve("server.log"))).contains("start7");
    for (int kept = 1; kept <= 5; kept++) {
      assertThat(read(logs.resolve("server.log." + kept))).contains("start" + (7 - kept));
    }
    assertThat(logs.resolve("server.log.6")).doesNotExist();
  }

  private int up(Path script) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "up");
    pb.environment().put("LEDGER_HOME", root.resolve("home").toString());
    pb.environment().put("LEDGER_SKIP_BUILD", "1");
    // an external cluster: no broker is started; nothing listens on the HTTP port
    pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9");
    pb.environment().put("LEDGER_HTTP_PORT", "9");
    pb.environment()
        .put(
            "PATH",
            Path.of(System.getProperty("java.home"), "bin")
                + ":"
                + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.redirectErrorStream(true).redirectOutput(root.resolve("up.out").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ledger up gave up in time").isTrue();
    return p.exitValue();
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
