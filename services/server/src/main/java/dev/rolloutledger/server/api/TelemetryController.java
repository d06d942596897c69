package dev.rolloutledger.server.api;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.server.api.Requests.TelemetryItem;
import dev.rolloutledger.server.api.Views.Accepted;
import dev.rolloutledger.server.auth.Allowed;
import dev.rolloutledger.server.auth.Caller;
import dev.rolloutledger.server.auth.Permission;
import dev.rolloutledger.server.kafka.EventPublisher;
import dev.rolloutledger.topology.InputChecks;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Telemetry in over HTTP: a JSON array of applied / heartbeat / crash items, and silent / back
 * items from a failure detector (ADR 0006, for plans whose liveness is reported). The whole batch
 * is validated first; one bad item rejects the batch with 400 naming it ({@code [i].field}) and
 * nothing is published, so a client can fix and resend without duplicates; a valid batch is
 * published in one Kafka transaction, whole or not at all. An agent's token may report only about
 * its own host: an item about another host refuses the batch with 403. A valid batch beyond its
 * token's rate ({@link TelemetryRateLimit}) is refused whole with 429 and Retry-After; one over
 * {@link #MAX_BATCH} items or 1 MB gets 413.
 */
@Controller("/api/v1/tenants/{tenant}/telemetry")
@ExecuteOn(TaskExecutors.BLOCKING)
public class TelemetryController {
  /** Items per batch; larger batches get 413. The request body is also capped (1 MB). */
  public static final int MAX_BATCH = 5000;

  /** The item types, as a problem names them. */
  private static final String TYPES = "applied, heartbeat, crash, silent or back";

  private final EventPublisher publisher;
  private final TelemetryRateLimit rateLimit;
  private final Clock clock = Clock.systemUTC();

  public TelemetryController(EventPublisher publisher, TelemetryRateLimit rateLimit) {
    this.publisher = publisher;
    this.rateLimit = rateLimit;
  }

  @Post
  @Allowed(Permission.TELEMETRY)
  public HttpResponse<Accepted> ingest(
      @PathVariable String tenant,
      @Body
          @RequestBody(
              content =
                  @Content(
                      array = @ArraySchema(schema = @Schema(implementation = TelemetryItem.class))))
          String body,
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    Ids.require("tenant", tenant);
    List<TelemetryItem> items =
        StrictJson.readList(body, new TypeReference<List<TelemetryItem>>() {});
    if (items.size() > MAX_BATCH) {
      throw new ApiProblemException(
          HttpStatus.REQUEST_ENTITY_TOO_LARGE,
          "batch of " + items.size() + " items exceeds " + MAX_BATCH,
          null);
    }
    Instant received = clock.instant();
    List<LedgerInput> inputs = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String path = "[" + i + "]";
      TelemetryItem item = items.get(i);
      if (item == null) {
        throw ApiProblemException.badField(path, path + " must be an object");
      }
      Ids.require(path + ".host", item.host());
      if (!caller.covers(item.host())) {
        throw new ApiProblemException(
            HttpStatus.FORBIDDEN,
            path + ".host: the token of host " + caller.host() + " reports only about that host",
            path + ".host");
      }
      Instant at = item.at() == null ? received : instant(path + ".at", item.at());
      // the same checks as the Kafka doors' (InputChecks): finite metrics, times a topic can hold
      inputs.add(
          RolloutController.within(path, () -> InputChecks.check(toInput(tenant, at, item, path))));
    }
    if (items.size() > rateLimit.burst()) {
      throw new ApiProblemException(
          HttpStatus.REQUEST_ENTITY_TOO_LARGE,
          "batch of "
              + items.size()
              + " items exceeds this server's burst of "
              + (long) rateLimit.burst(),
          null);
    }
    long wait = rateLimit.take(caller.tenant() + "/" + caller.name(), items.size());
    if (wait > 0) {
      throw ApiProblemException.tooManyRequests(
          "this token may send "
              + (long) rateLimit.itemsPerSecond()
              + " telemetry items a second; resend this batch after "
              + wait
              + " s",
          wait);
    }
    publisher.publishAtomically(inputs);
    return HttpResponse.accepted().body(new Accepted(inputs.size(), List.of()));
  }

  private static LedgerInput toInput(String tenant, Instant at, TelemetryItem item, String path) {
    if (item.type() == null) {
      throw ApiProblemException.badField(path + ".type", path + ".type is required: " + TYPES);
    }
    return switch (item.type()) {
      case "applied" -> {
        if (item.ok() == null) {
          throw ApiProblemException.badField(path + ".ok", path + ".ok is required for applied");
        }
        yield new UpdateApplied(tenant, at, item.host(), item.release(), item.ok(), item.error());
      }
      case "heartbeat" ->
          new Heartbeat(
              tenant,
              at,
              item.host(),
              item.release(),
              item.metrics() == null ? Map.of() : item.metrics());
      case "crash" ->
          new CrashReport(
              tenant,
              at,
              item.host(),
              item.release(),
              item.signature() == null ? "unknown" : item.signature(),
              item.kind() == null ? "crash" : item.kind());
      case "silent" ->
          new HostSilent(
              tenant,
              at,
              item.host(),
              item.lastSeenAt() == null ? null : instant(path + ".lastSeenAt", item.lastSeenAt()));
      case "back" -> new HostBack(tenant, at, item.host());
      default ->
          throw ApiProblemException.badField(
              path + ".type", path + ".type must be " + TYPES + ", was '" + item.type() + "'");
    };
  }

  /** An ISO-8601 instant; an unparseable one is a 400 naming {@code field}. */
  private static Instant instant(String field, String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw ApiProblemException.badField(
          field,
          field + " must be an ISO-8601 instant such as 2026-12-07T10:00:00Z, was '" + text + "'");
    }
  }
}
