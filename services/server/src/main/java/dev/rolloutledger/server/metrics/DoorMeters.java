package dev.rolloutledger.server.metrics;

import dev.rolloutledger.server.api.CommandController;
import dev.rolloutledger.server.api.RolloutController;
import dev.rolloutledger.server.api.TelemetryController;
import dev.rolloutledger.server.api.Views.Accepted;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.inject.MethodExecutionHandle;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.RouteMatch;
import java.util.Optional;

/**
 * Counts what the HTTP doors let in, from the answer of the route that took it: the items of an
 * accepted telemetry batch ({@code door="telemetry"}) and of an accepted host list ({@code
 * door="registrations"}), and every answered poll of the command channel. A refused request counts
 * nothing. Kept beside the routes rather than in them, so the controllers stay about the API.
 */
@ServerFilter("/api/v1/tenants/**")
@Requires(property = "ledger.metrics.enabled", notEquals = "false")
public class DoorMeters {
  private final LedgerMeters meters;

  public DoorMeters(LedgerMeters meters) {
    this.meters = meters;
  }

  @ResponseFilter
  public void count(HttpRequest<?> request, MutableHttpResponse<?> response) {
    Optional<RouteMatch<?>> route = RouteAttributes.getRouteMatch(request);
    if (route.isEmpty() || !(route.get() instanceof MethodExecutionHandle<?, ?> handle)) {
      return;
    }
    Class<?> type = handle.getDeclaringType();
    String method = handle.getMethodName();
    if (type == CommandController.class && "poll".equals(method)) {
      if (response.getStatus() == HttpStatus.OK) {
        meters.commandPoll();
      }
      return;
    }
    if (response.getStatus() != HttpStatus.ACCEPTED) {
      return;
    }
    if (type == TelemetryController.class && "ingest".equals(method)) {
      accepted(response).ifPresent(n -> meters.telemetryItems(LedgerMeters.DOOR_TELEMETRY, n));
    } else if (type == RolloutController.class && "registerHosts".equals(method)) {
      accepted(response).ifPresent(n -> meters.telemetryItems(LedgerMeters.DOOR_REGISTRATIONS, n));
    }
  }

  private static Optional<Integer> accepted(MutableHttpResponse<?> response) {
    return response.getBody(Accepted.class).map(Accepted::accepted);
  }
}
