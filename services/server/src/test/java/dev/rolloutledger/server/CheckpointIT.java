package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.cli.LedgerCli;
import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.InMemoryLedgerStore;
import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.RolloutEngine;
import dev.rolloutledger.replay.RolloutLog;
import dev.rolloutledger.replay.RolloutLogReader;
import dev.rolloutledger.replay.RolloutLogWriter;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.server.auth.Role;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A checkpoint taken with {@code ledger checkpoint} from the real broker with the server's own key,
 * then a log exported with {@code ledger export}: the log verifies against the checkpoint, also
 * when the rollout went on after it; a history rewritten after the checkpoint was taken (every
 * decision recomputed by the engine, so plain {@code --verify} passes) does not, and the message
 * names the entry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckpointIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA = "c".repeat(64);
  private String applicationId;
  private TestServer server;
  private Path dir;
  private Path stateDir;
  private Path keysFile;
  private String tenant;
  private String token;

  record Run(int exit, String out, String err) {}

  @BeforeAll
  void startServer() throws Exception {
    dir = Files.createTempDirectory("ledger-it-checkpoint");
    stateDir = dir.resolve("server");
    applicationId = "it-checkpoint-" + UUID.randomUUID();
    server = new TestServer(applicationId, stateDir);
    // the deployment's public keys, as an owner hands them to an auditor
    Path tokenFile = Files.writeString(dir.resolve("token"), server.token("cpkeys", Role.ADMIN));
    keysFile = dir.resolve("keys.json");
    Run keys =
        ledger(
            "keys",
            "--out",
            keysFile.toString(),
            "--server",
            server.url(""),
            "--tenant",
            "cpkeys",
            "--token-file",
            tokenFile.toString());
    assertThat(keys.exit()).as(keys.err()).isZero();
  }

  @BeforeEach
  void newTenant() {
    tenant = "cp" + UUID.randomUUID().toString().substring(0, 8);
    token = server.token(tenant, Role.OPERATOR);
  }

  @AfterAll
  void stopServer() {
    server.close();
  }

  @Test
  void a_log_extends_a_checkpoint_and_a_history_rewritten_after_it_does_not() throws Exception {
    rollout("r1");
    awaitLedger("r1", "WaveStarted");
    Path early = checkpoint("early.json", tenant, "r1", 1);
    JsonNode earlyDoc = JSON.readTree(early.toFile());
    assertThat(earlyDoc.get("deployment").asText()).isEqualTo(applicationId);
    assertThat(earlyDoc.get("heads")).hasSize(1);

    // the rollout goes on after the first checkpoint: a crash halts it (entry seq 2)
    post("/telemetry", applied("h1") + "," + applied("h2") + "," + crash("h1"));
    awaitLedger("r1", "RolloutHalted");
    Path late = checkpoint("late.json", tenant, "r1", 2);
    String keyId = JSON.readTree(late.toFile()).get("keyId").asText();
    assertThat(keyId).isEqualTo(CommandSigningKey.loadOrCreate(stateDir.resolve("keys")).keyId());
    Path log = export("r1", "RolloutHalted");

    // Then: the faithful log extends both checkpoints
    Run againstEarly = verify(log, early);
    Run againstLate = verify(log, late);
    assertThat(againstEarly.exit()).as(againstEarly.err()).isZero();
    assertThat(againstEarly.out()).contains("the log extends the checkpoint").contains("seq 1");
    assertThat(againstLate.exit()).as(againstLate.err()).isZero();
    assertThat(againstLate.out()).contains("entry seq 2 of " + tenant + "/r1 has its hash");

    // When: history is rewritten after the late checkpoint: the crash came a millisecond later,
    // and every decision is recomputed, so the rewritten log verifies on its own
    Path rewritten =
        rewrite(
            log,
            "rewritten.jsonl",
            input ->
                input instanceof CrashReport c
                    ? new CrashReport(
                        c.tenant(),
                        c.at().plusMillis(1),
                        c.host(),
                        c.release(),
                        c.signature(),
                        c.kind())
                    : input);
    Run plain = ledger("replay", "--verify", rewritten.toString(), "--quiet");
    assertThat(plain.exit()).as(plain.err()).isZero();

    // Then: it no longer verifies against the late checkpoint, which names the entry
    Run refused = verify(rewritten, late);
    assertThat(refused.exit()).isEqualTo(LedgerCli.ANSWER_NO);
    assertThat(refused.err())
        .contains("entry seq 2 of " + tenant + "/r1: hash ")
        .contains("but the checkpoint of ")
        .contains("signed by " + keyId + " says ");
    // the early checkpoint saw only seq 1, which the rewrite left alone
    assertThat(verify(rewritten, early).exit()).isZero();

    // When: the crash is removed from history altogether (no halt: the log ends at seq 1)
    Path cut = rewrite(log, "cut.jsonl", input -> input instanceof CrashReport ? null : input);
    assertThat(ledger("replay", "--verify", cut.toString(), "--quiet").exit()).isZero();
    Run shorter = verify(cut, late);
    assertThat(shorter.exit()).isEqualTo(LedgerCli.ANSWER_NO);
    assertThat(shorter.err()).contains("ends at seq 1; the checkpoint of").contains("has seq 2");
  }

  @Test
  void a_rollout_outside_the_checkpoint_and_a_foreign_key_are_told_apart() throws Exception {
    rollout("r2");
    awaitLedger("r2", "WaveStarted");
    Path log = export("r2", "WaveStarted");
    Path otherTenant = checkpoint("other-tenant.json", "nobody" + UUID.randomUUID(), null, 0);
    Path mine = checkpoint("mine.json", tenant, "r2", 1);
    Path foreignKeys = dir.resolve("foreign-keys.json");
    CommandSigningKey foreign = CommandSigningKey.generate();
    Files.writeString(
        foreignKeys,
        "{\"keys\":[{\"keyId\":\"%s\",\"algorithm\":\"Ed25519\",\"publicKey\":\"%s\"}]}"
            .formatted(foreign.keyId(), foreign.publicKeyBase64()));

    Run absent = verify(log, otherTenant);
    Run untrusted =
        ledger(
            "replay",
            "--verify",
            log.toString(),
            "--checkpoint",
            mine.toString(),
            "--keys",
            foreignKeys.toString(),
            "--quiet");
    Run noKeys = ledger("replay", "--verify", log.toString(), "--checkpoint", mine.toString());

    assertThat(absent.exit()).isEqualTo(4);
    assertThat(absent.err()).contains("has no head for " + tenant + "/r2");
    assertThat(untrusted.exit()).isEqualTo(LedgerCli.ANSWER_NO);
    assertThat(untrusted.err())
        .contains("which is not among " + foreignKeys)
        .contains(foreign.keyId())
        .contains("refused");
    assertThat(noKeys.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(noKeys.err()).contains("--keys");
  }

  // ---- the CLI ----

  private Run ledger(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = LedgerCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  /**
   * A checkpoint of {@code ofTenant}, taken again until it holds {@code rollout} at {@code seq}.
   */
  private Path checkpoint(String name, String ofTenant, String rollout, long seq) {
    Path file = dir.resolve(name);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              takeCheckpoint(file, ofTenant);
              for (JsonNode h : JSON.readTree(file.toFile()).get("heads")) {
                if (h.get("rollout").asText().equals(rollout) && h.get("seq").asLong() == seq) {
                  return true;
                }
              }
              return rollout == null;
            });
    return file;
  }

  private void takeCheckpoint(Path file, String ofTenant) {
    Run run =
        ledger(
            "checkpoint",
            "--out",
            file.toString(),
            "--key-dir",
            stateDir.resolve("keys").toString(),
            "--bootstrap-servers",
            TestKafka.bootstrapServers(),
            "--deployment",
            applicationId,
            "--tenant",
            ofTenant,
            "--quiet");
    assertThat(run.exit()).as(run.err()).isZero();
  }

  /** The rollout's log, exported again until it holds a decision of {@code type}. */
  private Path export(String rollout, String type) throws Exception {
    Path file = dir.resolve(rollout + ".jsonl");
    // the engine commits its journal offset with the decisions; the export waits for them
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Run run =
                  ledger(
                      "export",
                      rollout,
                      "--tenant",
                      tenant,
                      "--out",
                      file.toString(),
                      "--bootstrap-servers",
                      TestKafka.bootstrapServers(),
                      "--application-id",
                      applicationId,
                      "--quiet");
              return run.exit() == 0
                  && Files.readString(file).contains("{\"decision\":\"" + type + "\"");
            });
    return file;
  }

  private Run verify(Path log, Path checkpoint) {
    return ledger(
        "replay",
        "--verify",
        log.toString(),
        "--checkpoint",
        checkpoint.toString(),
        "--keys",
        keysFile.toString(),
        "--quiet");
  }

  // ---- a consistent rewrite: the inputs edited, every decision recomputed by the engine ----

  private Path rewrite(Path log, String name, UnaryOperator<LedgerInput> edit) throws Exception {
    Path file = dir.resolve(name);
    try (InputStream in = Files.newInputStream(log);
        RolloutLogReader reader = new RolloutLogReader(in);
        OutputStream out = Files.newOutputStream(file)) {
      RolloutLog.Header header = reader.header();
      RolloutEngine engine = new RolloutEngine(new InMemoryLedgerStore(), header.engineConfig());
      try (RolloutLogWriter writer = new RolloutLogWriter(out, header)) {
        RolloutLog.Kind kind;
        while ((kind = reader.next()) != null) {
          if (kind != RolloutLog.Kind.INPUT) {
            continue;
          }
          LedgerInput input = edit.apply(reader.input());
          if (input == null) {
            continue;
          }
          writer.input(input);
          for (LedgerEntry entry : engine.apply(input).entries()) {
            if (entry.rollout().equals(header.rollout())) {
              writer.decision(entry);
            }
          }
        }
      }
    }
    return file;
  }

  // ---- the server ----

  private void rollout(String rollout) {
    post(
        "/hosts",
        """
        {"host": "h1", "labels": {"env": "dev"}},
        {"host": "h2", "labels": {"env": "dev"}},
        {"host": "h3", "labels": {"env": "prod"}}""");
    await().atMost(Duration.ofSeconds(60)).until(() -> server.hostsKnown(tenant) == 3);
    server.reachable(token, tenant, "h1", "h2", "h3");
    server.post(
        token,
        api("/releases"),
        """
        {"release": "cf-1", "artifact": "a", "version": "1", "sha256": "%s", "publisher": "vendor"}"""
            .formatted(SHA));
    server.post(
        token,
        api("/rollouts"),
        """
        {"rollout": "%s", "release": "cf-1", "plan": {"waves": [
          {"name": "canary", "selector": {"env": "dev"}, "maxCrashFraction": 0.3},
          {"name": "prod", "selector": {"env": "prod"}}]}}"""
            .formatted(rollout));
  }

  private void awaitLedger(String rollout, String type) {
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> server.get(token, api("/rollouts/" + rollout + "/ledger")).body().contains(type));
  }

  private void post(String path, String items) {
    assertThat(server.post(token, api(path), "[" + items + "]").statusCode()).isEqualTo(202);
  }

  private static String applied(String host) {
    return """
        {"type": "applied", "host": "%s", "release": "cf-1", "ok": true}"""
        .formatted(host);
  }

  private static String crash(String host) {
    return """
        {"type": "crash", "host": "%s", "release": "cf-1", "signature": "BSOD", "kind": "BSOD"}"""
        .formatted(host);
  }

  private String api(String path) {
    return "/api/v1/tenants/" + tenant + path;
  }
}
