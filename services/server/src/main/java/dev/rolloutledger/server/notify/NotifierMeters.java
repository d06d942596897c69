package dev.rolloutledger.server.notify;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;

/**
 * The notifier's own meters, beside those metrics/NotificationMeters registers ({@code
 * ledger_notifications_total{outcome="delivered"|"given_up"}}, {@code
 * ledger_notification_attempts_total}): {@code ledger_notifier_running} (1 while the notifier reads
 * the decisions, 0 while it starts, waits to start again after a failure, or has stopped; absent on
 * an instance with {@code ledger.notifications.enabled=false}) and {@code
 * ledger_notifications_total{outcome="skipped_dead"}} (deliveries skipped without an attempt, their
 * webhook dead: {@link Deliveries}). These names are a contract: alert rules read them.
 */
@Context
@Requires(property = "ledger.metrics.enabled", notEquals = "false")
@Requires(beans = {Deliveries.class, MeterRegistry.class})
public class NotifierMeters {
  /** Gauge {@code ledger_notifier_running}. */
  public static final String RUNNING = "ledger.notifier.running";

  /** Counter {@code ledger_notifications_total}, as metrics/NotificationMeters names it. */
  static final String NOTIFICATIONS = "ledger_notifications";

  /** The outcome of a delivery skipped because its webhook was dead. */
  public static final String SKIPPED_DEAD = "skipped_dead";

  public NotifierMeters(
      Deliveries deliveries, MeterRegistry registry, @Nullable Notifier notifier) {
    FunctionCounter.builder(NOTIFICATIONS, deliveries, d -> d.stats().skippedDead())
        .description("Webhook deliveries that ended, by outcome")
        .tag("outcome", SKIPPED_DEAD)
        .register(registry);
    if (notifier != null) {
      Gauge.builder(RUNNING, notifier, n -> n.state() == Notifier.State.RUNNING ? 1 : 0)
          .description(
              "1 while the notifier reads ledger.decisions; 0 while it starts, waits to start"
                  + " again after a failure, or has stopped")
          .register(registry);
    }
  }
}
