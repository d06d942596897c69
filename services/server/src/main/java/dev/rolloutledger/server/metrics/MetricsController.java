package dev.rolloutledger.server.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Hidden;

/**
 * {@code GET /metrics}: the meters in the Prometheus text format (0.0.4), for a Prometheus to
 * scrape: every series for a scraper in {@code ledger.metrics.open-to}, a tenant's own for its
 * admin token ({@link MetricsAccess}, decided here as well as in {@link MetricsAccessFilter}).
 */
@Controller
@Requires(property = "ledger.metrics.enabled", notEquals = "false")
@ExecuteOn(TaskExecutors.BLOCKING)
public class MetricsController {
  public static final String PATH = "/metrics";

  /** The Prometheus text exposition format. */
  public static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry prometheus;
  private final RolloutGauges rollouts;
  private final MetricsAccess access;

  public MetricsController(
      PrometheusMeterRegistry prometheus, RolloutGauges rollouts, MetricsAccess access) {
    this.prometheus = prometheus;
    this.rollouts = rollouts;
    this.access = access;
  }

  @Hidden
  @Get(value = PATH, produces = MediaType.TEXT_PLAIN)
  public HttpResponse<?> scrape(HttpRequest<?> request) {
    // again here: a path the filter's patterns miss but the router serves must not skip the check
    MetricsAccess.Decision decision = access.decide(request);
    if (decision.refusal() != null) {
      return decision.refusal();
    }
    rollouts.refresh();
    return HttpResponse.ok(decision.scope().filter(prometheus.scrape())).contentType(TEXT_FORMAT);
  }
}
