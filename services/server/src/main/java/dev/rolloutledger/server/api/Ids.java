package dev.rolloutledger.server.api;

import java.util.regex.Pattern;

/**
 * Ids accepted at the API: 1-128 characters of letters, digits and {@code . _ : @ -}. No '/', no
 * control characters, so ids compose unambiguously into record and store keys.
 */
final class Ids {
  static final int MAX_LENGTH = 128;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@-]{1," + MAX_LENGTH + "}");

  private Ids() {}

  static String require(String field, String value) {
    if (value == null || value.isBlank()) {
      throw ApiProblemException.badField(field, field + " is required");
    }
    if (!ID.matcher(value).matches()) {
      throw ApiProblemException.badField(
          field, field + " must be 1-128 characters of letters, digits and . _ : @ -");
    }
    return value;
  }
}
