package dev.rolloutledger.server.api;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Telemetry items per second per token, as a token bucket: a token may send {@code burst} items at
 * once, then {@code itemsPerSecond} on average. A batch the bucket cannot cover is refused whole
 * with 429 and the seconds to wait (nothing of it is published, so the client resends it as is):
 * one runaway agent or script cannot crowd out a tenant's other hosts, nor the engine.
 */
@Singleton
public final class TelemetryRateLimit {
  private final double itemsPerSecond;
  private final double burst;
  private final LongSupplier nanos;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public TelemetryRateLimit(
      @Value("${ledger.telemetry.items-per-second:20000}") double itemsPerSecond,
      @Value("${ledger.telemetry.burst:40000}") double burst) {
    this(itemsPerSecond, burst, System::nanoTime);
  }

  TelemetryRateLimit(double itemsPerSecond, double burst, LongSupplier nanos) {
    if (itemsPerSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException(
          "ledger.telemetry.items-per-second must be > 0 and burst >= 1");
    }
    this.itemsPerSecond = itemsPerSecond;
    this.burst = burst;
    this.nanos = nanos;
  }

  /**
   * Takes {@code items} from the bucket of {@code key}; 0 if they were there, else the whole
   * seconds to wait before the same batch would be taken (nothing is taken then).
   */
  public long take(String key, int items) {
    Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, nanos.getAsLong()));
    synchronized (b) {
      long now = nanos.getAsLong();
      b.level = Math.min(burst, b.level + (now - b.at) / 1e9 * itemsPerSecond);
      b.at = now;
      if (items <= b.level) {
        b.level -= items;
        return 0;
      }
      double needed = Math.min(items, burst) - b.level;
      return Math.max(1, (long) Math.ceil(needed / itemsPerSecond));
    }
  }

  public double itemsPerSecond() {
    return itemsPerSecond;
  }

  public double burst() {
    return burst;
  }

  private static final class Bucket {
    double level;
    long at;

    Bucket(double level, long at) {
      this.level = level;
      this.at = at;
    }
  }
}
