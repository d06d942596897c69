package dev.rolloutledger.server.http;

import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The standard security headers on every response: API, registry, health, problem responses and
 * 404s alike (this filter matches every path and runs outermost, so it also sees the answers other
 * filters give early, such as a 401).
 *
 * <ul>
 *   <li>{@code X-Content-Type-Options: nosniff}, {@code X-Frame-Options: DENY}, {@code
 *       Referrer-Policy: no-referrer} everywhere;
 *   <li>{@code Content-Security-Policy} per path prefix ({@link #POLICIES}, the longest prefix
 *       wins): the API's JSON needs nothing, so {@code default-src 'none'}; a page under its own
 *       prefix (a dashboard at {@code /ui}) gets its own entry there;
 *   <li>{@code Cache-Control: no-store} on {@code /api/v1}: its answers are per tenant and carry
 *       token secrets;
 *   <li>{@code Strict-Transport-Security} only on an HTTPS request (TLS on): over plain HTTP a
 *       browser ignores it, and it must not pin a loopback http server to HTTPS.
 * </ul>
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class SecurityHeaders implements Ordered {

  /** One path prefix and the headers its responses carry beyond the common ones. */
  public record PathPolicy(String contentSecurityPolicy, boolean noStore) {}

  static final String API_CSP = "default-src 'none'; frame-ancestors 'none'";

  /**
   * The dashboard (docs/dashboard.md): its own scripts, styles and API only; no inline script or
   * style, no frame, no form target; {@code data:} images for uPlot's legend markers.
   */
  static final String UI_CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  /** Path prefix to policy; "/" is every path no longer prefix claims. */
  static final Map<String, PathPolicy> POLICIES;

  static {
    Map<String, PathPolicy> policies = new LinkedHashMap<>();
    policies.put("/", new PathPolicy(API_CSP, false));
    policies.put("/api/v1", new PathPolicy(API_CSP, true));
    policies.put("/ui", new PathPolicy(UI_CSP, false));
    POLICIES = Map.copyOf(policies);
  }

  static final Map<String, String> COMMON =
      Map.of(
          "X-Content-Type-Options", "nosniff",
          "X-Frame-Options", "DENY",
          "Referrer-Policy", "no-referrer");

  static final String HSTS = "max-age=31536000";

  @ResponseFilter
  public void addHeaders(HttpRequest<?> request, MutableHttpResponse<?> response) {
    COMMON.forEach(response.getHeaders()::set);
    PathPolicy policy = policyFor(request.getPath());
    response.getHeaders().set("Content-Security-Policy", policy.contentSecurityPolicy());
    if (policy.noStore()) {
      response.getHeaders().set("Cache-Control", "no-store");
    }
    if (request.isSecure()) {
      response.getHeaders().set("Strict-Transport-Security", HSTS);
    }
  }

  /** The policy of the longest prefix of {@code path} that matches whole segments. */
  static PathPolicy policyFor(String path) {
    String best = "/";
    for (String prefix : POLICIES.keySet()) {
      if (prefix.length() > best.length() && covers(prefix, path)) {
        best = prefix;
      }
    }
    return POLICIES.get(best);
  }

  private static boolean covers(String prefix, String path) {
    return path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
  }

  @Override
  public int getOrder() {
    // outermost: its response filter runs last, after any filter that answered early
    return Ordered.HIGHEST_PRECEDENCE;
  }
}
