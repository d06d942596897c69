package dev.rolloutledger.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Deliveries on a clock the test moves: no sleep, no thread. */
class DeliveriesTest {
  private static final RetryPolicy POLICY =
      new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(60));

  /** Answers each URL from a script; a URL without one never answers. */
  static final class ScriptedTransport implements WebhookTransport {
    final Map<URI, Deque<Object>> script = new HashMap<>();
    final List<String> sent = new ArrayList<>();

    ScriptedTransport answer(String url, Object... answers) {
      script.computeIfAbsent(URI.create(url), k -> new ArrayDeque<>()).addAll(List.of(answers));
      return this;
    }

    @Override
    public CompletableFuture<Integer> post(URI url, Map<String, String> headers, byte[] body) {
      sent.add(url + " " + headers.get(Delivery.DELIVERY_HEADER));
      Deque<Object> answers = script.get(url);
      if (answers == null || answers.isEmpty()) {
        return new CompletableFuture<>(); // a receiver that never answers
      }
      Object a = answers.poll();
      return a instanceof Throwable t
          ? CompletableFuture.failedFuture(t)
          : CompletableFuture.completedFuture((Integer) a);
    }
  }

  /** A clock and its tasks: {@link #advance} runs what falls due. */
  static final class ManualScheduler implements Scheduler {
    private record Task(Duration at, Runnable run) {}

    private final List<Task> tasks = new ArrayList<>();
    final List<Duration> delays = new ArrayList<>();
    private Duration now = Duration.ZERO;

    @Override
    public void schedule(Runnable task, Duration delay) {
      delays.add(delay);
      tasks.add(new Task(now.plus(delay), task));
    }

    void advance(Duration by) {
      Duration until = now.plus(by);
      while (true) {
        Task next =
            tasks.stream()
                .filter(t -> t.at().compareTo(until) <= 0)
                .min((a, b) -> a.at().compareTo(b.at()))
                .orElse(null);
        if (next == null) {
          break;
        }
        tasks.remove(next);
        now = next.at();
        next.run().run();
      }
      now = until;
    }
  }

  private final ScriptedTransport transport = new ScriptedTransport();
  private final ManualScheduler clock = new ManualScheduler();
  private final List<String> done = new ArrayList<>();

  private Deliveries deliveries(int capacity) {
    return new Deliveries(transport, clock, POLICY, capacity);
  }

  private Delivery delivery(String tenant, String name, String url, long seq) {
    return delivery(tenant, name, url, seq, new AtomicBoolean());
  }

  private Delivery delivery(
      String tenant, String name, String url, long seq, AtomicBoolean cancelled) {
    Webhook w =
        new Webhook(
            name,
            URI.create(url),
            WebhookFormat.JSON,
            Set.of(NotificationEvent.HALTED),
            Instant.EPOCH);
    String id = tenant + "/r1/" + seq + "/" + name;
    return new Delivery(
        id,
        tenant,
        w,
        Map.of(Delivery.DELIVERY_HEADER, id),
        new byte[] {'{', '}'},
        cancelled::get,
        () -> done.add(id));
  }

  @Nested
  class Retries {
    @Test
    void a_receiver_that_fails_twice_gets_the_body_on_the_third_attempt_after_1_then_2_s() {
      transport.answer("http://a/hook", 500, 503, 200);
      Deliveries d = deliveries(10);
      d.submit(delivery("t1", "a", "http://a/hook", 2));

      assertThat(transport.sent).hasSize(1);
      clock.advance(Duration.ofMillis(999));
      assertThat(transport.sent).as("not before its backoff").hasSize(1);
      clock.advance(Duration.ofMillis(1));
      assertThat(transport.sent).hasSize(2);
      clock.advance(Duration.ofSeconds(2));

      assertThat(transport.sent).hasSize(3).allMatch(s -> s.endsWith("t1/r1/2/a"));
      assertThat(clock.delays).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
      assertThat(done).containsExactly("t1/r1/2/a");
      assertThat(d.stats()).isEqualTo(new Deliveries.Stats(1, 0, 3));
    }

    @Test
    void connection_errors_are_retried_until_the_last_attempt_then_given_up() {
      ConnectException refused = new ConnectException("refused");
      transport.answer("http://a/hook", refused, refused, refused, refused, 200);
      Deliveries d = deliveries(10);
      d.submit(delivery("t1", "a", "http://a/hook", 2));
      clock.advance(Duration.ofMinutes(5));

      assertThat(transport.sent).as("four attempts, no fifth").hasSize(4);
      assertThat(clock.delays)
          .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
      assertThat(done).as("given up is done: its offset may be committed").hasSize(1);
      assertThat(d.stats()).isEqualTo(new Deliveries.Stats(0, 1, 4));
    }

    @Test
    void a_4xx_other_than_429_is_not_retried() {
      transport.answer("http://a/hook", 404, 200);
      Deliveries d = deliveries(10);
      d.submit(delivery("t1", "a", "http://a/hook", 2));
      clock.advance(Duration.ofMinutes(5));
      assertThat(transport.sent).hasSize(1);
      assertThat(clock.delays).isEmpty();
      assertThat(d.stats().givenUp()).isEqualTo(1);
    }

    @Test
    void a_429_is_retried() {
      transport.answer("http://a/hook", 429, 204);
      Deliveries d = deliveries(10);
      d.submit(delivery("t1", "a", "http://a/hook", 2));
      clock.advance(Duration.ofSeconds(1));
      assertThat(d.stats()).isEqualTo(new Deliveries.Stats(1, 0, 2));
    }
  }

  @Nested
  class Lanes {
    @Test
    void a_dead_receiver_holds_up_only_its_own_webhook() {
      transport.answer("http://live/hook", 200, 200);
      Deliveries d = deliveries(10);
      d.submit(delivery("t1", "dead", "http://dead/hook", 2)); // never answers
      d.submit(delivery("t1", "dead", "http://dead/hook", 3));
      d.submit(delivery("t2", "live", "http://live/hook", 2));
      d.submit(delivery("t2", "live", "http://live/hook", 3));

      assertThat(done).containsExactly("t2/r1/2/live", "t2/r1/3/live");
      assertThat(transport.sent)
          .as("the dead one's second entry waits behind its first")
          .filteredOn(s -> s.startsWith("http://dead"))
          .hasSize(1);
    }

    @Test
    void one_webhook_is_sent_its_entries_in_order_one_at_a_time() {
      transport.answer("http://a/hook", 500, 200, 200);
      Deliveries d = deliveries(10);
      d.submit(delivery("t1", "a", "http://a/hook", 2));
      d.submit(delivery("t1", "a", "http://a/hook", 3));
      assertThat(transport.sent).hasSize(1);
      clock.advance(Duration.ofSeconds(1));
      assertThat(transport.sent)
          .extracting(s -> s.substring(s.indexOf(' ') + 1))
          .containsExactly("t1/r1/2/a", "t1/r1/2/a", "t1/r1/3/a");
      assertThat(done).containsExactly("t1/r1/2/a", "t1/r1/3/a");
    }

    @Test
    void a_full_lane_gives_up_a_new_delivery_at_once_rather_than_hold_it() {
      Deliveries d = deliveries(2);
      d.submit(delivery("t1", "dead", "http://dead/hook", 2)); // in flight
      d.submit(delivery("t1", "dead", "http://dead/hook", 3));
      d.submit(delivery("t1", "dead", "http://dead/hook", 4));
      d.submit(delivery("t1", "dead", "http://dead/hook", 5));
      assertThat(done).containsExactly("t1/r1/5/dead");
      assertThat(d.stats().givenUp()).isEqualTo(1);
    }

    @Test
    void a_cancelled_delivery_is_not_tried_again_nor_reported_done() {
      AtomicBoolean revoked = new AtomicBoolean();
      transport.answer("http://a/hook", 500, 200, 200);
      Deliveries d = deliveries(10);
      d.submit(delivery("t1", "a", "http://a/hook", 2, revoked));
      d.submit(delivery("t1", "a", "http://a/hook", 3));
      revoked.set(true); // its partition went to another instance, which sends it
      clock.advance(Duration.ofSeconds(1));
      assertThat(transport.sent).hasSize(2).last().asString().endsWith("t1/r1/3/a");
      assertThat(done).containsExactly("t1/r1/3/a");
    }
  }
}
