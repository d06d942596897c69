package dev.rolloutledger.server.notify;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends deliveries, each webhook on a lane of its own: one attempt in flight per webhook, in the
 * order the entries were read, retried by the {@link RetryPolicy} on the {@link Scheduler}. Nothing
 * here blocks the caller: a slow or dead receiver fills only its own lane, bounded at {@code
 * capacity} deliveries, beyond which a new one is given up (logged and counted) rather than held.
 * Every attempt is logged with the webhook's name and origin, never its whole URL.
 */
public final class Deliveries {
  private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);

  private final WebhookTransport transport;
  private final Scheduler scheduler;
  private final RetryPolicy policy;
  private final int capacity;
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong givenUp = new AtomicLong();
  private final AtomicLong attempts = new AtomicLong();

  /** Counts since start: deliveries made, given up, and attempts (for logs and tests). */
  public record Stats(long delivered, long givenUp, long attempts) {}

  public Deliveries(
      WebhookTransport transport, Scheduler scheduler, RetryPolicy policy, int capacity) {
    this.transport = transport;
    this.scheduler = scheduler;
    this.policy = policy;
    this.capacity = capacity;
  }

  public Stats stats() {
    return new Stats(delivered.get(), givenUp.get(), attempts.get());
  }

  /** Queues a delivery on its webhook's lane; returns at once. */
  public void submit(Delivery d) {
    Lane lane = lanes.computeIfAbsent(d.tenant() + "/" + d.webhook().name(), k -> new Lane());
    boolean start;
    synchronized (lane) {
      if (lane.queue.size() >= capacity) {
        start = false;
        d = rejected(d);
      } else {
        lane.queue.addLast(d);
        start = !lane.busy;
        lane.busy = lane.busy || start;
      }
    }
    if (d == null) {
      return;
    }
    if (start) {
      next(lane);
    }
  }

  private Delivery rejected(Delivery d) {
    LOG.warn(
        "{}: given up without an attempt, {} deliveries already wait for this webhook",
        d.describe(),
        capacity);
    givenUp.incrementAndGet();
    d.done().run();
    return null;
  }

  /** Starts the lane's next delivery, or marks it idle. */
  private void next(Lane lane) {
    Delivery d;
    synchronized (lane) {
      d = lane.queue.pollFirst();
      lane.made = 0;
      if (d == null) {
        lane.busy = false;
        return;
      }
    }
    attempt(lane, d);
  }

  private void attempt(Lane lane, Delivery d) {
    if (d.cancelled().getAsBoolean()) {
      LOG.debug("{}: dropped, another instance sends it now", d.describe());
      next(lane);
      return;
    }
    int made = ++lane.made; // one attempt of a lane at a time: no race on made
    attempts.incrementAndGet();
    try {
      transport
          .post(d.webhook().url(), d.headers(), d.body())
          .whenComplete((status, error) -> answered(lane, d, made, status, error));
    } catch (RuntimeException e) {
      answered(lane, d, made, null, e);
    }
  }

  private void answered(Lane lane, Delivery d, int made, Integer status, Throwable error) {
    if (error == null && RetryPolicy.delivered(status)) {
      LOG.info(
          "{}: delivered on attempt {}/{} ({})", d.describe(), made, policy.attempts(), status);
      delivered.incrementAndGet();
      finish(lane, d);
      return;
    }
    String what = error == null ? "answered " + status : "failed: " + cause(error);
    if (error == null && !RetryPolicy.retryable(status)) {
      LOG.warn("{}: attempt {} {}; not retried, given up", d.describe(), made, what);
      givenUp.incrementAndGet();
      finish(lane, d);
      return;
    }
    Duration wait = policy.delayAfter(made);
    if (wait == null) {
      LOG.warn("{}: attempt {}/{} {}; given up", d.describe(), made, policy.attempts(), what);
      givenUp.incrementAndGet();
      finish(lane, d);
      return;
    }
    LOG.info(
        "{}: attempt {}/{} {}; next in {} ms",
        d.describe(),
        made,
        policy.attempts(),
        what,
        wait.toMillis());
    scheduler.schedule(() -> attempt(lane, d), wait);
  }

  private void finish(Lane lane, Delivery d) {
    try {
      d.done().run();
    } finally {
      next(lane);
    }
  }

  /** The exception's class and message, without the URL a JDK message may quote. */
  private static String cause(Throwable error) {
    Throwable t = error;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName();
  }

  private static final class Lane {
    final Deque<Delivery> queue = new ArrayDeque<>();
    boolean busy;
    int made;
  }
}
