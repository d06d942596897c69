package dev.rolloutledger.server.auth;

import dev.rolloutledger.schemas.Keys;
import io.micronaut.core.annotation.Nullable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokens known to this server, in memory, and how secrets are made and checked. A secret is
 * {@code rl_<id>_<32 random bytes, base64url>}: the prefix lets scanners and people recognise a
 * leaked one, the id finds the token without comparing secrets, and the SHA-256 of the whole secret
 * is compared in constant time, so the time of a refusal says nothing about how close a guess was.
 * The secret itself is never kept.
 */
public final class TokenRegistry {
  static final String PREFIX = "rl_";
  private static final int ID_BYTES = 8;
  private static final int SECRET_BYTES = 32;
  private static final HexFormat HEX = HexFormat.of();

  private final Map<String, Token> byId = new ConcurrentHashMap<>();
  private final Map<String, Token> byKey = new ConcurrentHashMap<>();

  /** A token just made: its secret, shown to the caller once, and what is stored of it. */
  public record Issued(String secret, Token token) {}

  public static Issued issue(
      String tenant, String name, Role role, @Nullable String host, Instant at, SecureRandom rnd) {
    String id = HEX.formatHex(bytes(rnd, ID_BYTES));
    String secret =
        PREFIX
            + id
            + "_"
            + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(rnd, SECRET_BYTES));
    return new Issued(secret, new Token(tenant, name, role, host, id, sha256Hex(secret), at));
  }

  public static String sha256Hex(String secret) {
    try {
      return HEX.formatHex(
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Adds a token, replacing the one of the same tenant and name (whose secret stops working). */
  public synchronized void put(Token token) {
    Token previous = byKey.put(key(token.tenant(), token.name()), token);
    if (previous != null) {
      byId.remove(previous.id());
    }
    byId.put(token.id(), token);
  }

  /** Forgets a token: its secret is refused from now on. */
  public synchronized void revoke(String tenant, String name) {
    Token previous = byKey.remove(key(tenant, name));
    if (previous != null) {
      byId.remove(previous.id());
    }
  }

  /** The token whose secret was presented, if it is known and not revoked. */
  public Optional<Token> authenticate(String presented) {
    Optional<String> id = idOf(presented);
    if (id.isEmpty()) {
      return Optional.empty();
    }
    Token token = byId.get(id.get());
    if (token == null) {
      return Optional.empty();
    }
    boolean same =
        MessageDigest.isEqual(HEX.parseHex(sha256Hex(presented)), HEX.parseHex(token.sha256()));
    return same ? Optional.of(token) : Optional.empty();
  }

  public Optional<Token> find(String tenant, String name) {
    return Optional.ofNullable(byKey.get(key(tenant, name)));
  }

  /** The tenant's tokens, oldest first. */
  public List<Token> list(String tenant) {
    return byKey.values().stream()
        .filter(t -> t.tenant().equals(tenant))
        .sorted(Comparator.comparing(Token::createdAt).thenComparing(Token::name))
        .toList();
  }

  static String key(String tenant, String name) {
    return Keys.of(tenant, name);
  }

  private static Optional<String> idOf(String presented) {
    int idEnd = PREFIX.length() + 2 * ID_BYTES;
    if (presented.length() <= idEnd
        || !presented.startsWith(PREFIX)
        || presented.charAt(idEnd) != '_') {
      return Optional.empty();
    }
    return Optional.of(presented.substring(PREFIX.length(), idEnd));
  }

  private static byte[] bytes(SecureRandom rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }
}
