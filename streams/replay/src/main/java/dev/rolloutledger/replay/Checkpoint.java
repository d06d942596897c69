package dev.rolloutledger.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A checkpoint: the heads (last seq and hash) of every rollout's ledger chain at one moment, signed
 * with the deployment's command-signing key (Ed25519), so anyone holding the deployment's public
 * keys can later check that a rollout log extends it ({@link CheckpointVerifier}).
 * docs/checkpoints.md describes what it proves.
 *
 * <h2>Document</h2>
 *
 * <pre>
 * {"format":"rollout-ledger-checkpoint","version":1,"deployment":"rollout-ledger",
 *  "keyId":"1a2b3c4d5e6f7a8b","at":"2026-12-07T20:15:03.120Z",
 *  "heads":[{"tenant":"acme","rollout":"r-291","seq":4,"hash":"9f8e…"}],
 *  "signature":"base64 of the 64-byte Ed25519 signature"}
 * </pre>
 *
 * <h2>Canonical bytes, version 1</h2>
 *
 * <p>The signature covers these bytes, made from the fields alone (never from the JSON text, so no
 * JSON library's order or spacing matters). Primitives as in {@code LedgerHash}: {@code str(s)} is
 * the length in bytes of the UTF-8 encoding of {@code s} as a 4-byte big-endian signed integer,
 * then those bytes; {@code i32}/{@code i64} are 4/8 bytes big-endian two's complement.
 *
 * <pre>
 * str("rollout-ledger-checkpoint") i32(1)
 * str(deployment) str(keyId) i64(at in milliseconds since 1970-01-01T00:00:00Z)
 * i32(number of heads)
 * for each head, in order: str(tenant) str(rollout) i64(seq) str(hash)
 * </pre>
 *
 * <p>Heads are ordered by tenant, then rollout, each compared as unsigned UTF-8 bytes (Unicode code
 * point order), with no two alike; {@code at} has millisecond precision; {@code hash} is 64
 * lower-case hex digits. A document that breaks one of these is refused when read, so one set of
 * fields has exactly one document and one byte form.
 */
public record Checkpoint(
    String deployment, String keyId, Instant at, List<Head> heads, String signature) {

  public static final String FORMAT = "rollout-ledger-checkpoint";
  public static final int VERSION = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  /** The order of heads: tenant, then rollout, as unsigned UTF-8 bytes. */
  public static final Comparator<Head> ORDER =
      Comparator.comparing((Head h) -> utf8(h.tenant()), Arrays::compareUnsigned)
          .thenComparing(h -> utf8(h.rollout()), Arrays::compareUnsigned);

  /** The head of one rollout's chain: its last entry's seq and hash. */
  public record Head(String tenant, String rollout, long seq, String hash) {
    public Head {
      nonBlank("heads[].tenant", tenant);
      nonBlank("heads[].rollout", rollout);
      if (seq < 1) {
        throw new InvalidFieldException("heads[].seq", "must be 1 or more, not " + seq);
      }
      if (hash == null || !HASH.matcher(hash).matches()) {
        throw new InvalidFieldException("heads[].hash", "must be 64 lower-case hex digits");
      }
    }
  }

  public Checkpoint {
    nonBlank("deployment", deployment);
    nonBlank("keyId", keyId);
    if (at == null) {
      throw new InvalidFieldException("at", "is missing");
    }
    if (at.getNano() % 1_000_000 != 0) {
      throw new InvalidFieldException("at", "must have millisecond precision");
    }
    heads = List.copyOf(heads);
    for (int i = 1; i < heads.size(); i++) {
      if (ORDER.compare(heads.get(i - 1), heads.get(i)) >= 0) {
        throw new InvalidFieldException(
            "heads",
            "must be sorted by tenant, then rollout, with no rollout twice; "
                + heads.get(i).tenant()
                + "/"
                + heads.get(i).rollout()
                + " is out of place");
      }
    }
  }

  /**
   * Signs {@code heads} (in any order) as of {@code at} (cut to milliseconds) with {@code key}, for
   * {@code deployment}.
   */
  public static Checkpoint sign(
      String deployment, CommandSigningKey key, Instant at, List<Head> heads) {
    List<Head> sorted = new ArrayList<>(heads);
    sorted.sort(ORDER);
    Checkpoint unsigned =
        new Checkpoint(deployment, key.keyId(), at.truncatedTo(ChronoUnit.MILLIS), sorted, null);
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key.privateKey());
      s.update(unsigned.canonicalBytes());
      return unsigned.withSignature(Base64.getEncoder().encodeToString(s.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with Ed25519 key " + key.keyId(), e);
    }
  }

  private Checkpoint withSignature(String signature) {
    return new Checkpoint(deployment, keyId, at, heads, signature);
  }

  /**
   * Whether {@code signature} is {@code publicKey}'s Ed25519 signature of {@link #canonicalBytes}.
   */
  public boolean signedBy(PublicKey publicKey) {
    if (signature == null) {
      return false;
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(publicKey);
      s.update(canonicalBytes());
      return s.verify(Base64.getDecoder().decode(signature));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return false; // not base64, or not a signature of this algorithm: it does not verify
    }
  }

  /** The head of {@code tenant/rollout}, if the checkpoint has it. */
  public Optional<Head> head(String tenant, String rollout) {
    return heads.stream()
        .filter(h -> h.tenant().equals(tenant) && h.rollout().equals(rollout))
        .findFirst();
  }

  /** The bytes the signature covers (see the class comment). */
  public byte[] canonicalBytes() {
    Bytes out = new Bytes();
    out.str(FORMAT).i32(VERSION);
    out.str(deployment).str(keyId).i64(at.toEpochMilli());
    out.i32(heads.size());
    for (Head h : heads) {
      out.str(h.tenant()).str(h.rollout()).i64(h.seq()).str(h.hash());
    }
    return out.buffer.toByteArray();
  }

  /** The document (indented JSON, a final newline). */
  public String toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("format", FORMAT);
    n.put("version", VERSION);
    n.put("deployment", deployment);
    n.put("keyId", keyId);
    n.put("at", at.toString());
    ArrayNode hs = n.putArray("heads");
    for (Head h : heads) {
      hs.addObject()
          .put("tenant", h.tenant())
          .put("rollout", h.rollout())
          .put("seq", h.seq())
          .put("hash", h.hash());
    }
    n.put("signature", signature);
    try {
      return JSON.writeValueAsString(n) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a document; {@link InvalidFieldException} names the field that is wrong. */
  public static Checkpoint parse(String json) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (IOException e) {
      throw new InvalidFieldException("checkpoint", "is not JSON: " + e.getMessage());
    }
    if (n == null || !n.isObject() || !FORMAT.equals(n.path("format").asText())) {
      throw new InvalidFieldException("format", "must be \"" + FORMAT + "\"");
    }
    if (!n.path("version").isIntegralNumber() || n.path("version").asInt() != VERSION) {
      throw new InvalidFieldException("version", "must be " + VERSION);
    }
    Instant at;
    try {
      at = Instant.parse(text(n, "at"));
    } catch (DateTimeParseException e) {
      throw new InvalidFieldException("at", "is not an ISO-8601 instant");
    }
    JsonNode hs = n.path("heads");
    if (!hs.isArray()) {
      throw new InvalidFieldException("heads", "must be an array");
    }
    List<Head> heads = new ArrayList<>();
    for (JsonNode h : hs) {
      if (!h.path("seq").isIntegralNumber()) {
        throw new InvalidFieldException("heads[].seq", "must be an integer");
      }
      heads.add(
          new Head(text(h, "tenant"), text(h, "rollout"), h.get("seq").asLong(), text(h, "hash")));
    }
    return new Checkpoint(text(n, "deployment"), text(n, "keyId"), at, heads, text(n, "signature"));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new InvalidFieldException(field, "must be a string");
    }
    return v.asText();
  }

  private static void nonBlank(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidFieldException(field, "must not be blank");
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static final class Bytes {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    Bytes str(String s) {
      byte[] b = utf8(s);
      i32(b.length);
      buffer.writeBytes(b);
      return this;
    }

    Bytes i32(int n) {
      for (int shift = 24; shift >= 0; shift -= 8) {
        buffer.write(n >>> shift);
      }
      return this;
    }

    Bytes i64(long n) {
      for (int shift = 56; shift >= 0; shift -= 8) {
        buffer.write((int) (n >>> shift));
      }
      return this;
    }
  }
}
