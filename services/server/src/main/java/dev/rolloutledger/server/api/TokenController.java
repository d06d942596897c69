package dev.rolloutledger.server.api;

import static dev.rolloutledger.server.auth.Permission.ADMINISTER;

import dev.rolloutledger.server.auth.Allowed;
import dev.rolloutledger.server.auth.Role;
import dev.rolloutledger.server.auth.Token;
import dev.rolloutledger.server.auth.TokenRegistry.Issued;
import dev.rolloutledger.server.auth.TokenStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A tenant's API tokens, managed by its admins. The secret is in the answer to the POST and nowhere
 * else, ever: the server keeps only its SHA-256. Revocation takes effect on every server instance
 * within a second.
 */
@Controller("/api/v1/tenants/{tenant}/tokens")
@ExecuteOn(TaskExecutors.BLOCKING)
public class TokenController {
  private static final String ROLES =
      Arrays.stream(Role.values()).map(Role::id).collect(Collectors.joining(", "));

  private final TokenStore tokens;

  public TokenController(TokenStore tokens) {
    this.tokens = tokens;
  }

  @Serdeable
  public record TokenBody(@Nullable String name, @Nullable String role, @Nullable String host) {}

  @Serdeable
  public record TokenView(
      String tenant, String name, String role, @Nullable String host, Instant createdAt) {
    static TokenView of(Token t) {
      return new TokenView(t.tenant(), t.name(), t.role().id(), t.host(), t.createdAt());
    }
  }

  /** The answer to a creation: the only time the secret is shown. */
  @Serdeable
  public record CreatedToken(
      String tenant,
      String name,
      String role,
      @Nullable String host,
      Instant createdAt,
      String token) {}

  @Post
  @Allowed(ADMINISTER)
  public HttpResponse<CreatedToken> create(
      @PathVariable String tenant,
      @Body @RequestBody(content = @Content(schema = @Schema(implementation = TokenBody.class)))
          String json) {
    Ids.require("tenant", tenant);
    TokenBody body = StrictJson.read(json, TokenBody.class);
    String name = Ids.require("name", body.name());
    Role role = role(body.role());
    String host = host(role, body.host());
    if (tokens.find(tenant, name).isPresent()) {
      throw new ApiProblemException(
          HttpStatus.CONFLICT, "a token named " + name + " exists; revoke it first", "name");
    }
    Issued issued = tokens.create(tenant, name, role, host);
    Token t = issued.token();
    return HttpResponse.<CreatedToken>status(HttpStatus.CREATED)
        .header("Location", "/api/v1/tenants/" + tenant + "/tokens/" + name)
        .body(new CreatedToken(tenant, name, role.id(), host, t.createdAt(), issued.secret()));
  }

  @Get
  @Allowed(ADMINISTER)
  public List<TokenView> list(@PathVariable String tenant) {
    Ids.require("tenant", tenant);
    return tokens.list(tenant).stream().map(TokenView::of).toList();
  }

  @Delete("/{name}")
  @Allowed(ADMINISTER)
  public HttpResponse<Void> revoke(@PathVariable String tenant, @PathVariable String name) {
    Ids.require("tenant", tenant);
    Ids.require("name", name);
    if (!tokens.revoke(tenant, name)) {
      throw ApiProblemException.notFound("token " + name);
    }
    return HttpResponse.noContent();
  }

  private static Role role(@Nullable String role) {
    if (role == null) {
      throw ApiProblemException.badField("role", "role is required: one of " + ROLES);
    }
    return Role.parse(role)
        .orElseThrow(() -> ApiProblemException.badField("role", "role must be one of " + ROLES));
  }

  /** An agent token is bound to one host; no other role is. */
  @Nullable
  private static String host(Role role, @Nullable String host) {
    if (role == Role.AGENT) {
      return Ids.require("host", host);
    }
    if (host != null) {
      throw ApiProblemException.badField("host", "host is only for agent tokens");
    }
    return null;
  }
}
