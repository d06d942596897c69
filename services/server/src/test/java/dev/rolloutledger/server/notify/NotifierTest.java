package dev.rolloutledger.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rolloutledger.schemas.Topics;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
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

  @Test
  void a_failed_consumer_is_replaced_after_a_growing_pause_and_the_notifier_runs_again()
      throws Exception {
    List<MockConsumer<String, SpecificRecord>> made = new CopyOnWriteArrayList<>();
    List<Duration> pauses = new CopyOnWriteArrayList<>();
    CountDownLatch secondPause = new CountDownLatch(1);
    Supplier<Consumer<String, SpecificRecord>> consumers =
        () -> {
          MockConsumer<String, SpecificRecord> c = new MockConsumer<>("earliest");
          if (made.size() < 2) {
            c.setPollException(new KafkaException("not authorized to access group"));
          }
          made.add(c);
          return c;
        };
    Notifier n =
        new Notifier(
            consumers,
            null,
            null,
            null,
            (t, r) -> Optional.empty(),
            Duration.ofHours(24),
            d -> {
              pauses.add(d);
              if (pauses.size() == 2) {
                secondPause.await();
              }
            });
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> pauses.size() == 2);
      assertThat(n.state()).isEqualTo(Notifier.State.RETRYING);
      assertThat(n.failures()).isEqualTo(2);
      assertThat(n.lastFailure()).contains("KafkaException: not authorized to access group");
      assertThat(made).hasSize(2).allMatch(MockConsumer::closed);

      secondPause.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> n.state() == Notifier.State.RUNNING);
      assertThat(made).hasSize(3);
      assertThat(made.get(2).subscription()).containsExactly(Topics.LEDGER.name());
      assertThat(pauses).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    } finally {
      n.close();
    }
    assertThat(n.state()).isEqualTo(Notifier.State.STOPPED);
    assertThat(made.get(2).closed()).isTrue();
  }

  @Test
  void the_pause_doubles_up_to_a_minute() {
    assertThat(
            java.util.stream.IntStream.rangeClosed(1, 9)
                .mapToObj(i -> Notifier.pauseAfter(i).toSeconds()))
        .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
  }
}
