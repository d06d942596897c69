package dev.rolloutledger.server.auth;

import dev.rolloutledger.server.api.Problem;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.RouteMatch;
import io.micronaut.web.router.UriRouteMatch;
import java.util.Optional;

/**
 * Every {@code /api/v1} request carries {@code Authorization: Bearer <token>}; this filter decides
 * before any route runs. Without a known token: 401. A path tenant other than the token's: 404, the
 * same answer as for an object that does not exist, so a token learns nothing about other tenants
 * (checked before the role, so even the status does not depend on them). A role without the route's
 * {@link Allowed} permission: 403. A route that declares no permission is refused to everyone.
 */
@ServerFilter("/api/v1/**")
public class ApiAuthFilter {
  private static final String BEARER = "Bearer ";

  private final TokenStore tokens;

  public ApiAuthFilter(TokenStore tokens) {
    this.tokens = tokens;
  }

  @RequestFilter
  @Nullable
  public HttpResponse<?> authorize(HttpRequest<?> request) {
    Optional<Token> token = bearer(request).flatMap(tokens::authenticate);
    if (token.isEmpty()) {
      return Problem.response(
              HttpStatus.UNAUTHORIZED,
              "a known token is required: Authorization: Bearer <token>",
              null,
              request.getPath())
          .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }
    Caller caller = token.get().caller();
    Optional<RouteMatch<?>> route = RouteAttributes.getRouteMatch(request);
    if (route.isEmpty()) {
      return null; // no such route: Micronaut answers 404 (or 405) itself
    }
    if (!caller.tenant().equals(pathTenant(route.get()).orElse(caller.tenant()))) {
      return Problem.response(HttpStatus.NOT_FOUND, "not found", null, request.getPath());
    }
    Optional<Permission> needed =
        route
            .get()
            .getRouteInfo()
            .getAnnotationMetadata()
            .enumValue(Allowed.class, Permission.class);
    if (needed.isEmpty() || !caller.role().allows(needed.get())) {
      return Problem.response(
          HttpStatus.FORBIDDEN,
          "a " + caller.role().id() + " token may not " + request.getMethodName() + " this",
          null,
          request.getPath());
    }
    request.setAttribute(Caller.ATTRIBUTE, caller);
    return null;
  }

  /** The secret of {@code Authorization: Bearer <secret>}, if the request has one. */
  public static Optional<String> bearer(HttpRequest<?> request) {
    return request
        .getHeaders()
        .getAuthorization()
        .filter(h -> h.regionMatches(true, 0, BEARER, 0, BEARER.length()))
        .map(h -> h.substring(BEARER.length()).trim());
  }

  private static Optional<String> pathTenant(RouteMatch<?> route) {
    if (route instanceof UriRouteMatch<?, ?> uri) {
      return Optional.ofNullable(uri.getVariableValues().get("tenant")).map(Object::toString);
    }
    return Optional.empty();
  }
}
