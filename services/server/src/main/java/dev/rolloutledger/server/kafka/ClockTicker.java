package dev.rolloutledger.server.kafka;

import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only place where the wall clock enters the system: every {@code ledger.clock.interval} the
 * server records a tick on {@code ledger.clock}. The engine judges silence and bake on those ticks,
 * so what it decided can be replayed exactly. Several servers may tick; ticks are idempotent for
 * the engine (time only moves forward).
 */
@Singleton
@Requires(property = "ledger.clock.enabled", value = "true", defaultValue = "true")
public class ClockTicker {
  private static final Logger LOG = LoggerFactory.getLogger(ClockTicker.class);

  private final EventPublisher publisher;
  private final Clock clock = Clock.systemUTC();

  public ClockTicker(EventPublisher publisher) {
    this.publisher = publisher;
  }

  @Scheduled(
      fixedDelay = "${ledger.clock.interval:1s}",
      initialDelay = "${ledger.clock.interval:1s}")
  void tick() {
    try {
      publisher.publishTick(clock.instant());
    } catch (RuntimeException e) {
      // a missed tick only delays a decision until the next one
      LOG.warn("could not record a clock tick: {}", e.getMessage());
    }
  }
}
