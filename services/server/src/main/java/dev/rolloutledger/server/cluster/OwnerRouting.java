package dev.rolloutledger.server.cluster;

import dev.rolloutledger.server.api.Problem;
import dev.rolloutledger.server.auth.ApiAuthFilter;
import dev.rolloutledger.server.auth.Caller;
import dev.rolloutledger.server.auth.Token;
import dev.rolloutledger.server.auth.TokenStore;
import dev.rolloutledger.topology.LedgerQueries;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.RouteMatch;
import io.micronaut.web.router.UriRouteMatch;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every instance answers everything (docs/adr/0010-every-instance-answers.md): a route marked
 * {@link OwnerAnswers} is answered by the instance that holds the tenant's state, and forwarded
 * there, once, from any other. Runs after the token check ({@code ApiAuthFilter}), so a request is
 * authenticated and tenant-checked where it lands and again where it is answered. While no instance
 * holds the tenant (starting, rebalancing, the owner just died): 503 with Retry-After, never a 404
 * from stores that are not the tenant's.
 */
@ServerFilter("/api/v1/tenants/**")
@Order(OwnerRouting.ORDER)
public class OwnerRouting {
  /** Beside {@code ApiAuthFilter}, which does not run here when a request is forwarded. */
  static final int ORDER = 100;

  private static final Logger LOG = LoggerFactory.getLogger(OwnerRouting.class);
  private static final String RETRY_SECONDS = "2";

  private final Instances instances;
  private final KafkaStreams streams;
  private final LedgerQueries queries;
  private final Forwarder forwarder;
  private final TokenStore tokens;

  public OwnerRouting(
      Instances instances,
      KafkaStreams streams,
      LedgerQueries queries,
      Forwarder forwarder,
      TokenStore tokens) {
    this.tokens = tokens;
    this.instances = instances;
    this.streams = streams;
    this.queries = queries;
    this.forwarder = forwarder;
  }

  @RequestFilter
  @ExecuteOn(TaskExecutors.BLOCKING)
  @Nullable
  public HttpResponse<?> route(HttpRequest<?> request, @Nullable @Body byte[] body) {
    Optional<RouteMatch<?>> match = RouteAttributes.getRouteMatch(request);
    if (match.isEmpty()
        || !match.get().getRouteInfo().getAnnotationMetadata().hasAnnotation(OwnerAnswers.class)) {
      return null;
    }
    Optional<String> tenant = tenantOf(match.get());
    // only a known token of the path's tenant is forwarded: anything else is refused here, by
    // ApiAuthFilter, with the answer the owner would give (401, 404); the owner checks the role
    Optional<Caller> caller =
        ApiAuthFilter.bearer(request).flatMap(tokens::authenticate).map(Token::caller);
    if (tenant.isEmpty() || caller.isEmpty() || !caller.get().tenant().equals(tenant.get())) {
      return null;
    }
    Instances.Owner owner = instances.ownerOf(streams, queries, tenant.get());
    if (owner.local()) {
      return null;
    }
    if (owner.unavailable() != null) {
      return unavailable(request, owner.unavailable());
    }
    if (request.getHeaders().contains(Forwarder.FORWARDED_BY)) {
      // the instance that sent it here believed this one was the owner: the assignment is moving
      return unavailable(request, "the tenant's state is moving between instances");
    }
    try {
      return forwarder.forward(request, body, owner.remote());
    } catch (Forwarder.OwnerUnreachable e) {
      LOG.info("the owner of a tenant did not answer: {}", e.getMessage());
      return unavailable(request, "the instance holding the tenant's state does not answer");
    }
  }

  private static HttpResponse<?> unavailable(HttpRequest<?> request, String why) {
    return Problem.response(
            HttpStatus.SERVICE_UNAVAILABLE, why + "; retry shortly", null, request.getPath())
        .header("Retry-After", RETRY_SECONDS);
  }

  private static Optional<String> tenantOf(RouteMatch<?> route) {
    if (route instanceof UriRouteMatch<?, ?> uri) {
      return Optional.ofNullable(uri.getVariableValues().get("tenant")).map(Object::toString);
    }
    return Optional.empty();
  }
}
