package dev.rolloutledger.server.metrics;

import dev.rolloutledger.server.notify.Deliveries;
import io.micrometer.core.instrument.FunctionCounter;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;

/**
 * Webhook deliveries of this instance (docs/notifications.md): {@code
 * ledger_notifications_total{outcome="delivered"|"given_up"}} (the notify package adds {@code
 * "skipped_dead"}) and {@code ledger_notification_attempts_total}, read from the deliveries' own
 * counts at each scrape.
 */
@Context
@Requires(property = "ledger.metrics.enabled", notEquals = "false")
@Requires(beans = Deliveries.class)
public class NotificationMeters {
  static final String NOTIFICATIONS = "ledger_notifications";
  static final String ATTEMPTS = "ledger_notification_attempts";

  public NotificationMeters(Deliveries deliveries, LedgerMeters meters) {
    FunctionCounter.builder(NOTIFICATIONS, deliveries, d -> d.stats().delivered())
        .description("Webhook deliveries that ended, by outcome")
        .tag("outcome", "delivered")
        .register(meters.registry());
    FunctionCounter.builder(NOTIFICATIONS, deliveries, d -> d.stats().givenUp())
        .description("Webhook deliveries that ended, by outcome")
        .tag("outcome", "given_up")
        .register(meters.registry());
    FunctionCounter.builder(ATTEMPTS, deliveries, d -> d.stats().attempts())
        .description("Webhook requests sent, retries included")
        .register(meters.registry());
  }
}
