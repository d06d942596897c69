package dev.rolloutledger.domain.sim;

import dev.rolloutledger.domain.Apply;
import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Decision;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostCommand;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.InMemoryLedgerStore;
import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RolloutCompleted;
import dev.rolloutledger.domain.RolloutEngine;
import dev.rolloutledger.domain.RolloutHalted;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.UpdateApplied;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * A small discrete-event simulation of a fleet driving the real {@link RolloutEngine} in virtual
 * time: hosts heartbeat, apply the release a second after an Apply reaches them, and, for a bad
 * release, fail after a delay (silent, or with a crash report). The clock ticks every second, as
 * the server's ticker does. Seeded: the same arguments give the same run.
 */
final class FleetSimulation {
  static final String T = "sim";
  static final String SHA = "e".repeat(64);
  static final Instant T0 = Instant.parse("2024-07-19T04:00:00Z");

  /** How hosts behave after applying. */
  record Behaviour(double failProbability, Duration failDelay, boolean silent) {
    static Behaviour good() {
      return new Behaviour(0, Duration.ZERO, false);
    }
  }

  /** What happened. */
  record Result(
      Instant firstFailure,
      Instant halted,
      Instant completed,
      int exposedHosts,
      int failedHosts,
      String haltReason,
      List<LedgerEntry> ledger) {}

  private sealed interface Event permits Beat, Applied, Fail {}

  private record Beat(String host) implements Event {}

  private record Applied(String host) implements Event {}

  private record Fail(String host, boolean silent) implements Event {}

  private record Scheduled(Instant at, long order, Event event) {}

  private final RolloutEngine engine =
      new RolloutEngine(new InMemoryLedgerStore(), new EngineConfig(Duration.ofHours(1)));
  private final PriorityQueue<Scheduled> queue =
      new PriorityQueue<>(
          (a, b) -> a.at.equals(b.at) ? Long.compare(a.order, b.order) : a.at.compareTo(b.at));
  private final Map<String, String> running = new HashMap<>();
  private final Set<String> dead = new HashSet<>();
  private final Set<String> exposed = new HashSet<>();
  private final List<LedgerEntry> ledger = new ArrayList<>();
  private final Random random;
  private final Behaviour behaviour;
  private long order;
  private int failed;
  private Instant firstFailure;

  FleetSimulation(long seed, Behaviour behaviour) {
    this.random = new Random(seed);
    this.behaviour = behaviour;
  }

  /**
   * A rollout over {@code hosts} hosts (label env=prod, ids h0000..) under {@code plan}, until it
   * halts, completes, or {@code horizon} passes.
   */
  Result run(int hosts, Plan plan, Duration heartbeatEvery, Duration horizon) {
    for (int i = 0; i < hosts; i++) {
      String h = String.format("h%04d", i);
      running.put(h, "old");
      engine.apply(new HostRegistered(T, T0, h, Map.of("env", "prod")));
      push(T0.plusMillis(random.nextInt((int) heartbeatEvery.toMillis())), new Beat(h));
    }
    engine.apply(new ReleasePublished(T, T0, "rel", "agent", "2", SHA, "vendor", Severity.NORMAL));
    handle(
        engine.apply(new RolloutPlanned(T, T0.plusSeconds(1), "r1", "rel", plan)),
        T0.plusSeconds(1));
    Instant end = T0.plus(horizon);
    Instant halted = null;
    Instant completed = null;
    String reason = null;
    for (Instant tick = T0.plusSeconds(2);
        !tick.isAfter(end) && halted == null && completed == null;
        tick = tick.plusSeconds(1)) {
      while (!queue.isEmpty() && !queue.peek().at.isAfter(tick)) {
        Scheduled s = queue.poll();
        deliver(s.at, s.event, heartbeatEvery);
      }
      handle(engine.apply(new ClockTick(T, tick)), tick);
      for (LedgerEntry entry : ledger) {
        if (entry instanceof RolloutHalted h && halted == null) {
          halted = h.at();
          reason = h.reason();
        } else if (entry instanceof RolloutCompleted c) {
          completed = c.at();
        }
      }
    }
    return new Result(
        firstFailure, halted, completed, exposed.size(), failed, reason, List.copyOf(ledger));
  }

  private void deliver(Instant at, Event event, Duration heartbeatEvery) {
    if (event instanceof Beat b) {
      if (!dead.contains(b.host())) {
        handle(engine.apply(new Heartbeat(T, at, b.host(), running.get(b.host()), Map.of())), at);
        push(at.plus(heartbeatEvery), b);
      }
    } else if (event instanceof Applied a) {
      if (!dead.contains(a.host())) {
        running.put(a.host(), "rel");
        handle(engine.apply(new UpdateApplied(T, at, a.host(), "rel", true, null)), at);
        if (random.nextDouble() < behaviour.failProbability()) {
          push(at.plus(behaviour.failDelay()), new Fail(a.host(), behaviour.silent()));
        }
      }
    } else if (event instanceof Fail f && dead.add(f.host())) {
      // a dead host sends nothing more; a reporting one sends its crash first
      failed++;
      firstFailure = firstFailure == null ? at : firstFailure;
      if (!f.silent()) {
        handle(engine.apply(new CrashReport(T, at, f.host(), "rel", "SIG", "crash")), at);
      }
    }
  }

  private void handle(Decision d, Instant at) {
    ledger.addAll(d.entries());
    for (HostCommand c : d.commands()) {
      if (c instanceof Apply a && exposed.add(a.host())) {
        push(at.plusSeconds(1), new Applied(a.host())); // the agent applies a second later
      }
    }
  }

  private void push(Instant at, Event event) {
    queue.add(new Scheduled(at, order++, event));
  }
}
