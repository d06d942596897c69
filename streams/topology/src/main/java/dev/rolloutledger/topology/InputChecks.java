package dev.rolloutledger.topology;

import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.LedgerInput;
import java.time.Instant;
import java.util.Map;

/**
 * The checks an input must pass at every door beyond its domain record's own invariants: the HTTP
 * API calls {@link #check} before it publishes, and the Kafka doors reach it through {@link
 * AvroMapper#toDomain}, which the control topics' validator, the host stage and replay all map
 * with. One function, so that nothing one door accepts can be refused by another later (an infinite
 * metric accepted over HTTP used to break {@code ledger replay --verify}).
 *
 * <p>Each failure is an {@link InvalidFieldException} naming the field; the API answers it as a 400
 * and the topology dead-letters the record with it.
 */
public final class InputChecks {
  /** The instants a topic can carry: Avro's {@code timestamp-millis} is a long of milliseconds. */
  private static final Instant EARLIEST = Instant.ofEpochMilli(Long.MIN_VALUE);

  private static final Instant LATEST = Instant.ofEpochMilli(Long.MAX_VALUE);

  private InputChecks() {}

  /** {@code input} if it passes every check; otherwise throws, naming the field. */
  public static <T extends LedgerInput> T check(T input) {
    time("at", input.at());
    if (input instanceof Heartbeat heartbeat) {
      finite("metrics", heartbeat.metrics());
    } else if (input instanceof HostSilent silent) {
      time("lastSeenAt", silent.lastSeenAt());
    }
    return input;
  }

  /**
   * Every value finite: JSON has no NaN or Infinity, so an exported log holding one could not be
   * read back, and a comparison with a limit would silently be false.
   */
  public static Map<String, Double> finite(String field, Map<String, Double> values) {
    for (Map.Entry<String, Double> e : values.entrySet()) {
      Double value = e.getValue();
      if (value != null && !Double.isFinite(value)) {
        throw new InvalidFieldException(
            field + "[" + e.getKey() + "]", "must be a finite number, was " + value);
      }
    }
    return values;
  }

  /** An instant in milliseconds since the epoch fits a long: what every topic stores. */
  public static Instant time(String field, Instant value) {
    if (value != null && (value.isBefore(EARLIEST) || value.isAfter(LATEST))) {
      throw new InvalidFieldException(
          field, "must be between " + EARLIEST + " and " + LATEST + ", was " + value);
    }
    return value;
  }
}
