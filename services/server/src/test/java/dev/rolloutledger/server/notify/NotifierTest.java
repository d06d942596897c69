package dev.rolloutledger.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NotifierTest {
  private static final Instant CONFIGURED = Instant.parse("2026-12-07T19:00:00Z");

  private static Webhook hook(String name, NotificationEvent... events) {
    return new Webhook(
        name, URI.create("https://x/" + name), WebhookFormat.JSON, Set.of(events), CONFIGURED);
  }

  private final List<Webhook> hooks =
      List.of(hook("halts", NotificationEvent.HALTED), hook("all", NotificationEvent.values()));

  @Test
  void sends_an_entry_to_the_webhooks_that_want_its_event() {
    assertThat(
            Notifier.wanting(
                hooks, NotificationEvent.PROMOTED, CONFIGURED.plusSeconds(5), Instant.EPOCH))
        .extracting(Webhook::name)
        .containsExactly("all");
    assertThat(
            Notifier.wanting(
                hooks, NotificationEvent.HALTED, CONFIGURED.plusSeconds(5), Instant.EPOCH))
        .extracting(Webhook::name)
        .containsExactly("halts", "all");
  }

  @Test
  void never_replays_what_was_recorded_before_a_webhook_was_configured() {
    assertThat(
            Notifier.wanting(
                hooks, NotificationEvent.HALTED, CONFIGURED.minusMillis(1), Instant.EPOCH))
        .isEmpty();
  }

  @Test
  void sends_nothing_older_than_its_max_age() {
    Instant recorded = CONFIGURED.plusSeconds(5);
    assertThat(Notifier.wanting(hooks, NotificationEvent.HALTED, recorded, recorded.plusMillis(1)))
        .isEmpty();
    assertThat(Notifier.wanting(hooks, NotificationEvent.HALTED, recorded, recorded)).hasSize(2);
  }
}
