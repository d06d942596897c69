package dev.rolloutledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ledger replay} refuses a log holding an input no door accepts with a message naming the
 * line and the field, and exit 1 (the log does not verify).
 */
class ReplayRefusalTest {
  @TempDir Path dir;

  @Test
  void a_log_with_a_200_character_host_exits_1_naming_the_line_and_field() throws Exception {
    Path log = dir.resolve("log.jsonl");
    assertThat(
            LedgerCliTest.ledger(
                    "simulate",
                    Files.writeString(dir.resolve("s.json"), LedgerCliTest.SCENARIO).toString(),
                    "--log",
                    log.toString())
                .exit())
        .isZero();
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    int beat = firstRegistration(lines);
    String host = "\"host\":\"" + "h".repeat(200) + "\"";
    String edited = lines.get(beat).replaceFirst("\"host\":\"[^\"]*\"", host);
    Files.writeString(
        log, String.join("\n", rechain(lines, beat, edited)) + "\n", StandardCharsets.UTF_8);

    LedgerCliTest.Run run = LedgerCliTest.ledger("replay", "--verify", log.toString());

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains(
            "line "
                + (beat + 1)
                + " holds an input no door accepts: field host must be at most 128 characters,"
                + " was 200");
  }

  private static int firstRegistration(List<String> lines) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("{\"input\":\"HostRegistered\"")) {
        return i;
      }
    }
    throw new AssertionError("no host registration in the simulated log");
  }

  /** The lines with line {@code at} replaced, every chain from it on recomputed. */
  private static List<String> rechain(List<String> lines, int at, String replacement) {
    java.util.ArrayList<String> out = new java.util.ArrayList<>(lines);
    out.set(at, replacement);
    String previous = chainOf(lines.get(at - 1));
    for (int i = at; i < out.size(); i++) {
      String line = out.get(i);
      String body = line.substring(0, line.lastIndexOf(",\"chain\":\""));
      previous = sha256Hex(previous + body);
      out.set(i, body + ",\"chain\":\"" + previous + "\"}");
    }
    return out;
  }

  private static String chainOf(String line) {
    int from = line.lastIndexOf(",\"chain\":\"") + 10;
    return line.substring(from, from + 64);
  }

  private static String sha256Hex(String text) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
