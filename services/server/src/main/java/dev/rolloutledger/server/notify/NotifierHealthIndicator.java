package dev.rolloutledger.server.notify;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.TreeMap;
import org.reactivestreams.Publisher;

/**
 * {@code /health} component {@code notifier}: UP while the notifier reads the decisions; UNKNOWN
 * while it starts or waits to start again after a failure (with the failure and how many in a row),
 * never DOWN for that: webhooks are a side channel, and a DOWN would take the instance out of a
 * load balancer's rotation (readiness) while it records decisions well; DOWN once it has stopped.
 */
@Singleton
@Requires(beans = Notifier.class)
public class NotifierHealthIndicator implements HealthIndicator {
  private final Notifier notifier;

  public NotifierHealthIndicator(Notifier notifier) {
    this.notifier = notifier;
  }

  @Override
  public Publisher<HealthResult> getResult() {
    Notifier.State state = notifier.state();
    HealthStatus status;
    if (state == Notifier.State.RUNNING) {
      status = HealthStatus.UP;
    } else if (state == Notifier.State.STOPPED) {
      status = HealthStatus.DOWN;
    } else {
      status = HealthStatus.UNKNOWN;
    }
    Map<String, Object> details = new TreeMap<>();
    details.put("state", state.name());
    String last = notifier.lastFailure();
    if (last != null) {
      details.put("lastFailure", last);
      details.put("failuresInARow", notifier.failures());
    }
    return Publishers.just(HealthResult.builder("notifier", status).details(details).build());
  }
}
