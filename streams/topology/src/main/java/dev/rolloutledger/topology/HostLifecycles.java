package dev.rolloutledger.topology;

import dev.rolloutledger.domain.HostLifecycle;
import dev.rolloutledger.domain.InvalidFieldException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The wire names of a {@link HostLifecycle}: {@code active}, {@code cordoned}, {@code retired}. One
 * spelling for the {@code HostLifecycleChanged} record, the API's JSON and query parameters, and
 * the CLI.
 */
public final class HostLifecycles {
  // what an operator sets; unregistered is the engine's (a host heard from, never registered)
  private static final String NAMES =
      Arrays.stream(HostLifecycle.values())
          .filter(l -> l != HostLifecycle.UNREGISTERED)
          .map(HostLifecycles::wireName)
          .collect(Collectors.joining(", "));

  private static final String ALL_NAMES =
      Arrays.stream(HostLifecycle.values())
          .map(HostLifecycles::wireName)
          .collect(Collectors.joining(", "));

  private HostLifecycles() {}

  public static String wireName(HostLifecycle lifecycle) {
    return lifecycle.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The lifecycle an operator sets that {@code wire} names ({@code active}, {@code cordoned},
   * {@code retired}); anything else throws, naming {@code field}.
   */
  public static HostLifecycle parse(String field, String wire) {
    for (HostLifecycle l : HostLifecycle.values()) {
      if (l != HostLifecycle.UNREGISTERED && wireName(l).equals(wire)) {
        return l;
      }
    }
    throw new InvalidFieldException(field, "must be one of " + NAMES + ", was '" + wire + "'");
  }

  /** Any lifecycle {@code wire} names, {@code unregistered} too (a listing's filter). */
  public static HostLifecycle parseAny(String field, String wire) {
    for (HostLifecycle l : HostLifecycle.values()) {
      if (wireName(l).equals(wire)) {
        return l;
      }
    }
    throw new InvalidFieldException(field, "must be one of " + ALL_NAMES + ", was '" + wire + "'");
  }
}
