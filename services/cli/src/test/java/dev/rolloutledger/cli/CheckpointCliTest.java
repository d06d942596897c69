package dev.rolloutledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.replay.Checkpoint;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ledger replay --verify --checkpoint --keys} on a simulated log, offline: its exit codes
 * and messages, and the options it refuses; {@code ledger checkpoint} refuses a key directory
 * without a key and makes none there. (Against a real server: CheckpointIT.)
 */
class CheckpointCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  private Path log;
  private Path keys;
  private CommandSigningKey key;
  private String tenant;
  private String rollout;
  private final List<String> hashes = new ArrayList<>();

  @BeforeEach
  void simulateAndMakeAKey() throws Exception {
    log = dir.resolve("log.jsonl");
    Path scenario = Files.writeString(dir.resolve("s.json"), LedgerCliTest.SCENARIO);
    assertThat(
            LedgerCliTest.ledger("simulate", scenario.toString(), "--log", log.toString()).exit())
        .isZero();
    keys = dir.resolve("keys.json");
    assertThat(
            LedgerCliTest.ledger(
                    "keys", "generate", dir.resolve("k").toString(), "--add-to", keys.toString())
                .exit())
        .isZero();
    key = CommandSigningKey.loadOrCreate(dir.resolve("k"));
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      JsonNode n = JSON.readTree(line);
      if (n.has("log")) {
        tenant = n.get("tenant").asText();
        rollout = n.get("rollout").asText();
      } else if (n.has("decision")) {
        hashes.add(n.get("hash").asText());
      }
    }
    assertThat(hashes).isNotEmpty();
  }

  private Path checkpoint(String name, long seq, String hash) throws Exception {
    Checkpoint c =
        Checkpoint.sign(
            "rollout-ledger",
            key,
            Instant.now(),
            List.of(new Checkpoint.Head(tenant, rollout, seq, hash)));
    return Files.writeString(dir.resolve(name), c.toJson());
  }

  private LedgerCliTest.Run replay(Path checkpoint) {
    return LedgerCliTest.ledger(
        "replay",
        "--verify",
        log.toString(),
        "--checkpoint",
        checkpoint.toString(),
        "--keys",
        keys.toString());
  }

  @Test
  void a_log_that_extends_the_checkpoint_exits_0_saying_so() throws Exception {
    LedgerCliTest.Run run =
        replay(checkpoint("cp.json", hashes.size(), hashes.get(hashes.size() - 1)));

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("verified ")
        .contains("the log extends the checkpoint of ")
        .contains("signed by " + key.keyId())
        .contains("entry seq " + hashes.size() + " of " + tenant + "/" + rollout);
  }

  @Test
  void another_hash_at_the_checkpoints_seq_exits_1_naming_the_entry() throws Exception {
    String other = "ab".repeat(32);

    LedgerCliTest.Run run = replay(checkpoint("cp.json", 1, other));

    assertThat(run.exit()).isEqualTo(LedgerCli.ANSWER_NO);
    assertThat(run.err())
        .contains(
            "entry seq 1 of " + tenant + "/" + rollout + ": hash " + hashes.get(0).substring(0, 16))
        .contains("says " + other.substring(0, 16));
  }

  @Test
  void a_checkpoint_changed_after_signing_exits_1_before_the_log_is_read() throws Exception {
    Path cp = checkpoint("cp.json", 1, hashes.get(0));
    Files.writeString(cp, Files.readString(cp).replace("\"seq\" : 1", "\"seq\" : 2"));

    LedgerCliTest.Run run = replay(cp);

    assertThat(run.exit()).isEqualTo(LedgerCli.ANSWER_NO);
    assertThat(run.err()).contains("signature does not verify with key " + key.keyId());
    assertThat(run.out()).doesNotContain("verified");
  }

  @Test
  void a_checkpoint_signed_by_a_key_the_keys_file_lacks_exits_1_naming_both() throws Exception {
    Path foreign = dir.resolve("foreign.json");
    assertThat(
            LedgerCliTest.ledger(
                    "keys", "generate", dir.resolve("f").toString(), "--add-to", foreign.toString())
                .exit())
        .isZero();
    Path cp = checkpoint("cp.json", 1, hashes.get(0));

    LedgerCliTest.Run run =
        LedgerCliTest.ledger(
            "replay",
            "--verify",
            log.toString(),
            "--checkpoint",
            cp.toString(),
            "--keys",
            foreign.toString());

    assertThat(run.exit()).isEqualTo(LedgerCli.ANSWER_NO);
    assertThat(run.err())
        .contains(
            "the checkpoint is signed by key "
                + key.keyId()
                + ", which is not among "
                + foreign
                + " ("
                + CommandSigningKey.loadOrCreate(dir.resolve("f")).keyId()
                + "): refused");
  }

  @Test
  void a_rollout_the_checkpoint_lacks_exits_4() throws Exception {
    Checkpoint c =
        Checkpoint.sign(
            "rollout-ledger",
            key,
            Instant.now(),
            List.of(new Checkpoint.Head(tenant, rollout + "-other", 1, hashes.get(0))));
    Path cp = Files.writeString(dir.resolve("cp.json"), c.toJson());

    LedgerCliTest.Run run = replay(cp);

    assertThat(run.exit()).isEqualTo(ReplayCommand.NOT_IN_CHECKPOINT).isEqualTo(4);
    assertThat(run.err()).contains("has no head for " + tenant + "/" + rollout);
  }

  @Test
  void a_malformed_checkpoint_or_missing_keys_is_bad_input_naming_the_option() throws Exception {
    Path cp = checkpoint("cp.json", 1, hashes.get(0));
    Path bad =
        Files.writeString(
            dir.resolve("bad.json"), Files.readString(cp).replace(hashes.get(0), "xyz"));

    LedgerCliTest.Run malformed = replay(bad);
    LedgerCliTest.Run noKeys =
        LedgerCliTest.ledger("replay", "--verify", log.toString(), "--checkpoint", cp.toString());
    LedgerCliTest.Run keysAlone =
        LedgerCliTest.ledger("replay", "--verify", log.toString(), "--keys", keys.toString());
    LedgerCliTest.Run whatIf =
        LedgerCliTest.ledger(
            "replay", "--plan", "plan.json", log.toString(), "--checkpoint", cp.toString());

    assertThat(malformed.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(malformed.err()).contains("--checkpoint: invalid heads[].hash");
    assertThat(noKeys.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(noKeys.err()).contains("--checkpoint needs --keys");
    assertThat(keysAlone.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(whatIf.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(whatIf.err()).contains("go with --verify");
  }

  @Test
  void checkpoint_refuses_a_key_directory_without_a_key_and_makes_none() throws Exception {
    Path empty = Files.createDirectory(dir.resolve("empty"));

    LedgerCliTest.Run run =
        LedgerCliTest.ledger(
            "checkpoint", "--key-dir", empty.toString(), "--bootstrap-servers", "127.0.0.1:1");

    assertThat(run.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(run.err()).contains("--key-dir: " + empty + " holds no command-signing key");
    try (var files = Files.list(empty)) {
      assertThat(files).isEmpty();
    }
  }
}
