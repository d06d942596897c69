package dev.rolloutledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --ca-cert}: a file that cannot be used is the caller's mistake (exit 2, named). */
class CaCertOptionTest {
  @TempDir Path dir;

  private record Run(int exit, String err) {}

  private Run ledger(String... args) {
    StringWriter err = new StringWriter();
    int exit =
        LedgerCli.execute(
            args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    return new Run(exit, err.toString());
  }

  @Test
  void a_missing_ca_cert_file_exits_2_naming_the_option() throws Exception {
    Path token = Files.writeString(dir.resolve("t"), "rl_x_y");

    Run r =
        ledger(
            "rollout",
            "status",
            "--server",
            "https://127.0.0.1:1",
            "--token-file",
            token.toString(),
            "--ca-cert",
            dir.resolve("missing.pem").toString());

    assertThat(r.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(r.err()).contains("--ca-cert").contains("missing.pem");
  }

  @Test
  void a_ca_cert_that_is_not_pem_exits_2_naming_the_file() throws Exception {
    Path token = Files.writeString(dir.resolve("t"), "rl_x_y");
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");

    Run r =
        ledger(
            "rollout",
            "status",
            "--server",
            "https://127.0.0.1:1",
            "--token-file",
            token.toString(),
            "--ca-cert",
            notPem.toString());

    assertThat(r.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(r.err()).contains(notPem.toString());
  }
}
