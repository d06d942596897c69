package dev.rolloutledger.domain;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Shared invariants of the domain records; every failure names the field. The door rules ({@link
 * #doorId}, {@link #doorName}, {@link #doorText}, {@link #doorCount}) are the kinds of string every
 * door (HTTP, Kafka, replay) applies to what it accepts; which field follows which is the table in
 * the topology's {@code InputChecks} and in docs/api.md. They are not in the records' constructors:
 * the journals already written are read back with those, and must still replay as they were
 * decided.
 */
public final class Checks {
  private Checks() {}

  /** The longest id, name or label value a door accepts. */
  public static final int MAX_ID_LENGTH = 128;

  /** The longest free text a door accepts (reasons, errors, crash signatures, artifacts). */
  public static final int MAX_TEXT_LENGTH = 1024;

  /**
   * The most entries a door accepts in one map or list of an input: labels of a host, metrics of a
   * heartbeat, a selector, a plan's limits and waves, a policy's windows and allowed publishers.
   * Each is copied into state per host or per rollout, so each is bounded.
   */
  public static final int MAX_ENTRIES = 64;

  /**
   * An id as every door accepts it: 1 to {@link #MAX_ID_LENGTH} characters of ASCII letters, digits
   * and {@code . _ : @ -}, and neither {@code .} nor {@code ..}. Ids are parts of record keys,
   * store keys, command ids (joined by '/'), HTTP paths and Location headers, and file names of
   * exported logs: with this alphabet each of them needs no escaping, and every id a Kafka door
   * accepts is reachable at its HTTP path as it is (a '.' or '..' segment is normalized away by
   * HTTP clients).
   */
  public static String doorId(String field, String value) {
    id(field, value);
    if (value.length() > MAX_ID_LENGTH) {
      throw new InvalidFieldException(
          field, "must be at most " + MAX_ID_LENGTH + " characters, was " + value.length());
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!idChar(c)) {
        throw new InvalidFieldException(field, "must not contain " + describe(c) + ID_ALPHABET);
      }
    }
    if (value.equals(".") || value.equals("..")) {
      throw new InvalidFieldException(field, "must not be '.' or '..' (not an HTTP path segment)");
    }
    return value;
  }

  private static final String ID_ALPHABET =
      ": only letters A-Z a-z, digits and . _ : @ - (at most " + MAX_ID_LENGTH + ")";

  private static boolean idChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == ':'
        || c == '@'
        || c == '-';
  }

  /** {@link #doorId} for an id that may be absent. */
  public static String optionalDoorId(String field, String value) {
    return value == null ? null : doorId(field, value);
  }

  /**
   * A name (a label key, a metric, a version, a publisher, a kind): not blank, at most {@code max}
   * characters, well-formed Unicode without control characters. Unlike an id it may hold '/',
   * spaces and any letter: it is never part of a key or a path.
   */
  public static String doorName(String field, String value, int max) {
    id(field, value);
    return text(field, value, max, false);
  }

  /**
   * Free text (a reason, an error, a label value): may be empty, at most {@code max} characters,
   * well-formed Unicode; tab and line breaks allowed, no other control character (a NUL or an
   * escape sequence would corrupt logs and terminals that show it).
   */
  public static String doorText(String field, String value, int max) {
    present(field, value);
    return text(field, value, max, true);
  }

  /** {@link #doorText} for a text that may be absent. */
  public static String optionalDoorText(String field, String value, int max) {
    return value == null ? null : doorText(field, value, max);
  }

  /** A map or list of at most {@link #MAX_ENTRIES} entries. */
  public static int doorCount(String field, int size) {
    if (size > MAX_ENTRIES) {
      throw new InvalidFieldException(
          field, "must have at most " + MAX_ENTRIES + " entries, had " + size);
    }
    return size;
  }

  private static String text(String field, String value, int max, boolean lineBreaks) {
    if (value.length() > max) {
      throw new InvalidFieldException(
          field, "must be at most " + max + " characters, was " + value.length());
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) && !(lineBreaks && (c == '\t' || c == '\n' || c == '\r'))) {
        throw new InvalidFieldException(field, "must not contain " + describe(c));
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++; // a pair: one character beyond the BMP
      } else if (Character.isSurrogate(c)) {
        throw new InvalidFieldException(
            field, String.format("must be well-formed Unicode: lone surrogate U+%04X", (int) c));
      }
    }
    return value;
  }

  private static String describe(char c) {
    if (c == '/') {
      return "'/'";
    }
    if (Character.isISOControl(c)) {
      return String.format("control character U+%04X", (int) c);
    }
    if (c > 0x20 && c < 0x7f) {
      return "'" + c + "'";
    }
    return String.format("U+%04X", (int) c);
  }

  static <T> T present(String field, T value) {
    if (value == null) {
      throw new InvalidFieldException(field, "must not be null");
    }
    return value;
  }

  static String id(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidFieldException(field, "must not be blank");
    }
    return value;
  }

  /** A nullable id: absent, or not blank. */
  static String optionalId(String field, String value) {
    return value == null ? null : id(field, value);
  }

  /**
   * Tenants may not contain '/': it separates the parts of {@link HostCommand#commandId()} and of
   * tenant-prefixed store keys, which stay unambiguous only if the tenant part has no slash.
   */
  static String tenant(String value) {
    id("tenant", value);
    if (value.indexOf('/') >= 0) {
      throw new InvalidFieldException("tenant", "must not contain '/'");
    }
    return value;
  }

  /** Accepts either case and stores lower case, the form ledger hashes and commands carry. */
  static String sha256(String field, String value) {
    present(field, value);
    String lower = value.toLowerCase(Locale.ROOT);
    if (!isSha256(lower)) {
      throw new InvalidFieldException(field, "must be 64 hex digits");
    }
    return lower;
  }

  /** Output hashes are produced by this module, so they must already be canonical. */
  static String hash(String field, String value) {
    present(field, value);
    if (!isSha256(value)) {
      throw new InvalidFieldException(field, "must be 64 lower-case hex digits");
    }
    return value;
  }

  /**
   * 64 characters of [0-9a-f]. By hand, not by regex: every host command carries one, and a halt of
   * a million hosts spent most of its time in the regex.
   */
  private static boolean isSha256(String value) {
    if (value.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = value.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  static long atLeast(String field, long value, long min) {
    if (value < min) {
      throw new InvalidFieldException(field, "must be >= " + min);
    }
    return value;
  }

  static Instant millis(String field, Instant value) {
    return present(field, value).truncatedTo(ChronoUnit.MILLIS);
  }

  static List<String> ids(String field, List<String> values) {
    present(field, values);
    for (int i = 0; i < values.size(); i++) {
      String value = values.get(i);
      if (value == null || value.isBlank()) {
        // the field name is made only on failure: a wave of a million hosts is checked here
        id(field + "[" + i + "]", value);
      }
    }
    return List.copyOf(values);
  }

  /** An unmodifiable, key-sorted copy, so iteration (and everything derived from it) is stable. */
  static <V> Map<String, V> sortedMap(String field, Map<String, V> values) {
    present(field, values);
    if (values instanceof Validated<V> checked) {
      return checked; // checked and copied once already: records pass it on unchanged
    }
    if (values.isEmpty()) {
      return empty(); // most heartbeats carry no metric: no copy per heartbeat
    }
    TreeMap<String, V> copy = new TreeMap<>();
    for (Map.Entry<String, V> e : values.entrySet()) {
      id(field + " key", e.getKey());
      copy.put(e.getKey(), present(field + "[" + e.getKey() + "]", e.getValue()));
    }
    return new Validated<>(Collections.unmodifiableMap(copy));
  }

  private static final Validated<Object> EMPTY = new Validated<>(Collections.emptySortedMap());

  @SuppressWarnings("unchecked") // empty and unmodifiable: no value of any type is ever read
  private static <V> Map<String, V> empty() {
    return (Map<String, V>) (Map<String, ?>) EMPTY;
  }

  /** An unmodifiable map, sorted by key, whose keys and values were checked. */
  private static final class Validated<V> extends java.util.AbstractMap<String, V> {
    private final Map<String, V> map;

    Validated(Map<String, V> map) {
      this.map = map;
    }

    @Override
    public Set<Map.Entry<String, V>> entrySet() {
      return map.entrySet();
    }

    @Override
    public V get(Object key) {
      return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return map.containsKey(key);
    }

    @Override
    public int size() {
      return map.size();
    }
  }

  /** Invariants shared by {@link Apply}, {@link Hold} and {@link Rollback}. */
  static void command(
      String tenant,
      String rollout,
      String host,
      String release,
      String sha256,
      long seq,
      Instant issuedAt,
      Instant expiresAt) {
    tenant(tenant);
    id("rollout", rollout);
    id("host", host);
    id("release", release);
    if (sha256 != null) {
      hash("sha256", sha256);
    }
    atLeast("seq", seq, 1);
    present("issuedAt", issuedAt);
    present("expiresAt", expiresAt);
    if (expiresAt.isBefore(issuedAt)) {
      throw new InvalidFieldException("expiresAt", "must not be before issuedAt");
    }
  }
}
