package dev.rolloutledger.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks a {@link Checkpoint} against the deployment's public keys and proves that a rollout log
 * extends it: the log's entry with the checkpoint's seq for the log's rollout has exactly the
 * checkpoint's hash. Since each entry's hash covers its predecessor's ({@code prevHash}), that one
 * equality fixes every entry up to it. The decisions themselves are checked by {@link
 * RolloutReplay#verify}: a caller runs both (as {@code ledger replay --verify --checkpoint} does).
 */
public final class CheckpointVerifier {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the check found. */
  public enum Outcome {
    /** The log extends the checkpoint (it may go on after it). */
    EXTENDS,
    /** The checkpoint holds no head for the log's rollout: it proves nothing either way. */
    ABSENT,
    /** The log's entry with the checkpoint's seq has another hash, or there is no such entry. */
    DIVERGES,
    /** The log ends before the checkpoint's seq. */
    SHORTER,
    /** The checkpoint names a key the trusted keys do not hold. */
    UNKNOWN_KEY,
    /** The signature does not verify with the key the checkpoint names. */
    BAD_SIGNATURE
  }

  /** The outcome and a sentence that says it, naming the entry, the checkpoint and its key. */
  public record Verdict(Outcome outcome, String message) {
    public boolean extendsCheckpoint() {
      return outcome == Outcome.EXTENDS;
    }
  }

  private final Map<String, PublicKey> trusted;
  private final String trustedName;

  /** Trusts exactly these public keys, by key id. */
  public CheckpointVerifier(Map<String, PublicKey> trusted) {
    this(trusted, "the trusted keys");
  }

  /** The same, naming where the keys come from ({@code keys.json}) in a refusal. */
  public CheckpointVerifier(Map<String, PublicKey> trusted, String trustedName) {
    this.trusted = Map.copyOf(trusted);
    this.trustedName = trustedName;
  }

  /** The keys of a keys file (below), called "the trusted keys" in a refusal. */
  public static CheckpointVerifier fromKeysFile(String json) {
    return fromKeysFile(json, "the trusted keys");
  }

  /**
   * The keys of a keys file: what {@code ledger keys --out} and {@code GET /api/v1/keys} write and
   * agents pin, {@code {"keys":[{"keyId":…,"algorithm":"Ed25519","publicKey":base64 X.509}]}}. A
   * key whose id is not the one its public key gives is refused. {@code name} (the file's) is what
   * a refusal calls them.
   */
  public static CheckpointVerifier fromKeysFile(String json, String name) {
    JsonNode keys;
    try {
      keys = JSON.readTree(json).path("keys");
    } catch (IOException e) {
      throw new InvalidFieldException("keys", "is not JSON: " + e.getMessage());
    }
    if (!keys.isArray() || keys.isEmpty()) {
      throw new InvalidFieldException("keys", "must be a non-empty array of public keys");
    }
    Map<String, PublicKey> byId = new LinkedHashMap<>();
    for (JsonNode k : keys) {
      String keyId = k.path("keyId").asText("");
      PublicKey key;
      try {
        key =
            KeyFactory.getInstance("Ed25519")
                .generatePublic(
                    new X509EncodedKeySpec(
                        Base64.getDecoder().decode(k.path("publicKey").asText(""))));
      } catch (IllegalArgumentException | GeneralSecurityException e) {
        throw new InvalidFieldException(
            "keys[].publicKey", "of key '" + keyId + "' is not a base64 X.509 Ed25519 public key");
      }
      if (!CommandSigningKey.keyIdOf(key).equals(keyId)) {
        throw new InvalidFieldException(
            "keys[].keyId",
            "'"
                + keyId
                + "' is not the id of its public key ("
                + CommandSigningKey.keyIdOf(key)
                + ")");
      }
      byId.put(keyId, key);
    }
    return new CheckpointVerifier(byId, name);
  }

  /** Whether {@code checkpoint} is signed by a trusted key; empty if it is. */
  public java.util.Optional<Verdict> signature(Checkpoint checkpoint) {
    PublicKey key = trusted.get(checkpoint.keyId());
    if (key == null) {
      return java.util.Optional.of(
          new Verdict(
              Outcome.UNKNOWN_KEY,
              "the checkpoint is signed by key "
                  + checkpoint.keyId()
                  + ", which is not among "
                  + trustedName
                  + " ("
                  + String.join(", ", trusted.keySet())
                  + "): refused"));
    }
    if (!checkpoint.signedBy(key)) {
      return java.util.Optional.of(
          new Verdict(
              Outcome.BAD_SIGNATURE,
              "the checkpoint's signature does not verify with key "
                  + checkpoint.keyId()
                  + ": it was changed after it was signed, or that key did not sign it"));
    }
    return java.util.Optional.empty();
  }

  /**
   * Checks the signature, then whether the log read from {@code log} extends the checkpoint. Every
   * line's chain is checked on the way ({@link LogException} names a broken line); the decisions
   * are not recomputed here.
   */
  public Verdict verify(Checkpoint checkpoint, InputStream log) {
    java.util.Optional<Verdict> refused = signature(checkpoint);
    if (refused.isPresent()) {
      return refused.get();
    }
    try (RolloutLogReader reader = new RolloutLogReader(log)) {
      return extension(checkpoint, reader);
    }
  }

  private static Verdict extension(Checkpoint c, RolloutLogReader reader) {
    String tenant = reader.header().tenant();
    String rollout = reader.header().rollout();
    String name = tenant + "/" + rollout;
    String of = "the checkpoint of " + c.at() + " signed by " + c.keyId();
    Checkpoint.Head head = c.head(tenant, rollout).orElse(null);
    if (head == null) {
      return new Verdict(
          Outcome.ABSENT,
          of + " has no head for " + name + " (it holds " + c.heads().size() + " rollouts)");
    }
    long last = 0;
    RolloutLog.Kind kind;
    while ((kind = reader.next()) != null) {
      if (kind != RolloutLog.Kind.DECISION) {
        continue;
      }
      JsonNode d = decision(reader);
      long seq = d.path("seq").asLong(-1);
      String hash = d.path("hash").asText("");
      if (seq != last + 1) {
        return new Verdict(
            Outcome.DIVERGES,
            "line "
                + reader.line()
                + " of "
                + name
                + ": entry seq "
                + seq
                + " follows seq "
                + last
                + ", but "
                + of
                + " says entry seq "
                + head.seq()
                + " has hash "
                + short16(head.hash()));
      }
      last = seq;
      if (seq == head.seq()) {
        if (hash.equals(head.hash())) {
          return new Verdict(
              Outcome.EXTENDS,
              "the log extends "
                  + of
                  + ": entry seq "
                  + seq
                  + " of "
                  + name
                  + " has its hash "
                  + short16(hash));
        }
        return new Verdict(
            Outcome.DIVERGES,
            "entry seq "
                + seq
                + " of "
                + name
                + ": hash "
                + short16(hash)
                + " but "
                + of
                + " says "
                + short16(head.hash())
                + " (this entry, or one before it, differs from the history that was signed)");
      }
    }
    return new Verdict(
        Outcome.SHORTER,
        "the log of "
            + name
            + " ends at seq "
            + last
            + "; "
            + of
            + " has seq "
            + head.seq()
            + " (hash "
            + short16(head.hash())
            + ")");
  }

  /** The current decision line as JSON. */
  private static JsonNode decision(RolloutLogReader reader) {
    byte[] body = reader.body();
    int length = reader.bodyLength();
    byte[] json = java.util.Arrays.copyOf(body, length + 1);
    json[length] = '}';
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new LogException(reader.line(), "is not valid JSON: " + e.getMessage());
    }
  }

  private static String short16(String hash) {
    return hash.length() > 16 ? hash.substring(0, 16) + "…" : hash;
  }
}
