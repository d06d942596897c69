package dev.rolloutledger.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The command-signing public keys an agent trusts, by key id: pinned from a file the operator gives
 * it (the JSON of {@code GET /api/v1/keys}), never fetched from the channel the commands come
 * through. Rotation: the file lists the old and the new key while both sign; then the old one is
 * removed.
 */
public final class TrustedKeys {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, PublicKey> keys;

  public TrustedKeys(Map<String, PublicKey> keys) {
    this.keys = Map.copyOf(keys);
  }

  public Optional<PublicKey> get(String keyId) {
    return keyId == null ? Optional.empty() : Optional.ofNullable(keys.get(keyId));
  }

  public int size() {
    return keys.size();
  }

  /** Reads {@code {"keys": [{"keyId": ..., "algorithm": "Ed25519", "publicKey": base64}]}}. */
  public static TrustedKeys read(Path file) throws IOException {
    return parse(Files.readString(file), file.toString());
  }

  public static TrustedKeys parse(String json, String source) throws IOException {
    JsonNode root = JSON.readTree(json);
    JsonNode list = root == null ? null : root.get("keys");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new IOException(source + ": keys must be a non-empty array");
    }
    Map<String, PublicKey> keys = new LinkedHashMap<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode k = list.get(i);
      String at = source + ": keys[" + i + "]";
      if (!"Ed25519".equals(text(k, "algorithm"))) {
        throw new IOException(at + ".algorithm must be Ed25519");
      }
      String keyId = text(k, "keyId");
      if (keyId == null || keyId.isBlank()) {
        throw new IOException(at + ".keyId is required");
      }
      try {
        byte[] der = Base64.getDecoder().decode(String.valueOf(text(k, "publicKey")));
        keys.put(
            keyId, KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der)));
      } catch (IllegalArgumentException | GeneralSecurityException e) {
        throw new IOException(at + ".publicKey is not a base64 X.509 Ed25519 key", e);
      }
    }
    return new TrustedKeys(keys);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
