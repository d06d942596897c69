package dev.rolloutledger.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolloutledger.schemas.commands.CommandSignatures;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Set;

/**
 * A command as the server's command routes give it (one element of {@code commands}) read back into
 * the fields its signature covers. Nothing is defaulted: a missing field is a malformed command.
 */
public final class CommandJson {
  private CommandJson() {}

  static final Set<String> ACTIONS = Set.of("Apply", "Hold", "Rollback");

  /** A command that cannot be read; {@code field} names what is wrong. */
  public static final class MalformedCommandException extends Exception {
    private final String field;

    MalformedCommandException(String field, String detail) {
      super(field + ": " + detail);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  public static CommandSignatures.Fields parse(JsonNode c) throws MalformedCommandException {
    if (c == null || !c.isObject()) {
      throw new MalformedCommandException("command", "must be an object");
    }
    String action = required(c, "action");
    if (!ACTIONS.contains(action)) {
      throw new MalformedCommandException("action", "must be Apply, Hold or Rollback");
    }
    JsonNode seq = c.get("seq");
    if (seq == null || !seq.canConvertToExactIntegral() || !seq.canConvertToLong()) {
      throw new MalformedCommandException("seq", "must be an integer");
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(required(c, "signature"));
    } catch (IllegalArgumentException e) {
      throw new MalformedCommandException("signature", "must be base64");
    }
    return new CommandSignatures.Fields(
        action,
        required(c, "commandId"),
        required(c, "tenant"),
        required(c, "rollout"),
        required(c, "host"),
        required(c, "release"),
        optional(c, "sha256"),
        seq.asLong(),
        instant(c, "issuedAt"),
        instant(c, "expiresAt"),
        required(c, "keyId"),
        signature);
  }

  private static String required(JsonNode c, String field) throws MalformedCommandException {
    String v = optional(c, field);
    if (v == null) {
      throw new MalformedCommandException(field, "is required");
    }
    return v;
  }

  private static String optional(JsonNode c, String field) throws MalformedCommandException {
    JsonNode v = c.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new MalformedCommandException(field, "must be a string");
    }
    return v.asText();
  }

  private static Instant instant(JsonNode c, String field) throws MalformedCommandException {
    try {
      return Instant.parse(required(c, field));
    } catch (DateTimeParseException e) {
      throw new MalformedCommandException(field, "must be an ISO-8601 instant");
    }
  }
}
