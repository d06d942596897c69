package dev.rolloutledger.server.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Hidden;

/**
 * {@code GET /metrics}: every meter in the Prometheus text format (0.0.4), for a Prometheus to
 * scrape; access is decided by {@link MetricsAccessFilter}.
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

  public MetricsController(PrometheusMeterRegistry prometheus, RolloutGauges rollouts) {
    this.prometheus = prometheus;
    this.rollouts = rollouts;
  }

  @Hidden
  @Get(value = PATH, produces = MediaType.TEXT_PLAIN)
  public HttpResponse<String> scrape() {
    rollouts.refresh();
    return HttpResponse.ok(prometheus.scrape()).contentType(TEXT_FORMAT);
  }
}
