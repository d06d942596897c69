package dev.rolloutledger.server.metrics;

import dev.rolloutledger.server.api.Problem;
import dev.rolloutledger.server.auth.ApiAuthFilter;
import dev.rolloutledger.server.auth.Permission;
import dev.rolloutledger.server.auth.Token;
import dev.rolloutledger.server.auth.TokenStore;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Who reads {@code /metrics}: a peer in one of {@code ledger.metrics.open-to}'s networks without a
 * token, anyone else with an admin token (the metrics name every tenant of the instance). Without a
 * known token: 401; a token of another role: 403. Both answers are problem+json.
 */
@ServerFilter(MetricsController.PATH)
@Requires(property = "ledger.metrics.enabled", notEquals = "false")
public class MetricsAccessFilter {
  private final TokenStore tokens;
  private final List<Cidr> openTo;

  public MetricsAccessFilter(TokenStore tokens, MetricsSettings settings) {
    this.tokens = tokens;
    try {
      this.openTo = Cidr.parseAll(settings.getOpenTo());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("ledger.metrics.open-to: " + e.getMessage(), e);
    }
  }

  @RequestFilter
  @Nullable
  public HttpResponse<?> authorize(HttpRequest<?> request) {
    InetAddress peer = request.getRemoteAddress().getAddress();
    if (peer != null && openTo.stream().anyMatch(c -> c.contains(peer))) {
      return null;
    }
    Optional<Token> token = ApiAuthFilter.bearer(request).flatMap(tokens::authenticate);
    if (token.isEmpty()) {
      return Problem.response(
              HttpStatus.UNAUTHORIZED,
              "/metrics needs an admin token (Authorization: Bearer <token>) or a scraper in"
                  + " ledger.metrics.open-to",
              null,
              request.getPath())
          .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }
    if (!token.get().caller().role().allows(Permission.ADMINISTER)) {
      return Problem.response(
          HttpStatus.FORBIDDEN,
          "a " + token.get().caller().role().id() + " token may not read /metrics: admin only",
          null,
          request.getPath());
    }
    return null;
  }
}
