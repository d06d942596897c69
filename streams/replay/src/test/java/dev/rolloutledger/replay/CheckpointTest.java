package dev.rolloutledger.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.sim.Simulator;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CheckpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CommandSigningKey KEY = CommandSigningKey.generate();
  private static final CommandSigningKey OTHER = CommandSigningKey.generate();
  private static final Instant AT = Instant.parse("2026-12-07T20:15:03.120Z");
  private static final String H1 = "1a".repeat(32);
  private static final String H2 = "9f".repeat(32);

  static List<Checkpoint.Head> heads() {
    // deliberately out of order: "Z" < "a" < "é" in code point order; "r-10" < "r-9"
    return List.of(
        new Checkpoint.Head("acme", "r-9", 4, H1),
        new Checkpoint.Head("été", "r-1", 1, H2),
        new Checkpoint.Head("acme", "r-10", 2, H2),
        new Checkpoint.Head("Zeta", "r-1", 7, H1));
  }

  static Checkpoint signed() {
    return Checkpoint.sign("rollout-ledger", KEY, AT, heads());
  }

  @Nested
  class The_canonical_bytes {
    @Test
    void are_the_documented_encoding_of_the_fields_with_heads_in_code_point_order() {
      Checkpoint c = signed();

      ByteArrayOutputStream want = new ByteArrayOutputStream();
      str(want, "rollout-ledger-checkpoint");
      want.writeBytes(ByteBuffer.allocate(4).putInt(1).array());
      str(want, "rollout-ledger");
      str(want, KEY.keyId());
      want.writeBytes(ByteBuffer.allocate(8).putLong(AT.toEpochMilli()).array());
      want.writeBytes(ByteBuffer.allocate(4).putInt(4).array());
      for (Object[] h :
          new Object[][] {
            {"Zeta", "r-1", 7L, H1},
            {"acme", "r-10", 2L, H2},
            {"acme", "r-9", 4L, H1},
            {"été", "r-1", 1L, H2}
          }) {
        str(want, (String) h[0]);
        str(want, (String) h[1]);
        want.writeBytes(ByteBuffer.allocate(8).putLong((Long) h[2]).array());
        str(want, (String) h[3]);
      }

      assertThat(c.canonicalBytes()).isEqualTo(want.toByteArray());
      assertThat(c.heads()).extracting(Checkpoint.Head::tenant).startsWith("Zeta", "acme");
    }

    @Test
    void do_not_depend_on_the_order_heads_come_in_nor_on_the_json_text() throws Exception {
      Checkpoint c = signed();
      List<Checkpoint.Head> reversed = new ArrayList<>(heads());
      java.util.Collections.reverse(reversed);
      Checkpoint again = Checkpoint.sign("rollout-ledger", KEY, AT, reversed);

      // the same fields written compactly and in another field order
      JsonNode tree = JSON.readTree(c.toJson());
      ObjectNode shuffled = JSON.createObjectNode();
      for (String f :
          List.of("signature", "heads", "at", "keyId", "deployment", "version", "format")) {
        shuffled.set(f, tree.get(f));
      }
      Checkpoint reread = Checkpoint.parse(JSON.writeValueAsString(shuffled));

      assertThat(again.canonicalBytes()).isEqualTo(c.canonicalBytes());
      assertThat(reread.canonicalBytes()).isEqualTo(c.canonicalBytes());
      assertThat(reread).isEqualTo(c);
      assertThat(reread.signedBy(KEY.publicKey())).isTrue();
    }

    @Test
    void cut_the_time_to_milliseconds_when_signing() {
      Checkpoint c =
          Checkpoint.sign("d", KEY, Instant.parse("2026-12-07T20:15:03.120999Z"), heads());

      assertThat(c.at()).isEqualTo(AT);
      assertThat(c.signedBy(KEY.publicKey())).isTrue();
    }
  }

  @Nested
  class A_document {
    @Test
    void with_heads_out_of_order_or_twice_is_refused_naming_heads() throws Exception {
      ObjectNode tree = (ObjectNode) JSON.readTree(signed().toJson());
      var hs = (com.fasterxml.jackson.databind.node.ArrayNode) tree.get("heads");
      JsonNode first = hs.remove(0);
      hs.add(first);

      assertThatThrownBy(() -> Checkpoint.parse(tree.toString()))
          .isInstanceOf(InvalidFieldException.class)
          .hasMessageContaining("heads");
      hs.insert(0, hs.get(hs.size() - 1));
      assertThatThrownBy(() -> Checkpoint.parse(tree.toString()))
          .isInstanceOf(InvalidFieldException.class)
          .hasMessageContaining("heads");
    }

    @Test
    void with_a_bad_hash_a_fractional_millisecond_or_another_format_is_refused() throws Exception {
      String json = signed().toJson();

      assertThatThrownBy(() -> Checkpoint.parse(json.replace(H2, "XY".repeat(32))))
          .isInstanceOf(InvalidFieldException.class)
          .hasMessageContaining("heads[].hash");
      assertThatThrownBy(() -> Checkpoint.parse(json.replace(".120Z", ".120500Z")))
          .isInstanceOf(InvalidFieldException.class)
          .hasMessageContaining("at");
      assertThatThrownBy(() -> Checkpoint.parse(json.replace("\"version\" : 1", "\"version\" : 2")))
          .isInstanceOf(InvalidFieldException.class)
          .hasMessageContaining("version");
      assertThatThrownBy(() -> Checkpoint.parse("[]"))
          .isInstanceOf(InvalidFieldException.class)
          .hasMessageContaining("format");
    }
  }

  @Nested
  class The_signature {
    @Test
    void verifies_with_the_signing_key_only() {
      Checkpoint c = signed();

      assertThat(c.signedBy(KEY.publicKey())).isTrue();
      assertThat(c.signedBy(OTHER.publicKey())).isFalse();
    }

    @Test
    void fails_when_any_field_is_changed_after_signing() {
      Checkpoint c = signed();
      List<Checkpoint.Head> moved = new ArrayList<>(c.heads());
      Checkpoint.Head h = moved.get(2);
      moved.set(2, new Checkpoint.Head(h.tenant(), h.rollout(), h.seq() + 1, h.hash()));
      List<Checkpoint.Head> rehashed = new ArrayList<>(c.heads());
      rehashed.set(2, new Checkpoint.Head(h.tenant(), h.rollout(), h.seq(), H2));
      List<Checkpoint.Head> fewer = c.heads().subList(1, c.heads().size());

      for (Checkpoint tampered :
          List.of(
              new Checkpoint("other", c.keyId(), c.at(), c.heads(), c.signature()),
              new Checkpoint(
                  c.deployment(), c.keyId(), c.at().plusMillis(1), c.heads(), c.signature()),
              new Checkpoint(c.deployment(), c.keyId(), c.at(), moved, c.signature()),
              new Checkpoint(c.deployment(), c.keyId(), c.at(), rehashed, c.signature()),
              new Checkpoint(c.deployment(), c.keyId(), c.at(), fewer, c.signature()),
              new Checkpoint(c.deployment(), c.keyId(), c.at(), c.heads(), "not base64!"))) {
        assertThat(tampered.signedBy(KEY.publicKey())).as(tampered.toString()).isFalse();
      }
    }

    @Test
    void by_a_key_the_keys_file_lacks_is_refused_naming_the_key() {
      CheckpointVerifier verifier = CheckpointVerifier.fromKeysFile(keysFile(OTHER));

      CheckpointVerifier.Verdict v = verifier.signature(signed()).orElseThrow();

      assertThat(v.outcome()).isEqualTo(CheckpointVerifier.Outcome.UNKNOWN_KEY);
      assertThat(v.message()).contains(KEY.keyId()).contains(OTHER.keyId()).contains("refused");
    }

    @Test
    void changed_in_the_document_is_a_bad_signature() {
      Checkpoint c = signed();
      Checkpoint tampered = Checkpoint.parse(c.toJson().replace("\"seq\" : 7", "\"seq\" : 8"));
      CheckpointVerifier verifier = CheckpointVerifier.fromKeysFile(keysFile(OTHER, KEY));

      assertThat(verifier.signature(c)).isEmpty();
      assertThat(verifier.signature(tampered).orElseThrow().outcome())
          .isEqualTo(CheckpointVerifier.Outcome.BAD_SIGNATURE);
    }

    @Test
    void a_keys_file_whose_key_id_is_not_its_keys_is_refused() {
      String lying = keysFile(KEY).replace(KEY.keyId(), OTHER.keyId());

      assertThatThrownBy(() -> CheckpointVerifier.fromKeysFile(lying))
          .isInstanceOf(InvalidFieldException.class)
          .hasMessageContaining("keys[].keyId");
    }
  }

  @Nested
  class A_simulated_log {
    private final byte[] bad = RolloutReplayTest.log(RolloutReplayTest.BAD);
    private final CheckpointVerifier verifier =
        new CheckpointVerifier(Map.of(KEY.keyId(), KEY.publicKey()));

    @Test
    void extends_a_checkpoint_of_its_last_entry_and_of_an_earlier_one() {
      List<String> hashes = decisions(bad);
      assertThat(hashes).hasSizeGreaterThanOrEqualTo(2);
      long last = hashes.size();

      CheckpointVerifier.Verdict atEnd = verify(bad, checkpoint(last, hashes.get((int) last - 1)));
      CheckpointVerifier.Verdict earlier = verify(bad, checkpoint(1, hashes.get(0)));

      assertThat(atEnd.outcome()).isEqualTo(CheckpointVerifier.Outcome.EXTENDS);
      assertThat(atEnd.message()).contains("entry seq " + last);
      assertThat(earlier.outcome()).isEqualTo(CheckpointVerifier.Outcome.EXTENDS);
    }

    @Test
    void of_another_history_that_verifies_on_its_own_diverges_at_the_checkpoints_seq() {
      // the same rollout with no crashes: a consistent rewrite, every decision recomputed
      byte[] rewritten = RolloutReplayTest.log(RolloutReplayTest.GOOD);
      RolloutReplayTest.verify(rewritten);
      List<String> was = decisions(bad);
      List<String> now = decisions(rewritten);
      int seq = 1;
      while (seq <= Math.min(was.size(), now.size()) && was.get(seq - 1).equals(now.get(seq - 1))) {
        seq++;
      }
      assertThat(seq).as("the two histories differ").isLessThanOrEqualTo(now.size());
      assertThat(seq).isLessThanOrEqualTo(was.size());

      CheckpointVerifier.Verdict v = verify(rewritten, checkpoint(seq, was.get(seq - 1)));

      assertThat(v.outcome()).isEqualTo(CheckpointVerifier.Outcome.DIVERGES);
      assertThat(v.message())
          .startsWith(
              "entry seq "
                  + seq
                  + " of "
                  + Simulator.TENANT
                  + "/"
                  + Simulator.ROLLOUT
                  + ": hash "
                  + now.get(seq - 1).substring(0, 16))
          .contains("the checkpoint of " + AT + " signed by " + KEY.keyId())
          .contains("says " + was.get(seq - 1).substring(0, 16));
    }

    @Test
    void that_ends_before_the_checkpoints_seq_says_where_each_ends() {
      List<String> hashes = decisions(bad);
      long beyond = hashes.size() + 2;

      CheckpointVerifier.Verdict v = verify(bad, checkpoint(beyond, H1));

      assertThat(v.outcome()).isEqualTo(CheckpointVerifier.Outcome.SHORTER);
      assertThat(v.message())
          .contains("ends at seq " + hashes.size() + "; the checkpoint of")
          .contains("has seq " + beyond);
    }

    @Test
    void of_a_rollout_the_checkpoint_lacks_is_absent() {
      Checkpoint other =
          Checkpoint.sign(
              "d", KEY, AT, List.of(new Checkpoint.Head(Simulator.TENANT, "another", 1, H1)));

      CheckpointVerifier.Verdict v = verify(bad, other);

      assertThat(v.outcome()).isEqualTo(CheckpointVerifier.Outcome.ABSENT);
      assertThat(v.message()).contains("no head for " + Simulator.TENANT + "/" + Simulator.ROLLOUT);
    }

    @Test
    void is_not_compared_when_the_checkpoint_was_signed_by_an_unknown_key() {
      List<String> hashes = decisions(bad);
      Checkpoint foreign =
          Checkpoint.sign(
              "d",
              OTHER,
              AT,
              List.of(new Checkpoint.Head(Simulator.TENANT, Simulator.ROLLOUT, 1, hashes.get(0))));

      assertThat(verify(bad, foreign).outcome()).isEqualTo(CheckpointVerifier.Outcome.UNKNOWN_KEY);
    }

    private Checkpoint checkpoint(long seq, String hash) {
      return Checkpoint.sign(
          "d",
          KEY,
          AT,
          List.of(
              new Checkpoint.Head(Simulator.TENANT, Simulator.ROLLOUT, seq, hash),
              new Checkpoint.Head("zz", "r-other", 3, H2)));
    }

    private CheckpointVerifier.Verdict verify(byte[] log, Checkpoint c) {
      return verifier.verify(c, new ByteArrayInputStream(log));
    }
  }

  /** The hashes of a log's decisions, in seq order (the seqs are checked to be 1, 2, ...). */
  static List<String> decisions(byte[] log) {
    List<String> hashes = new ArrayList<>();
    for (String line : RolloutReplayTest.lines(log)) {
      if (line.startsWith("{\"decision\":")) {
        try {
          JsonNode d = JSON.readTree(line);
          assertThat(d.get("seq").asLong()).isEqualTo(hashes.size() + 1L);
          hashes.add(d.get("hash").asText());
        } catch (java.io.IOException e) {
          throw new AssertionError(e);
        }
      }
    }
    return hashes;
  }

  static String keysFile(CommandSigningKey... keys) {
    ObjectNode root = JSON.createObjectNode();
    var array = root.putArray("keys");
    for (CommandSigningKey k : keys) {
      array
          .addObject()
          .put("keyId", k.keyId())
          .put("algorithm", "Ed25519")
          .put("publicKey", k.publicKeyBase64());
    }
    return root.toString();
  }

  private static void str(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
    out.writeBytes(b);
  }
}
