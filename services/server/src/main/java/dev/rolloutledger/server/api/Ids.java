package dev.rolloutledger.server.api;

import dev.rolloutledger.domain.Checks;
import dev.rolloutledger.domain.InvalidFieldException;

/**
 * Ids in paths and bodies: the rule of every door, {@link Checks#doorId} (1-128 characters of
 * letters, digits and {@code . _ : @ -}, not {@code .} or {@code ..}), so that an id the API
 * accepts is accepted on Kafka and in a replayed log, and an id accepted there is reachable here.
 */
public final class Ids {
  static final int MAX_LENGTH = Checks.MAX_ID_LENGTH;

  private Ids() {}

  public static String require(String field, String value) {
    if (value == null || value.isBlank()) {
      throw ApiProblemException.badField(field, field + " is required");
    }
    try {
      return Checks.doorId(field, value);
    } catch (InvalidFieldException e) {
      throw ApiProblemException.badField(field, field + " " + e.problem());
    }
  }
}
