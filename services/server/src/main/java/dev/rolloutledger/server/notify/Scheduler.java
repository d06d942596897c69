package dev.rolloutledger.server.notify;

import java.time.Duration;

/** Runs a task later: a retry after its backoff. Tests drive time themselves. */
public interface Scheduler {
  void schedule(Runnable task, Duration delay);
}
