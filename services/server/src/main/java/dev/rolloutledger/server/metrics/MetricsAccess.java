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
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Who reads {@code /metrics}, and what: a peer in one of {@code ledger.metrics.open-to}'s networks
 * reads every series without a token; anyone else needs an admin token and reads the series of its
 * own tenant only ({@link MetricsScope}). Without a known token: 401; a token of another role: 403;
 * both problem+json. Decided by {@link MetricsAccessFilter} before the route and again by {@link
 * MetricsController} itself, so no spelling of the path the router serves skips it.
 */
@Singleton
@Requires(property = "ledger.metrics.enabled", notEquals = "false")
public class MetricsAccess {
  /** A refusal to send, or the series the reader may see. */
  public record Decision(@Nullable MutableHttpResponse<?> refusal, @Nullable MetricsScope scope) {}

  private final TokenStore tokens;
  private final List<Cidr> openTo;

  public MetricsAccess(TokenStore tokens, MetricsSettings settings) {
    this.tokens = tokens;
    try {
      this.openTo = Cidr.parseAll(settings.getOpenTo());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("ledger.metrics.open-to: " + e.getMessage(), e);
    }
  }

  public Decision decide(HttpRequest<?> request) {
    InetAddress peer = request.getRemoteAddress().getAddress();
    if (peer != null && openTo.stream().anyMatch(c -> c.contains(peer))) {
      return new Decision(null, MetricsScope.ALL);
    }
    Optional<Token> token = ApiAuthFilter.bearer(request).flatMap(tokens::authenticate);
    if (token.isEmpty()) {
      return new Decision(
          Problem.response(
                  HttpStatus.UNAUTHORIZED,
                  "/metrics needs an admin token (Authorization: Bearer <token>) or a scraper in"
                      + " ledger.metrics.open-to",
                  null,
                  request.getPath())
              .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer"),
          null);
    }
    if (!token.get().caller().role().allows(Permission.ADMINISTER)) {
      return new Decision(
          Problem.response(
              HttpStatus.FORBIDDEN,
              "a " + token.get().caller().role().id() + " token may not read /metrics: admin only",
              null,
              request.getPath()),
          null);
    }
    return new Decision(null, MetricsScope.tenant(token.get().tenant()));
  }
}
