package dev.rolloutledger.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LedgerHashTest {
  private static final Instant AT = Instant.parse("2025-03-01T10:00:00.123Z");
  private static final String G = LedgerHash.GENESIS;

  // Expected values computed by an independent implementation of the encoding documented on
  // LedgerHash (Python, hashlib), so the Javadoc is what auditors can rely on.
  private static final String WAVE_STARTED =
      "1e6f73ad2edd7d600c254791093bd1ed4df652d3b31ec01414e63d83c42820ce";
  private static final String WAVE_PROMOTED =
      "039af15403ca14d1838d9c38291e6dd62dce1807f3cc44f9d218b89529b96426";
  private static final String ROLLOUT_HALTED =
      "4e39b3bb512d5a856090be1709778eafaada59d1eafb9915f993b68d0ba615db";
  private static final String ROLLOUT_COMPLETED =
      "7fbec72ffe81a3d60a45062b9221291a075faea445d6df0b88d846867e26930e";
  private static final String WAVE_APPROVED =
      "42db4dcc5adbfe2d13ede9ab87d2a88bcf1690adc6259a33ac79abda56df6006";
  private static final String PAUSE_LIFTED =
      "c1654e9310d39ed9778409112f9bb1f6d56ca39162d6fd39adbfa0d9f8eb15b8";

  /** Keys whose UTF-8 order differs from Java's UTF-16 order (the emoji is a surrogate pair). */
  private static Map<String, String> evidence() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("crashed", "1");
    m.put("applied", "4");
    m.put("Zeta", "z");
    m.put("\u00e9", "accent");
    m.put("\uD83D\uDE00", "emoji");
    m.put("\uFF21", "fullwidth");
    return m;
  }

  static Stream<LedgerEntry> samples() {
    return Stream.of(
        new WaveStarted("acme", AT, "r-1", 1, G, "dev", 0, List.of("h1", "h2")),
        new WavePromoted("acme", AT, "r-1", 2, WAVE_STARTED, "dev", 0),
        new RolloutHalted(
            "acme", AT, "r-1", 3, WAVE_PROMOTED, "prod", "crash fraction cap", evidence()),
        new RolloutCompleted("acme", AT, "r-2", 4, ROLLOUT_HALTED),
        new WaveApproved("acme", AT, "r-2", 5, ROLLOUT_COMPLETED, "prod", "alice"),
        new PauseLifted("acme", AT, "r-2", 6, WAVE_APPROVED, "bob", "checked the canary"));
  }

  @Nested
  class KnownAnswers {

    @Test
    void matches_an_independent_implementation_of_the_documented_encoding() {
      assertThat(samples().map(LedgerHash::of))
          .containsExactly(
              WAVE_STARTED,
              WAVE_PROMOTED,
              ROLLOUT_HALTED,
              ROLLOUT_COMPLETED,
              WAVE_APPROVED,
              PAUSE_LIFTED);
    }

    @Test
    void genesis_is_64_zeros() {
      assertThat(LedgerHash.GENESIS).hasSize(64).matches("0+");
    }
  }

  @Nested
  class Sensitivity {

    @ParameterizedTest
    @MethodSource("dev.rolloutledger.domain.LedgerHashTest#samples")
    void changing_any_field_changes_the_hash(LedgerEntry entry) throws Exception {
      // Given every record component of the entry, found by reflection so a new field is covered
      RecordComponent[] components = entry.getClass().getRecordComponents();
      String original = LedgerHash.of(entry);

      for (int i = 0; i < components.length; i++) {
        // When one component is changed
        LedgerEntry changed = withComponent(entry, components, i);

        // Then the hash differs
        assertThat(changed).isNotEqualTo(entry);
        assertThat(LedgerHash.of(changed))
            .as("hash after changing %s", components[i].getName())
            .isNotEqualTo(original);
      }
    }

    @Test
    void length_prefixes_keep_shifted_boundaries_apart() {
      LedgerEntry a = new WaveStarted("acme", AT, "r", 1, G, "w", 0, List.of("ab", "c"));
      LedgerEntry b = new WaveStarted("acme", AT, "r", 1, G, "w", 0, List.of("a", "bc"));
      LedgerEntry c = new RolloutHalted("acme", AT, "r", 1, G, "w", "x", Map.of("ab", "c"));
      LedgerEntry d = new RolloutHalted("acme", AT, "r", 1, G, "w", "x", Map.of("a", "bc"));

      assertThat(LedgerHash.of(a)).isNotEqualTo(LedgerHash.of(b));
      assertThat(LedgerHash.of(c)).isNotEqualTo(LedgerHash.of(d));
    }

    @Test
    void the_entry_type_is_part_of_the_hash() {
      LedgerEntry started = new WaveStarted("acme", AT, "r", 1, G, "w", 0, List.of());
      LedgerEntry promoted = new WavePromoted("acme", AT, "r", 1, G, "w", 0);

      assertThat(LedgerHash.of(started)).isNotEqualTo(LedgerHash.of(promoted));
    }

    @Test
    void evidence_order_does_not_matter() {
      Map<String, String> reversed = new LinkedHashMap<>();
      List<String> keys = new ArrayList<>(evidence().keySet());
      java.util.Collections.reverse(keys);
      keys.forEach(k -> reversed.put(k, evidence().get(k)));

      LedgerEntry a = new RolloutHalted("acme", AT, "r", 1, G, "w", "x", evidence());
      LedgerEntry b = new RolloutHalted("acme", AT, "r", 1, G, "w", "x", new HashMap<>(reversed));

      assertThat(LedgerHash.of(a)).isEqualTo(LedgerHash.of(b));
    }
  }

  /** A copy of {@code entry} with component {@code index} changed to another valid value. */
  private static LedgerEntry withComponent(
      LedgerEntry entry, RecordComponent[] components, int index) throws Exception {
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      args[i] = components[i].getAccessor().invoke(entry);
      types[i] = components[i].getType();
    }
    args[index] = changed(args[index]);
    Constructor<?> canonical = entry.getClass().getDeclaredConstructor(types);
    return (LedgerEntry) canonical.newInstance(args);
  }

  private static Object changed(Object value) {
    if (value instanceof String s) {
      // Hashes must stay 64 hex digits: flip the last digit instead of appending.
      return s.matches("[0-9a-f]{64}")
          ? s.substring(0, 63) + (s.charAt(63) == '0' ? '1' : '0')
          : s + "x";
    } else if (value instanceof Long n) {
      return n + 1;
    } else if (value instanceof Integer n) {
      return n + 1;
    } else if (value instanceof Instant t) {
      return t.plusMillis(1);
    } else if (value instanceof List<?> l) {
      List<Object> more = new ArrayList<>(l);
      more.add("extra");
      return more;
    } else if (value instanceof Map<?, ?> m) {
      Map<Object, Object> more = new TreeMap<>(m);
      more.put("extra", "1");
      return more;
    }
    throw new IllegalArgumentException(
        "no mutation for "
            + value.getClass()
            + "; teach this test (and LedgerHash) the new type "
            + Arrays.toString(new Object[] {value}));
  }
}
