package dev.rolloutledger.server.metrics;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Refuses a reader of {@code /metrics} before the route runs ({@link MetricsAccess} decides). Both
 * patterns: {@code /metrics} alone does not match {@code /metrics/}, which the router serves too.
 * {@link MetricsController} decides again, for any spelling of the path a pattern misses.
 */
@ServerFilter({MetricsController.PATH, MetricsController.PATH + "/**"})
@Requires(property = "ledger.metrics.enabled", notEquals = "false")
public class MetricsAccessFilter {
  private final MetricsAccess access;

  public MetricsAccessFilter(MetricsAccess access) {
    this.access = access;
  }

  @RequestFilter
  @Nullable
  public HttpResponse<?> authorize(HttpRequest<?> request) {
    return access.decide(request).refusal();
  }
}
