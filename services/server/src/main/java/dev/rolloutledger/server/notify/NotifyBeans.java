package dev.rolloutledger.server.notify;

import dev.rolloutledger.domain.RolloutState;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.LedgerSettings;
import dev.rolloutledger.server.kafka.KafkaBeans.InstalledTopics;
import dev.rolloutledger.server.keys.DeploymentKeys;
import dev.rolloutledger.topology.LedgerQueries;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wiring of notifications (docs/notifications.md). Settings under {@code ledger.notifications.*}:
 * {@code enabled} (true), {@code attempts} (8), {@code first-retry} (1s), {@code max-retry} (64s),
 * {@code timeout} (10s, per attempt), {@code queue} (1000 deliveries per webhook), {@code max-age}
 * (24h: an older entry is not sent), {@code allow-private-targets} (false: no webhook to this
 * machine or a private network; {@link WebhookTargets}).
 */
@Factory
public class NotifyBeans {

  /** Read to its end before the server answers, as the tokens are. */
  @Context
  @Bean(preDestroy = "close")
  NotificationStore notificationStore(InstalledTopics topics, SchemaRegistry registry) {
    return new NotificationStore(topics.kafka(), registry);
  }

  /** The threads that send and retry: two, outside Kafka Streams and the HTTP server. */
  @Singleton
  @Bean(preDestroy = "close")
  NotifyThreads notifyThreads() {
    return new NotifyThreads(Executors.newScheduledThreadPool(2, daemons("ledger-notify-")));
  }

  @Singleton
  WebhookTargets webhookTargets(
      @Value("${" + WebhookTargets.ALLOW_PRIVATE + ":false}") boolean allowPrivate) {
    return new WebhookTargets(allowPrivate);
  }

  @Singleton
  Deliveries deliveries(
      NotifyThreads threads,
      WebhookTargets targets,
      @Value("${ledger.notifications.attempts:8}") int attempts,
      @Value("${ledger.notifications.first-retry:1s}") Duration firstRetry,
      @Value("${ledger.notifications.max-retry:64s}") Duration maxRetry,
      @Value("${ledger.notifications.timeout:10s}") Duration timeout,
      @Value("${ledger.notifications.queue:1000}") int queue) {
    ScheduledExecutorService ex = threads.executor();
    return new Deliveries(
        new HttpWebhookTransport(timeout, ex, targets),
        (task, delay) -> ex.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS),
        new RetryPolicy(attempts, firstRetry, maxRetry),
        queue);
  }

  @Context
  @Bean(preDestroy = "close")
  @Requires(property = "ledger.notifications.enabled", notEquals = "false")
  Notifier notifier(
      InstalledTopics topics,
      SchemaRegistry registry,
      LedgerSettings settings,
      NotificationStore store,
      Deliveries deliveries,
      DeploymentKeys keys,
      LedgerQueries queries,
      @Value("${ledger.notifications.max-age:24h}") Duration maxAge) {
    return new Notifier(
        topics.kafka(),
        registry,
        settings.getStreams().getApplicationId(),
        store,
        deliveries,
        keys.signer(),
        // only when this instance holds the tenant's state; else the body's release is null
        (tenant, rollout) -> queries.rollout(tenant, rollout).map(RolloutState::release),
        maxAge);
  }

  /** The executor of deliveries and retries. */
  public record NotifyThreads(ScheduledExecutorService executor) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      executor.shutdownNow();
      executor.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static ThreadFactory daemons(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
