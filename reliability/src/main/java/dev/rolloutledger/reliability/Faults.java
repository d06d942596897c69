package dev.rolloutledger.reliability;

import dev.rolloutledger.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The faults, in a seeded order at seeded moments: SIGKILL of a server instance (restarted after a
 * few seconds on its state dir) and SIGKILL of the broker leading a partition of {@code
 * ledger.inputs} or {@code ledger.decisions} (restarted on its data dir). One fault at a time: the
 * next waits until the last one's victim is back (a server UP, every partition fully in sync), so
 * at most one broker is ever down and {@code min.insync.replicas} 2 always holds.
 */
public final class Faults {
  private final Settings settings;
  private final BrokerCluster cluster;
  private final ServerFleet servers;
  private final Report report;
  private final SplittableRandom random;
  private final Thread thread;
  private volatile int serverKills;
  private volatile int leaderRestarts;
  private volatile int fullOutages;

  private enum Kind {
    SERVER_KILL,
    LEADER_RESTART,
    FULL_OUTAGE
  }

  private volatile boolean done;
  private volatile Throwable failure;
  private volatile boolean stop;

  public Faults(Settings settings, BrokerCluster cluster, ServerFleet servers, Report report) {
    this.settings = settings;
    this.cluster = cluster;
    this.servers = servers;
    this.report = report;
    this.random = new SplittableRandom(settings.seed() * 31 + 7);
    this.thread = new Thread(this::run, "reliability-faults");
    thread.setDaemon(true);
  }

  /** Starts injecting: the next fault comes 0.5 to 1.5 {@code faultGap} after the last is over. */
  public void start() {
    thread.start();
  }

  private void run() {
    try {
      List<Kind> plan = new ArrayList<>();
      for (int i = 0; i < settings.serverKills(); i++) {
        plan.add(Kind.SERVER_KILL);
      }
      for (int i = 0; i < settings.leaderRestarts(); i++) {
        plan.add(Kind.LEADER_RESTART);
      }
      for (int i = 0; i < settings.fullOutages(); i++) {
        plan.add(Kind.FULL_OUTAGE);
      }
      Collections.shuffle(plan, new Random(random.nextLong()));
      long gap = settings.faultGap().toMillis() / 1000;
      for (Kind kind : plan) {
        long wait = 1000 * gap / 2 + random.nextLong(1000 * gap);
        for (long t = 0; t < wait && !stop; t += 200) {
          Deadline.pause(Duration.ofMillis(200));
        }
        if (stop) {
          return;
        }
        switch (kind) {
          case SERVER_KILL -> killServer();
          case LEADER_RESTART -> restartLeader();
          case FULL_OUTAGE -> fullOutage();
        }
      }
    } catch (RuntimeException | Error e) {
      failure = e;
    } finally {
      done = true;
    }
  }

  private void killServer() {
    int i = random.nextInt(ServerFleet.INSTANCES);
    long down = 1000 + random.nextLong(7000);
    long t0 = System.nanoTime();
    long pid = servers.instances().get(i).pid();
    servers.kill(i);
    serverKills++;
    report.line(
        "fault %d: SIGKILL server-%d (pid %d), down %.1f s",
        serverKills + leaderRestarts + fullOutages, i + 1, pid, down / 1e3);
    Deadline.pause(Duration.ofMillis(down));
    servers.restart(i);
    servers.awaitUp(i);
    report.line("  server-%d UP again after %.1f s", i + 1, (System.nanoTime() - t0) / 1e9);
  }

  /**
   * Every server instance SIGKILLed at once and kept down longer than the plans' heartbeat timeout:
   * the system's own outage, which must not become a verdict (issue 15, item 3).
   */
  private void fullOutage() {
    long t0 = System.nanoTime();
    Duration down = settings.heartbeatTimeout().plusSeconds(15);
    fullOutages++;
    report.line(
        "fault %d: SIGKILL of every server instance, down %s (heartbeatTimeout %s)",
        serverKills + leaderRestarts + fullOutages, down, settings.heartbeatTimeout());
    for (int i = 0; i < ServerFleet.INSTANCES; i++) {
      servers.kill(i);
    }
    Deadline.pause(down);
    for (int i = 0; i < ServerFleet.INSTANCES; i++) {
      servers.restart(i);
    }
    for (int i = 0; i < ServerFleet.INSTANCES; i++) {
      servers.awaitUp(i);
    }
    report.line("  every server UP again after %.1f s", (System.nanoTime() - t0) / 1e9);
  }

  private void restartLeader() {
    String topic = random.nextBoolean() ? Topics.INPUTS.name() : Topics.LEDGER.name();
    int partition = random.nextInt(Topics.PARTITIONS);
    int leader = cluster.leaderOf(topic, partition);
    long down = 1000 + random.nextLong(5000);
    long pid = cluster.nodes().get(leader - 1).pid();
    leaderRestarts++;
    report.line(
        "fault %d: SIGKILL broker %d (pid %d), leader of %s-%d, down %.1f s",
        serverKills + leaderRestarts + fullOutages, leader, pid, topic, partition, down / 1e3);
    cluster.restart(leader, Duration.ofMillis(down));
  }

  public boolean done() {
    if (failure != null) {
      throw new IllegalStateException("fault injection failed: " + failure, failure);
    }
    return done;
  }

  public int serverKills() {
    return serverKills;
  }

  public int leaderRestarts() {
    return leaderRestarts;
  }

  public int fullOutages() {
    return fullOutages;
  }

  /** No fault after the one in progress, which is waited for (its victim back). */
  public void stopAndWait(Duration limit) {
    stop = true;
    try {
      thread.join(limit.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      throw new Deadline.TimeBoundExceeded("the fault in progress did not end within " + limit);
    }
  }
}
