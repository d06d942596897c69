package dev.rolloutledger.server.kafka;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only place where the wall clock enters the system: every {@code ledger.clock.interval} the
 * server records a tick on {@code ledger.clock}. The engine judges silence and bake on those ticks,
 * so what it decided can be replayed exactly. Several servers may tick; ticks are idempotent for
 * the engine (time only moves forward). A tick the broker does not take at once is dropped ({@link
 * TickPublisher}): while the broker or this server is down the recorded clock stands still, and the
 * engine sees the outage as a gap rather than as the fleet's silence (ADR 0008). The first tick is
 * recorded once the HTTP server listens: the grace after an outage runs from it, and hosts can only
 * be heard again from then on.
 */
@Singleton
@Requires(property = "ledger.clock.enabled", value = "true", defaultValue = "true")
public class ClockTicker implements ApplicationEventListener<ServerStartupEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(ClockTicker.class);

  private final TickPublisher publisher;
  private final Clock clock = Clock.systemUTC();
  private volatile boolean listening;
  private Instant failingSince;
  private long missed;

  public ClockTicker(TickPublisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public void onApplicationEvent(ServerStartupEvent event) {
    listening = true;
  }

  @Scheduled(
      fixedDelay = "${ledger.clock.interval:1s}",
      initialDelay = "${ledger.clock.interval:1s}")
  void tick() {
    if (!listening) {
      return; // nobody can report a sign of life yet: time must not be recorded as passing
    }
    Instant now = clock.instant();
    try {
      publisher.publish(now);
      if (failingSince != null) {
        LOG.info(
            "clock ticks recorded again; {} were not recorded since {}: the engine sees the gap as"
                + " our own outage (ADR 0008)",
            missed,
            failingSince);
        failingSince = null;
        missed = 0;
      }
    } catch (RuntimeException e) {
      // a missed tick only delays a decision until the next one; logged once per outage
      if (failingSince == null) {
        failingSince = now;
        LOG.warn("could not record a clock tick: {}", e.getMessage());
      }
      missed++;
    }
  }
}
