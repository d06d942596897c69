package dev.rolloutledger.server.notify;

import dev.rolloutledger.schemas.commands.CommandSigningKey;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * The signature of a notification: Ed25519 by the deployment's active command-signing key over the
 * exact bytes of the body, sent as {@code X-Ledger-Key-Id} and {@code X-Ledger-Signature} (base64).
 * A receiver verifies it with the public key of that id from {@code GET /api/v1/keys}.
 *
 * <p>One key signs both commands and notifications without one ever passing for the other: a
 * command's signed bytes start with the 4-byte length of {@code rollout-ledger/command/v1} ({@code
 * 00 00 00 19}, see CommandSignatures), a notification's with <code>{</code>.
 */
public final class NotificationSignature {
  public static final String KEY_ID_HEADER = "X-Ledger-Key-Id";
  public static final String SIGNATURE_HEADER = "X-Ledger-Signature";

  private NotificationSignature() {}

  public record Signed(String keyId, String signature) {}

  public static Signed sign(byte[] body, CommandSigningKey key) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key.privateKey());
      s.update(body);
      return new Signed(key.keyId(), Base64.getEncoder().encodeToString(s.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a notification with " + key, e);
    }
  }

  /** What a receiver does: true when {@code signature} (base64) is {@code key}'s over the body. */
  public static boolean verify(byte[] body, String signature, PublicKey key) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(body);
      return s.verify(Base64.getDecoder().decode(signature));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
