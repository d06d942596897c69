package dev.rolloutledger.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.rolloutledger.schemas.commands.CommandSignatures;
import dev.rolloutledger.server.auth.Allowed;
import dev.rolloutledger.server.auth.Caller;
import dev.rolloutledger.server.auth.Permission;
import dev.rolloutledger.server.kafka.CommandFeed;
import dev.rolloutledger.topology.AvroMapper;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Commands out, by HTTP long poll: a host asks for its signed commands with a seq above the last
 * one it acted on, and the answer comes as soon as there is one, or empty after {@code wait}. The
 * agent verifies every command itself (signature, tenant, host, expiry, seq); this route only makes
 * sure that an agent's token reads nothing but its own host's commands.
 */
@Controller("/api/v1/tenants/{tenant}/hosts/{host}/commands")
public class CommandController {
  /** The longest a poll waits: below common proxy and load-balancer idle timeouts. */
  public static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private final CommandFeed feed;

  public CommandController(CommandFeed feed) {
    this.feed = feed;
  }

  /** One signed command as an agent verifies it (see {@code CommandSignatures} for the bytes). */
  @Serdeable
  public record CommandView(
      String action,
      String commandId,
      String tenant,
      String rollout,
      String host,
      String release,
      @Nullable String sha256,
      long seq,
      String issuedAt,
      String expiresAt,
      @Nullable String keyId,
      @Nullable String signature) {
    static CommandView of(CommandSignatures.Fields f) {
      return new CommandView(
          f.action(),
          f.commandId(),
          f.tenant(),
          f.rollout(),
          f.host(),
          f.release(),
          f.sha256(),
          f.seq(),
          f.issuedAt().toString(),
          f.expiresAt().toString(),
          f.keyId(),
          f.signature() == null ? null : Base64.getEncoder().encodeToString(f.signature()));
    }
  }

  /** {@code commands} is written even when empty: an empty poll answers {@code "commands": []}. */
  @Serdeable
  public record Commands(
      String host, @JsonInclude(JsonInclude.Include.ALWAYS) List<CommandView> commands) {}

  @Get
  @Allowed(Permission.COMMANDS)
  public CompletableFuture<Commands> poll(
      @PathVariable String tenant,
      @PathVariable String host,
      @QueryValue(defaultValue = "0") long after,
      @QueryValue(defaultValue = "PT0S") String wait,
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    Ids.require("tenant", tenant);
    Ids.require("host", host);
    if (!caller.covers(host)) {
      throw new ApiProblemException(
          HttpStatus.FORBIDDEN,
          "host: the token of host " + caller.host() + " reads only that host's commands",
          "host");
    }
    if (after < 0) {
      throw ApiProblemException.badField("after", "after must be >= 0");
    }
    Duration waitFor;
    try {
      waitFor = AvroMapper.duration("wait", wait);
    } catch (RuntimeException e) {
      throw ApiProblemException.badField("wait", "wait must be an ISO-8601 duration like PT30S");
    }
    if (waitFor.isNegative() || waitFor.compareTo(MAX_WAIT) > 0) {
      throw ApiProblemException.badField("wait", "wait must be between PT0S and " + MAX_WAIT);
    }
    return feed.await(tenant, host, after, waitFor)
        .thenApply(list -> new Commands(host, list.stream().map(CommandView::of).toList()));
  }
}
