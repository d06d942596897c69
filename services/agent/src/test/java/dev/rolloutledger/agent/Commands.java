package dev.rolloutledger.agent;

import dev.rolloutledger.schemas.commands.CommandSignatures;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Instant;
import java.util.HexFormat;

/** Signed commands for tests, built the way the engine's signer builds them. */
final class Commands {
  private Commands() {}

  static final String TENANT = "acme";
  static final String HOST = "web-1";

  /** The artifact bytes of a release in tests, and so its SHA-256. */
  static byte[] artifact(String release) {
    return ("artifact of " + release).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  static String sha256(String release) {
    try {
      return HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(artifact(release)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static CommandSignatures.Fields unsigned(
      String action, String tenant, String host, String release, long seq, Instant issuedAt) {
    return new CommandSignatures.Fields(
        action,
        "cmd-" + tenant + "-" + host + "-" + seq + "-" + action,
        tenant,
        "r-1",
        host,
        release,
        sha256(release),
        seq,
        issuedAt,
        issuedAt.plusSeconds(3600),
        null,
        null);
  }

  static CommandSignatures.Fields sign(CommandSignatures.Fields f, CommandSigningKey key) {
    return sign(f, key, key.keyId());
  }

  /** Signs with {@code key} but names {@code keyId}: a forger's trick when they differ. */
  static CommandSignatures.Fields sign(
      CommandSignatures.Fields f, CommandSigningKey key, String keyId) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key.privateKey());
      s.update(CommandSignatures.canonical(f, keyId));
      return with(f, keyId, s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static CommandSignatures.Fields with(CommandSignatures.Fields f, String keyId, byte[] sig) {
    return edit(
        f,
        e -> {
          e.keyId = keyId;
          e.signature = sig;
        });
  }

  /** The fields of a command, to change one after signing it (a tamperer's view). */
  static final class Edit {
    String action;
    String commandId;
    String tenant;
    String rollout;
    String host;
    String release;
    String sha256;
    long seq;
    Instant issuedAt;
    Instant expiresAt;
    String keyId;
    byte[] signature;
  }

  static CommandSignatures.Fields edit(
      CommandSignatures.Fields f, java.util.function.Consumer<Edit> change) {
    Edit e = new Edit();
    e.action = f.action();
    e.commandId = f.commandId();
    e.tenant = f.tenant();
    e.rollout = f.rollout();
    e.host = f.host();
    e.release = f.release();
    e.sha256 = f.sha256();
    e.seq = f.seq();
    e.issuedAt = f.issuedAt();
    e.expiresAt = f.expiresAt();
    e.keyId = f.keyId();
    e.signature = f.signature();
    change.accept(e);
    return new CommandSignatures.Fields(
        e.action,
        e.commandId,
        e.tenant,
        e.rollout,
        e.host,
        e.release,
        e.sha256,
        e.seq,
        e.issuedAt,
        e.expiresAt,
        e.keyId,
        e.signature);
  }
}
