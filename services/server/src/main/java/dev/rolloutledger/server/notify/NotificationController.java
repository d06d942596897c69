package dev.rolloutledger.server.notify;

import static dev.rolloutledger.server.auth.Permission.OPERATE;
import static dev.rolloutledger.server.auth.Permission.READ;

import dev.rolloutledger.server.auth.Allowed;
import dev.rolloutledger.server.auth.Caller;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * A tenant's notifications (docs/notifications.md): the webhooks told of its rollouts' halts,
 * promotions, completions and pauses. Operators and admins set them; every role that reads sees
 * them, each URL shown only as its origin (a Slack webhook's path is its secret).
 */
@Controller("/api/v1/tenants/{tenant}/notifications")
@ExecuteOn(TaskExecutors.BLOCKING)
@Requires(bean = NotificationStore.class)
public class NotificationController {
  private final NotificationStore store;
  private final WebhookTargets targets;
  private final Clock clock = Clock.systemUTC();

  public NotificationController(NotificationStore store, WebhookTargets targets) {
    this.store = store;
    this.targets = targets;
  }

  @Serdeable
  public record WebhookBody(
      @Nullable String name,
      @Nullable String url,
      @Nullable @Schema(allowableValues = {"slack", "json"}) String format,
      @Nullable List<String> events) {}

  @Serdeable
  public record NotificationsBody(@Nullable List<WebhookBody> webhooks) {}

  /** A webhook as shown: {@code url} is its origin and {@code /***} when it has more. */
  @Serdeable
  public record WebhookView(
      String name, String url, String format, List<String> events, Instant since) {}

  @Serdeable
  public record NotificationsView(
      String tenant,
      List<WebhookView> webhooks,
      @Nullable Instant updatedAt,
      @Nullable String by) {}

  /** Replaces the tenant's webhooks (an empty list: none); in force on return. */
  @Put
  @Allowed(OPERATE)
  public NotificationsView set(
      @PathVariable String tenant,
      @Body
          @RequestBody(
              content = @Content(schema = @Schema(implementation = NotificationsBody.class)))
          String json,
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    List<NotificationRequests.Asked> asked = NotificationRequests.read(json, targets);
    Instant now = clock.instant();
    List<Webhook> webhooks = NotificationRequests.configure(asked, store.webhooks(tenant), now);
    // who set them: the token, never the body
    store.put(tenant, new NotificationStore.Settings(webhooks, now, caller.name()));
    return get(tenant);
  }

  @Get
  @Allowed(READ)
  public NotificationsView get(@PathVariable String tenant) {
    return store
        .settings(tenant)
        .map(
            s ->
                new NotificationsView(
                    tenant,
                    s.webhooks().stream().map(NotificationController::view).toList(),
                    s.updatedAt(),
                    s.by()))
        .orElseGet(() -> new NotificationsView(tenant, List.of(), null, null));
  }

  private static WebhookView view(Webhook w) {
    return new WebhookView(
        w.name(),
        w.redactedUrl(),
        w.format().wire(),
        w.events().stream().sorted().map(NotificationEvent::wire).toList(),
        w.since());
  }
}
