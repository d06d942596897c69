package dev.rolloutledger.server.notify;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
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
 *
 * <p>A webhook whose delivery ran out of attempts is <b>dead</b> (a breaker per webhook and URL):
 * the deliveries waiting on its lane then are skipped at once ({@code skipped_dead}), and while it
 * is dead each new delivery is a <b>probe</b>, sent once without retries; the ones that queue
 * behind a probe wait for its answer. A probe that is delivered makes the webhook live again, and
 * what waited behind it is sent with retries; a probe that fails is given up and skips what waited
 * behind it. So a dead receiver holds its lane (and the notifier's commit of the partition) for one
 * delivery's retries, then for one attempt at a time, not for its whole queue.
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
  private final AtomicLong skippedDead = new AtomicLong();

  /**
   * Counts since start: deliveries made, given up (after their attempts, or at once when their lane
   * was full), attempts, and deliveries skipped without an attempt because their webhook was dead.
   */
  public record Stats(long delivered, long givenUp, long attempts, long skippedDead) {}

  public Deliveries(
      WebhookTransport transport, Scheduler scheduler, RetryPolicy policy, int capacity) {
    this.transport = transport;
    this.scheduler = scheduler;
    this.policy = policy;
    this.capacity = capacity;
  }

  public Stats stats() {
    return new Stats(delivered.get(), givenUp.get(), attempts.get(), skippedDead.get());
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
    boolean probe;
    synchronized (lane) {
      probe = d.webhook().url().equals(lane.dead);
    }
    attempts.incrementAndGet();
    try {
      transport
          .post(d.webhook().url(), d.headers(), d.body())
          .whenComplete((status, error) -> answered(lane, d, made, probe, status, error));
    } catch (RuntimeException e) {
      answered(lane, d, made, probe, null, e);
    }
  }

  private void answered(
      Lane lane, Delivery d, int made, boolean probe, Integer status, Throwable error) {
    if (error == null && RetryPolicy.delivered(status)) {
      LOG.info(
          "{}: delivered on attempt {}/{} ({})", d.describe(), made, policy.attempts(), status);
      if (probe) {
        LOG.info("{}: the webhook answers again, it is live", d.describe());
        synchronized (lane) {
          lane.dead = null;
        }
      }
      delivered.incrementAndGet();
      finish(lane, d, false);
      return;
    }
    String what = error == null ? "answered " + status : "failed: " + cause(error);
    if (probe) {
      LOG.warn("{}: probe of a dead webhook {}; given up", d.describe(), what);
      givenUp.incrementAndGet();
      finish(lane, d, true);
      return;
    }
    if (error == null && !RetryPolicy.retryable(status)
        || error != null && unwrap(error) instanceof WebhookTargets.RefusedTarget) {
      LOG.warn("{}: attempt {} {}; not retried, given up", d.describe(), made, what);
      givenUp.incrementAndGet();
      finish(lane, d, false);
      return;
    }
    Duration wait = policy.delayAfter(made);
    if (wait == null) {
      LOG.warn(
          "{}: attempt {}/{} {}; given up, the webhook is dead until a delivery gets through",
          d.describe(),
          made,
          policy.attempts(),
          what);
      givenUp.incrementAndGet();
      finish(lane, d, true);
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

  /**
   * {@code d} ended; when its webhook is {@code dead}, so do the deliveries waiting for the same
   * URL, skipped without an attempt. Then the lane's next one starts.
   */
  private void finish(Lane lane, Delivery d, boolean dead) {
    List<Delivery> skipped = new ArrayList<>();
    if (dead) {
      synchronized (lane) {
        lane.dead = d.webhook().url();
        for (Iterator<Delivery> it = lane.queue.iterator(); it.hasNext(); ) {
          Delivery w = it.next();
          if (w.webhook().url().equals(lane.dead)) {
            it.remove();
            skipped.add(w);
          }
        }
      }
    }
    try {
      d.done().run();
      skip(skipped);
    } finally {
      next(lane);
    }
  }

  private void skip(List<Delivery> skipped) {
    List<Delivery> live = skipped.stream().filter(w -> !w.cancelled().getAsBoolean()).toList();
    if (live.isEmpty()) {
      return;
    }
    LOG.warn(
        "{}: the webhook is dead; {} waiting deliveries skipped without an attempt, {} to {}",
        live.get(0).describe(),
        live.size(),
        live.get(0).id(),
        live.get(live.size() - 1).id());
    for (Delivery w : live) {
      skippedDead.incrementAndGet();
      w.done().run();
    }
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The exception's class (and a refusal's reason), without the URL a JDK message may quote. */
  private static String cause(Throwable error) {
    Throwable t = unwrap(error);
    return t instanceof WebhookTargets.RefusedTarget
        ? "refused: " + t.getMessage()
        : t.getClass().getSimpleName();
  }

  private static final class Lane {
    final Deque<Delivery> queue = new ArrayDeque<>();
    boolean busy;
    int made;

    /** The URL this webhook was found dead at; null while it is live. */
    URI dead;
  }
}
