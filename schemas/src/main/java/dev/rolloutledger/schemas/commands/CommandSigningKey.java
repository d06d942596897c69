package dev.rolloutledger.schemas.commands;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The key that signs commands: an Ed25519 key pair kept as PKCS#8 (private, mode 600) and X.509
 * (public) files. The key id is the first 16 hex digits of the SHA-256 of the public key, so agents
 * can pin it. Rotation: write a new pair under a new file name, give agents the new public key next
 * to the old one, then switch the server to the new private key.
 */
public record CommandSigningKey(String keyId, PrivateKey privateKey, PublicKey publicKey) {

  /** Loads the pair from {@code dir}, creating it on first use. */
  public static CommandSigningKey loadOrCreate(Path dir) {
    Path priv = dir.resolve("command-signing.pk8");
    Path pub = dir.resolve("command-signing.pub");
    try {
      if (!Files.exists(priv)) {
        Files.createDirectories(dir);
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Files.write(pub, pair.getPublic().getEncoded());
        Files.write(priv, pair.getPrivate().getEncoded());
        try {
          Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system: the directory's own protection applies
        }
      }
      KeyFactory kf = KeyFactory.getInstance("Ed25519");
      PrivateKey privateKey = kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv)));
      PublicKey publicKey = kf.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub)));
      return new CommandSigningKey(keyIdOf(publicKey), privateKey, publicKey);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the command signing key in " + dir, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the command signing key in " + dir + " is not Ed25519", e);
    }
  }

  /** A fresh key held only in memory (tests). */
  public static CommandSigningKey generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      return new CommandSigningKey(keyIdOf(pair.getPublic()), pair.getPrivate(), pair.getPublic());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public key, X.509 DER in base64: what agents are given. */
  public String publicKeyBase64() {
    return Base64.getEncoder().encodeToString(publicKey.getEncoded());
  }

  public static String keyIdOf(PublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    // never print the private key
    return "CommandSigningKey[keyId=" + keyId + "]";
  }
}
