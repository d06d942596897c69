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
 * Shared invariants of the domain records; every failure names the field. {@link #doorId} is the id
 * rule every door (HTTP and Kafka) applies to what it accepts.
 */
public final class Checks {
  private Checks() {}

  /** The longest id a door accepts, the HTTP API's cap. */
  public static final int MAX_ID_LENGTH = 128;

  /**
   * An id as every door accepts it: not blank, at most {@link #MAX_ID_LENGTH} characters, no '/'
   * (it separates the parts of record and store keys) and no control character (NUL, tab, line
   * breaks: they break keys, logs and the exported journal). Not in the records' constructors: the
   * journals already written are read back with those, and must still replay as they were decided.
   */
  public static String doorId(String field, String value) {
    id(field, value);
    if (value.length() > MAX_ID_LENGTH) {
      throw new InvalidFieldException(
          field, "must be at most " + MAX_ID_LENGTH + " characters, was " + value.length());
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '/') {
        throw new InvalidFieldException(field, "must not contain '/'");
      }
      if (Character.isISOControl(c)) {
        throw new InvalidFieldException(
            field, String.format("must not contain control character U+%04X", (int) c));
      }
    }
    return value;
  }

  /** {@link #doorId} for an id that may be absent. */
  public static String optionalDoorId(String field, String value) {
    return value == null ? null : doorId(field, value);
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
