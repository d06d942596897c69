package dev.rolloutledger.server.registry;

import dev.rolloutledger.schemas.registry.SchemaRegistryException;
import dev.rolloutledger.server.auth.Caller;
import dev.rolloutledger.server.auth.Permission;
import dev.rolloutledger.server.auth.Token;
import dev.rolloutledger.server.auth.TokenStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every {@code /registry} request carries an API token, as {@code Authorization: Bearer <token>} or
 * as the password of HTTP Basic (any user name), which is what Confluent clients send from {@code
 * basic.auth.user.info} or a {@code user:password@} URL. Any valid token, of any tenant and role,
 * reads. Deleting needs {@link Permission#REGISTER_SCHEMAS} (admins); so do registering and
 * changing the configuration, unless the request changes nothing (the schema is already registered,
 * the level asked is the one in force), which the controllers decide: a Confluent serializer that
 * auto-registers asks that on every start, and Node's client sends a level on a subject's first
 * registration. Errors are Confluent's: 401 with {@code error_code} 40101, 403 with 40301.
 */
@ServerFilter("/registry/**")
public class RegistryAuthFilter {
  private static final String BEARER = "Bearer ";
  private static final String BASIC = "Basic ";

  /** Reads although they are POSTs: a lookup and a compatibility check change nothing. */
  private static final Pattern READ_POSTS =
      Pattern.compile("^/registry/(subjects/[^/]+/?|compatibility/.*)$");

  private static final Pattern REGISTER = Pattern.compile("^/registry/subjects/[^/]+/versions/?$");

  private static final Pattern CONFIG = Pattern.compile("^/registry/config(/[^/]+)?/?$");

  private final TokenStore tokens;

  public RegistryAuthFilter(TokenStore tokens) {
    this.tokens = tokens;
  }

  @RequestFilter
  @Nullable
  public HttpResponse<?> authorize(HttpRequest<?> request) {
    Optional<Token> token = presented(request).flatMap(tokens::authenticate);
    if (token.isEmpty()) {
      return RegistryErrors.response(
              new SchemaRegistryException(
                  SchemaRegistryException.UNAUTHENTICATED,
                  "a valid API token is required: Authorization: Bearer <token>, or HTTP Basic"
                      + " with the token as the password"))
          .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"rollout-ledger registry\"");
    }
    Caller caller = token.get().caller();
    request.setAttribute(Caller.ATTRIBUTE, caller);
    if (isWrite(request) && !caller.role().allows(Permission.REGISTER_SCHEMAS)) {
      return RegistryErrors.response(forbidden(caller, request));
    }
    return null;
  }

  /** Throws 40301 unless the caller of this (already authenticated) request may change schemas. */
  static void requireWrite(HttpRequest<?> request) {
    Caller caller =
        request
            .getAttribute(Caller.ATTRIBUTE, Caller.class)
            .orElseThrow(
                () -> new IllegalStateException("no caller: RegistryAuthFilter did not run"));
    if (!caller.role().allows(Permission.REGISTER_SCHEMAS)) {
      throw forbidden(caller, request);
    }
  }

  private static SchemaRegistryException forbidden(Caller caller, HttpRequest<?> request) {
    return new SchemaRegistryException(
        SchemaRegistryException.FORBIDDEN,
        "a "
            + caller.role().id()
            + " token may read the registry but not "
            + request.getMethodName()
            + " "
            + request.getPath()
            + ": schema changes need an admin token");
  }

  private static boolean isWrite(HttpRequest<?> request) {
    HttpMethod method = request.getMethod();
    if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
      return false;
    }
    String path = request.getPath();
    if (method == HttpMethod.POST
        && (READ_POSTS.matcher(path).matches() || REGISTER.matcher(path).matches())) {
      return false; // a registration is judged by the controller (see the class comment)
    }
    if (method == HttpMethod.PUT && CONFIG.matcher(path).matches()) {
      return false; // so is a configuration change (one to the level in force changes nothing)
    }
    return true;
  }

  private static Optional<String> presented(HttpRequest<?> request) {
    Optional<String> header = request.getHeaders().getAuthorization();
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String h = header.get();
    if (h.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.of(h.substring(BEARER.length()).trim());
    }
    if (h.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
      String decoded;
      try {
        decoded =
            new String(
                Base64.getDecoder().decode(h.substring(BASIC.length()).trim()),
                StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
      int colon = decoded.indexOf(':');
      return colon < 0 ? Optional.empty() : Optional.of(decoded.substring(colon + 1));
    }
    return Optional.empty();
  }
}
