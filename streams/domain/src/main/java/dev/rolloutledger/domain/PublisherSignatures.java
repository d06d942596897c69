package dev.rolloutledger.domain;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A publisher's Ed25519 signature over a release (docs/publishers.md, ADR 0012). The publisher
 * signs the release, artifact, version, SHA-256 and severity, and nothing of the tenant: one
 * signature serves every fleet that takes the release. The signed bytes are UTF-8 text, one field a
 * line, in this order:
 *
 * <pre>
 * rollout-ledger release v1
 * release=cf-291
 * artifact=channel-file
 * version=291
 * sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 * severity=NORMAL
 * </pre>
 *
 * each line ending in a line feed, the SHA-256 in lower case. A field holding a line break cannot
 * be signed (the encoding must be one-to-one). Keys are X.509 DER in base64, as the deployment's
 * own command-signing key is published ({@code GET /api/v1/keys}); a key's id is the first 16 hex
 * digits of the SHA-256 of that DER.
 */
public final class PublisherSignatures {
  private PublisherSignatures() {}

  /** The first line of every signed text: what the bytes are, so they sign nothing else. */
  public static final String DOMAIN = "rollout-ledger release v1";

  private static final String ALGORITHM = "Ed25519";

  /** The bytes a publisher signs. */
  public static byte[] message(
      String release, String artifact, String version, String sha256, Severity severity) {
    StringBuilder text = new StringBuilder(DOMAIN).append('\n');
    line(text, "release", release);
    line(text, "artifact", artifact);
    line(text, "version", version);
    line(text, "sha256", Checks.sha256("sha256", sha256));
    line(text, "severity", Checks.present("severity", severity).name());
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void line(StringBuilder text, String field, String value) {
    Checks.id(field, value);
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      throw new InvalidFieldException(field, "must not contain a line break in a signed release");
    }
    text.append(field).append('=').append(value).append('\n');
  }

  /** The public key in {@code base64}; an error names {@code field}. */
  public static PublicKey publicKey(String field, String base64) {
    Checks.id(field, base64);
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new InvalidFieldException(field, "must be an Ed25519 public key, X.509 DER in base64");
    }
    try {
      PublicKey key = KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
      if (!ALGORITHM.equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())) {
        throw new InvalidFieldException(field, "must be an Ed25519 key, was " + key.getAlgorithm());
      }
      return key;
    } catch (GeneralSecurityException e) {
      throw new InvalidFieldException(field, "must be an Ed25519 public key, X.509 DER in base64");
    }
  }

  /** The key's id: the first 16 hex digits of the SHA-256 of its X.509 DER. */
  public static String keyId(PublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The id of the key in {@code base64}. */
  public static String keyId(String base64) {
    return keyId(publicKey("publisherKey", base64));
  }

  /** The key in base64, as a policy lists it. */
  public static String base64(PublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  /** Signs a release: the signature in base64. */
  public static String sign(
      PrivateKey key,
      String release,
      String artifact,
      String version,
      String sha256,
      Severity severity) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initSign(key);
      s.update(message(release, artifact, version, sha256, severity));
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
    }
  }

  /** Whether {@code signature} (base64) is the key's signature of {@code message}. */
  public static boolean verifies(PublicKey key, byte[] message, String signature) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(signature);
    } catch (IllegalArgumentException e) {
      return false;
    }
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initVerify(key);
      s.update(message);
      return s.verify(raw);
    } catch (InvalidKeyException | SignatureException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
