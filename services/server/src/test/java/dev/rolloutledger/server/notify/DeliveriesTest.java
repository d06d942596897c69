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
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Deliveries on a clock the test moves: no sleep, no thread. */
class DeliveriesTest {
  private static final RetryPolicy POLICY =
      new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(60));

  /** Answers each URL from a script; a URL without one never answers. */
  static final class ScriptedTransport implements WebhookTransport {
    /** An answer the test gives later: {@link #pending} holds the attempt's future. */
    static final Object LATER = new Object();

    final Map<URI, Deque<Object>> script = new HashMap<>();
    final List<String> sent = new ArrayList<>();
    final Deque<CompletableFuture<Integer>> pending = new ArrayDeque<>();

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
      if (a == LATER) {
        pending.add(new CompletableFuture<>());
        return pending.peekLast();
      }
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

  /** {@code seq} as a delivery whose end is reported to {@code p} as entry {@code seq}'s. */
  private Delivery delivery(String name, String url, long seq, PartitionProgress p) {
    Delivery d = delivery("t1", name, url, seq);
    return new Delivery(
        d.id(),
        d.tenant(),
        d.webhook(),
        d.headers(),
        d.body(),
        d.cancelled(),
        () -> {
          d.done().run();
          p.done(seq);
        });
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
      assertThat(d.stats()).isEqualTo(new Deliveries.Stats(1, 0, 3, 0));
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
      assertThat(d.stats()).isEqualTo(new Deliveries.Stats(0, 1, 4, 0));
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
      assertThat(d.stats()).isEqualTo(new Deliveries.Stats(1, 0, 2, 0));
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

  @Nested
  class DeadWebhooks {
    private final ConnectException refused = new ConnectException("refused");

    /** Dead: its delivery of entry 2 ran out of its four attempts. */
    private Deliveries withADeadWebhook() {
      transport.answer("http://dead/hook", refused, refused, refused, refused);
      Deliveries d = deliveries(10);
      d.submit(delivery("t1", "dead", "http://dead/hook", 2));
      clock.advance(Duration.ofMinutes(5));
      assertThat(d.stats().givenUp()).isEqualTo(1);
      transport.sent.clear();
      clock.delays.clear();
      done.clear();
      return d;
    }

    @Test
    void what_waited_behind_the_delivery_that_ran_out_of_attempts_is_skipped_at_once() {
      transport.answer("http://dead/hook", refused, refused, refused, refused);
      Deliveries d = deliveries(10);
      d.submit(delivery("t1", "dead", "http://dead/hook", 2));
      d.submit(delivery("t1", "dead", "http://dead/hook", 3));
      d.submit(delivery("t1", "dead", "http://dead/hook", 4));
      clock.advance(Duration.ofMinutes(5));

      assertThat(transport.sent).as("entry 2's four attempts, none of 3 or 4").hasSize(4);
      assertThat(done).containsExactly("t1/r1/2/dead", "t1/r1/3/dead", "t1/r1/4/dead");
      assertThat(d.stats()).isEqualTo(new Deliveries.Stats(0, 1, 4, 2));
    }

    @Test
    void a_dead_webhook_holds_the_partition_commit_for_one_delivery_retries_not_its_queue() {
      PartitionProgress p = new PartitionProgress();
      transport.answer("http://dead/hook", refused, refused, refused, refused);
      transport.answer("http://live/hook", 200, 200);
      Deliveries d = deliveries(10);
      p.read(10, 2);
      d.submit(delivery("dead", "http://dead/hook", 10, p));
      d.submit(delivery("live", "http://live/hook", 10, p));
      for (long offset = 11; offset < 20; offset++) {
        p.read(offset, 1);
        d.submit(delivery("dead", "http://dead/hook", offset, p));
      }
      p.read(20, 1);
      d.submit(delivery("live", "http://live/hook", 20, p));
      assertThat(p.committable()).as("10 waits for the dead webhook's retries").isEqualTo(10);

      clock.advance(Duration.ofSeconds(7)); // 1 s + 2 s + 4 s: the fourth attempt fails

      assertThat(p.committable()).as("11 to 19 skipped, not retried one by one").isEqualTo(21);
      assertThat(d.stats()).isEqualTo(new Deliveries.Stats(2, 1, 6, 9));
    }

    @Test
    void a_new_delivery_to_a_dead_webhook_is_a_probe_sent_once() {
      Deliveries d = withADeadWebhook();
      transport.answer("http://dead/hook", 503, 200);
      d.submit(delivery("t1", "dead", "http://dead/hook", 5));
      clock.advance(Duration.ofMinutes(5));

      assertThat(transport.sent).as("no retry of a probe").hasSize(1);
      assertThat(clock.delays).isEmpty();
      assertThat(done).containsExactly("t1/r1/5/dead");
      assertThat(d.stats()).isEqualTo(new Deliveries.Stats(0, 2, 5, 0));
    }

    @Test
    void a_probe_that_gets_through_makes_it_live_and_what_waited_is_sent_with_retries() {
      Deliveries d = withADeadWebhook();
      transport.answer("http://dead/hook", ScriptedTransport.LATER, 500, 200);
      d.submit(delivery("t1", "dead", "http://dead/hook", 5)); // the probe
      d.submit(delivery("t1", "dead", "http://dead/hook", 6)); // waits for its answer
      assertThat(transport.sent).hasSize(1);

      transport.pending.poll().complete(204);
      clock.advance(Duration.ofSeconds(1));

      assertThat(transport.sent)
          .extracting(s -> s.substring(s.indexOf(' ') + 1))
          .containsExactly("t1/r1/5/dead", "t1/r1/6/dead", "t1/r1/6/dead");
      assertThat(done).containsExactly("t1/r1/5/dead", "t1/r1/6/dead");
      assertThat(d.stats().delivered()).isEqualTo(2);
      assertThat(d.stats().skippedDead()).isZero();
    }

    @Test
    void a_probe_that_fails_skips_what_waited_for_its_answer() {
      Deliveries d = withADeadWebhook();
      transport.answer("http://dead/hook", ScriptedTransport.LATER);
      d.submit(delivery("t1", "dead", "http://dead/hook", 5));
      d.submit(delivery("t1", "dead", "http://dead/hook", 6));
      d.submit(delivery("t1", "dead", "http://dead/hook", 7));

      transport.pending.poll().completeExceptionally(new java.net.http.HttpTimeoutException("t"));

      assertThat(transport.sent).hasSize(1);
      assertThat(done).containsExactly("t1/r1/5/dead", "t1/r1/6/dead", "t1/r1/7/dead");
      assertThat(d.stats().skippedDead()).isEqualTo(2);
    }

    @Test
    void another_webhook_of_the_tenant_is_not_dead_with_it() {
      Deliveries d = withADeadWebhook();
      transport.answer("http://other/hook", 500, 200);
      d.submit(delivery("t1", "other", "http://other/hook", 5));
      clock.advance(Duration.ofSeconds(1));
      assertThat(transport.sent).as("retried as usual").hasSize(2);
      assertThat(done).containsExactly("t1/r1/5/other");
    }

    @Test
    void a_refused_target_is_given_up_at_once_and_does_not_make_the_webhook_dead() {
      transport.answer(
          "http://a/hook",
          new CompletionException(new WebhookTargets.RefusedTarget("a is loopback")),
          500,
          200);
      Deliveries d = deliveries(10);
      d.submit(delivery("t1", "a", "http://a/hook", 2));
      d.submit(delivery("t1", "a", "http://a/hook", 3));
      clock.advance(Duration.ofSeconds(1));

      assertThat(transport.sent).as("2 once; 3 retried once").hasSize(3);
      assertThat(done).containsExactly("t1/r1/2/a", "t1/r1/3/a");
      assertThat(d.stats()).isEqualTo(new Deliveries.Stats(1, 1, 3, 0));
    }
  }
}
