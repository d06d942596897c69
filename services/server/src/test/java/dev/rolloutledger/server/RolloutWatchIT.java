package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rolloutledger.cli.LedgerCli;
import dev.rolloutledger.server.auth.Role;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code ledger rollout watch} against the real server and broker: piped, it prints a plain line
 * per change and exits 0 when the rollout completes, 1 when it halts (here by the operator, while
 * the watch runs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RolloutWatchIT {
  private TestServer server;
  private Path dir;
  private Path adminToken;
  private final String tenant = "watch" + UUID.randomUUID().toString().substring(0, 8);

  record Run(int exit, String out, String err) {}

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("ledger-watch-it");
    server = new TestServer("it-watch-" + UUID.randomUUID(), dir.resolve("server"));
    adminToken = Files.writeString(dir.resolve("admin.token"), server.token(tenant, Role.ADMIN));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private Run ledger(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--server", server.url(""), "--tenant", tenant, "--token-file", adminToken.toString()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        LedgerCli.execute(
            all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  /** A watch running in the background; {@code out} fills as it prints. */
  record Watching(StringWriter out, CompletableFuture<Run> run) {}

  private Watching watch(String rollout) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] args = {
      "rollout",
      "watch",
      rollout,
      "--interval",
      "PT0.2S",
      "--server",
      server.url(""),
      "--tenant",
      tenant,
      "--token-file",
      adminToken.toString()
    };
    return new Watching(
        out,
        CompletableFuture.supplyAsync(
            () -> {
              int exit =
                  LedgerCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
              return new Run(exit, out.toString(), err.toString());
            }));
  }

  private void create(String rollout, String plan) throws Exception {
    Path file = Files.writeString(dir.resolve(rollout + ".json"), plan);
    Run created =
        ledger("rollout", "create", rollout, "--release", "cf-1", "--plan", file.toString());
    assertThat(created.exit()).as(created.err()).isZero();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ledger("rollout", "status", rollout).exit() == 0);
  }

  @BeforeAll
  void release() throws Exception {
    Path artifact = Files.writeString(dir.resolve("cf-1"), "content 1");
    assertThat(ledger("release", "publish", "cf-1", "--file", artifact.toString()).exit()).isZero();
  }

  @Test
  void exits_0_when_the_rollout_completes_with_a_line_per_change() throws Exception {
    // two waves no host matches: each passes once its short bake has
    create(
        "r-done",
        "{\"waves\": [{\"name\": \"first\", \"selector\": {\"env\": \"nowhere\"}, \"bake\":"
            + " \"PT1S\"}, {\"name\": \"second\", \"selector\": {\"env\": \"nowhere\"},"
            + " \"bake\": \"PT1S\"}]}");

    Run run = watch("r-done").run().get(60, TimeUnit.SECONDS);

    assertThat(run.exit()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(lines.size() - 1)).contains("r-done COMPLETED");
    assertThat(lines).doesNotHaveDuplicates();
    assertThat(run.out()).doesNotContain("\u001b");
  }

  @Test
  void exits_1_when_the_rollout_is_halted_while_watched() throws Exception {
    assertThat(ledger("hosts", "register", "h1", "--label", "env=dev").exit()).isZero();
    server.reachable(Files.readString(adminToken), tenant, "h1");
    create(
        "r-halt",
        "{\"waves\": [{\"name\": \"canary\", \"selector\": {\"env\": \"dev\"}, \"bake\":"
            + " \"PT1H\"}]}");
    Watching watching = watch("r-halt");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> watching.out().toString().contains("r-halt ACTIVE"));
    assertThat(watching.run()).isNotDone();

    assertThat(ledger("rollout", "halt", "r-halt", "--reason", "drill").exit()).isZero();
    Run run = watching.run().get(60, TimeUnit.SECONDS);

    assertThat(run.exit()).as(run.err()).isEqualTo(LedgerCli.ANSWER_NO);
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(0)).contains("r-halt ACTIVE wave canary | canary");
    assertThat(lines.get(lines.size() - 1)).contains("r-halt HALTED");
  }
}
