package dev.rolloutledger.replay;

import dev.rolloutledger.domain.Apply;
import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Decision;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostCommand;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InMemoryLedgerStore;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PolicySet;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RolloutEngine;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.hoststage.HostStage;
import dev.rolloutledger.domain.hoststage.HostWatch;
import dev.rolloutledger.domain.sim.SimulationReport;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * {@code ledger replay --plan PLAN.json LOG.jsonl}: what a recorded rollout would have done under
 * another plan or policy. Each host's recorded {@link Outcome} after applying moves to when it
 * applies under the new plan, decided by the same engine; until then, and for hosts the new plan
 * never reaches, the host does what it did in the recording (its silences and crash reports), and
 * after its recorded apply it stays healthy. A host the recording never saw apply is assumed
 * healthy when the new plan applies it; the result counts them.
 *
 * <p>It runs what the server runs, as the simulator does (ADR 0007): the hosts' telemetry goes to a
 * {@link HostStage}, its news to the engine on the current journal ({@link
 * EngineConfig#journalV6()}), each second's clock tick to the engine and then the stage's silence
 * reports of that tick. Hosts beat every {@code min(10 s, timeout / 3)}, thinned to the heartbeats
 * the host stage needs (as in the simulator). Time advances by whole seconds from the rollout's
 * planning.
 */
public final class WhatIf {
  private WhatIf() {}

  /** What the new plan would have done, what happened, and how many outcomes were assumed. */
  public record Result(SimulationReport whatIf, SimulationReport actual, int assumedHealthy) {
    public String toJson() {
      return "{\n\"whatIf\": "
          + whatIf.toJson()
          + ",\n\"actual\": "
          + actual.toJson()
          + ",\n\"assumedHealthy\": "
          + assumedHealthy
          + "\n}";
    }
  }

  /** Told the virtual time reached, now and then. */
  public interface Progress {
    void update(Duration elapsed, Duration horizon);
  }

  /**
   * Replays the log under {@code plan} (null: the recorded plan) and {@code policy} (null: the
   * recorded policy), for at most {@code horizon} after the rollout was planned.
   */
  public static Result run(
      InputStream log, Plan plan, OwnerPolicy policy, Duration horizon, Progress progress) {
    return run(log, plan, policy, horizon, progress, false);
  }

  /** {@link #run}, handing the host stage every heartbeat if {@code everyHeartbeat} (tests). */
  static Result run(
      InputStream log,
      Plan plan,
      OwnerPolicy policy,
      Duration horizon,
      Progress progress,
      boolean everyHeartbeat) {
    Recording rec = Recording.read(log);
    Plan recorded = rec.recordedPlan();
    String release = rec.planned.release();
    Map<String, Outcome> outcomes = new HashMap<>();
    for (String host : rec.hosts.keySet()) {
      outcomes.put(
          host,
          Outcome.of(
              rec.telemetry.getOrDefault(host, List.of()),
              release,
              recorded.heartbeatTimeout(),
              recorded.limits(),
              rec.end,
              rec.silencesReported()));
    }
    SimulationReport actual = actual(rec, outcomes);
    Driver driver =
        new Driver(
            rec,
            outcomes,
            plan == null ? recorded : plan,
            policy,
            horizon,
            progress,
            everyHeartbeat);
    SimulationReport whatIf = driver.run();
    return new Result(whatIf, actual, driver.assumedHealthy);
  }

  /**
   * The recorded rollout, replayed by the same engine, configured as the log's version says, and
   * reported the same way (a version 2 log holds the engine's continuations among its inputs).
   */
  private static SimulationReport actual(Recording rec, Map<String, Outcome> outcomes) {
    RolloutEngine engine = new RolloutEngine(new InMemoryLedgerStore(), rec.header.engineConfig());
    ReportBuilder report =
        new ReportBuilder(rec.rollout(), rec.planned.release(), rec.release().at(), outcomes);
    for (LedgerInput input : rec.inputs) {
      report.input(input);
      report.decision(engine.apply(input));
    }
    return report.build("actual " + rec.rollout(), rec.hosts.size(), rec.end);
  }

  /** Drives a fresh engine through virtual time under the new plan. */
  private static final class Driver {
    private enum Kind {
      APPLY,
      DOWN,
      UP,
      BACKGROUND_CRASH,
      FAIL,
      RECOVER,
      LATE_INPUT
    }

    private record Event(long at, long order, Kind kind, int host, LedgerInput input)
        implements Comparable<Event> {
      @Override
      public int compareTo(Event o) {
        return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
      }
    }

    private final Recording rec;
    private final Map<String, Outcome> outcomes;
    private final Plan plan;
    private final OwnerPolicy policy;
    private final long horizon;
    private final Progress progress;
    private final InMemoryLedgerStore store = new InMemoryLedgerStore();
    private final RolloutEngine engine =
        new RolloutEngine(store, EngineConfig.defaults().journalV6());
    private final HostStage stage = new HostStage().withFirstSightNews();
    private final boolean everyHeartbeat;

    /** The second of a beat never delivered: far enough back, and no overflow in millis. */
    private static final long NEVER = -1_000_000_000L;

    private final long silenceAfterMillis;
    private final ReportBuilder report;
    private final String tenant;
    private final String release;
    private final long start;
    private final long timeout;
    private final int interval;
    private final String[] ids;
    private final Map<String, Integer> index = new HashMap<>();
    private final String[] oldRelease;
    private final int[] down;
    private final boolean[] hot;
    private final boolean[] updated;
    private final boolean[] dispatched;
    private final boolean[] waiting;
    private final long[] lastDelivered;
    private final boolean[] overDelivered;
    private final long[] nextDown;
    private final List<ArrayDeque<Long>> recordedDowns = new ArrayList<>(); // DOWN events to come
    private final List<List<Integer>> bySlot = new ArrayList<>();
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long order;
    int assumedHealthy;

    Driver(
        Recording rec,
        Map<String, Outcome> outcomes,
        Plan plan,
        OwnerPolicy policy,
        Duration horizon,
        Progress progress,
        boolean everyHeartbeat) {
      this.rec = rec;
      this.everyHeartbeat = everyHeartbeat;
      this.outcomes = outcomes;
      this.plan = plan;
      this.policy = policy;
      this.horizon = horizon.toSeconds();
      this.progress = progress;
      this.tenant = rec.header.tenant();
      this.release = rec.planned.release();
      this.start = rec.planned.at().getEpochSecond();
      this.timeout = plan.heartbeatTimeout().toSeconds();
      this.interval = (int) Math.max(1, Math.min(10, timeout / 3));
      Duration silenceAfter =
          HostWatch.of(tenant, List.of(plan.withLiveness(Liveness.HEARTBEATS))).silenceAfter();
      this.silenceAfterMillis = silenceAfter.toMillis();
      int n = rec.hosts.size();
      this.ids = rec.hosts.keySet().toArray(new String[0]);
      this.oldRelease = new String[n];
      this.down = new int[n];
      this.hot = new boolean[n];
      this.updated = new boolean[n];
      this.dispatched = new boolean[n];
      this.waiting = new boolean[n];
      this.lastDelivered = new long[n];
      this.overDelivered = new boolean[n];
      this.nextDown = new long[n];
      this.report = new ReportBuilder(rec.rollout(), release, rec.release().at(), outcomes);
      for (int s = 0; s < interval; s++) {
        bySlot.add(new ArrayList<>());
      }
      for (int i = 0; i < n; i++) {
        index.put(ids[i], i);
        bySlot.get(Math.floorMod(ids[i].hashCode(), interval)).add(i);
        lastDelivered[i] = NEVER;
        nextDown[i] = Long.MAX_VALUE;
        recordedDowns.add(new ArrayDeque<>());
      }
    }

    SimulationReport run() {
      setUp();
      for (int i = 0; i < ids.length; i++) {
        recordedBackground(i);
      }
      while (!queue.isEmpty() && queue.peek().at() <= 0) {
        handle(queue.poll(), 0); // down when the rollout starts: crashed, or not heard yet
      }
      // every host up at the start beats once before the plan: the engine follows reachability
      // (journals of version 5), and a host it never heard from is sent no Apply
      for (int i = 0; i < ids.length; i++) {
        if (down[i] == 0) {
          lastDelivered[i] = 0;
          telemetry(new Heartbeat(tenant, at(0), ids[i], oldRelease[i], Map.of()), 0);
        }
      }
      // the what-if's fleet heartbeats, so the engine judges liveness from them whatever the plan
      // names; reported liveness reaches the same verdicts at the same seconds (ADR 0006)
      feed(
          new RolloutPlanned(
              tenant, at(0), rec.rollout(), release, plan.withLiveness(Liveness.HEARTBEATS)),
          0);
      long lastProgress = 0;
      for (long s = 1; s <= horizon && !report.finished(); s++) {
        while (!queue.isEmpty() && queue.peek().at() <= s && !report.finished()) {
          handle(queue.poll(), s);
        }
        beats(s);
        feed(new ClockTick(tenant, at(s)), s); // then the host stage's reports of that tick
        for (HostSilent report : stage.tick(at(s))) {
          feed(report, s);
        }
        if (s - lastProgress >= 600) {
          lastProgress = s;
          progress.update(Duration.ofSeconds(s), Duration.ofSeconds(horizon));
        }
      }
      Instant end = at(Math.min(horizon, Math.max(0, rec.end.getEpochSecond() - start)));
      return report.build("what-if " + rec.rollout(), ids.length, end);
    }

    /**
     * The fleet, the release and the policy as recorded before the rollout, and the hosts that join
     * later; {@link #run} then plans the rollout.
     */
    private void setUp() {
      for (LedgerInput in : rec.inputs) {
        if (in == rec.planned) {
          break;
        }
        // a host cordoned or retired before the rollout is left out of the what-if's waves too
        boolean keep =
            in instanceof HostRegistered
                || in instanceof dev.rolloutledger.domain.HostLifecycleChanged
                || in instanceof ReleasePublished
                || (in instanceof PolicySet && policy == null);
        if (keep) {
          feed(in, 0);
        }
      }
      if (policy != null) {
        feed(new PolicySet(tenant, at(0), policy), 0);
      }
      boolean after = false;
      for (LedgerInput in : rec.inputs) {
        after |= in == rec.planned;
        if (after && in instanceof HostRegistered h) { // joins later, as recorded
          push(h.at().getEpochSecond() - start, Kind.LATE_INPUT, -1, h);
        }
      }
    }

    /**
     * What the host did in the recording before it applied (or throughout, if it never did): its
     * silences and crash reports, at their recorded times. Before its first telemetry it is silent.
     */
    private void recordedBackground(int i) {
      List<LedgerInput> telemetry = rec.telemetry.getOrDefault(ids[i], List.of());
      int applied = Outcome.applyIndex(telemetry, release);
      int until = applied < 0 ? telemetry.size() : applied;
      long t = rec.recordedPlan().heartbeatTimeout().toSeconds();
      if (rec.silencesReported()) {
        reportedBackground(i, telemetry, until);
        return;
      }
      if (until == 0) {
        if (applied < 0) {
          down[i]++; // never heard from: it stays silent
        }
        return;
      }
      long first = rel(telemetry.get(0));
      if (first > 0) {
        down[i]++;
        push(first, Kind.UP, i, null);
      }
      long previous = first;
      for (int j = 0; j < until; j++) {
        LedgerInput in = telemetry.get(j);
        long at = rel(in);
        if (in instanceof Heartbeat b && oldRelease[i] == null) {
          oldRelease[i] = b.release();
        }
        if (at - previous > t) {
          pushDown(previous + 1, i);
          push(at, Kind.UP, i, null);
        }
        if (in instanceof CrashReport c) {
          push(at, Kind.BACKGROUND_CRASH, i, c);
          if (j + 1 < until) {
            push(rel(telemetry.get(j + 1)), Kind.UP, i, null);
          }
        }
        previous = at;
      }
      if (applied < 0 && rec.end.getEpochSecond() - start - previous > t) {
        pushDown(previous + 1, i); // silent at the end of the recording
      }
    }

    /**
     * {@link #recordedBackground} of a recording whose liveness a failure detector reported: the
     * host is up from the start, down from the last sight a HostSilent names until the next sign of
     * life, and its crash reports are replayed at their times.
     */
    private void reportedBackground(int i, List<LedgerInput> telemetry, int until) {
      boolean isDown = false;
      for (int j = 0; j < until; j++) {
        LedgerInput in = telemetry.get(j);
        long at = rel(in);
        if (in instanceof Heartbeat b && oldRelease[i] == null) {
          oldRelease[i] = b.release();
        }
        if (in instanceof HostSilent h && !isDown) {
          pushDown(Math.max(0, h.lastSeenAt().getEpochSecond() - start) + 1, i);
          isDown = true;
        } else if (in instanceof CrashReport c && !isDown) {
          push(at, Kind.BACKGROUND_CRASH, i, c);
          isDown = true;
        } else if (isDown && !(in instanceof HostSilent) && !(in instanceof CrashReport)) {
          push(at, Kind.UP, i, null);
          isDown = false;
        }
      }
    }

    private void handle(Event e, long s) {
      int i = e.host();
      switch (e.kind()) {
        case APPLY -> apply(i, s);
        case DOWN -> {
          recordedDowns.get(i).poll();
          if (!updated[i]) {
            down[i]++;
          }
        }
        case UP -> {
          if (!updated[i] && down[i] > 0) {
            down[i]--;
            lastDelivered[i] = NEVER;
            if (down[i] == 0 && waiting[i]) {
              waiting[i] = false;
              apply(i, s);
            }
          }
        }
        case BACKGROUND_CRASH -> {
          if (!updated[i] && down[i] == 0 && e.at() < 1) {
            down[i]++; // crashed before the rollout: it is down when the rollout starts
          } else if (!updated[i] && down[i] == 0) {
            CrashReport c = (CrashReport) e.input();
            telemetry(
                new CrashReport(tenant, at(s), ids[i], c.release(), c.signature(), c.kind()), s);
            down[i]++;
          }
        }
        case FAIL -> fail(i, s);
        case RECOVER -> {
          hot[i] = false;
          if (down[i] > 0) {
            down[i]--;
          }
          lastDelivered[i] = NEVER;
        }
        case LATE_INPUT -> feed(e.input(), s);
      }
    }

    private void apply(int i, long s) {
      if (down[i] > 0) {
        waiting[i] = true; // the agent applies when the host is back
        return;
      }
      Outcome o = outcomes.getOrDefault(ids[i], Outcome.UNKNOWN);
      if (o.kind() == Outcome.Kind.UNKNOWN) {
        assumedHealthy++;
      }
      updated[i] = true;
      lastDelivered[i] = s;
      boolean ok = o.kind() != Outcome.Kind.APPLY_FAILED;
      telemetry(
          new UpdateApplied(tenant, at(s), ids[i], release, ok, ok ? null : "as recorded"), s);
      if (o.failed() && ok) {
        long when = s + Math.max(1, o.delay());
        push(when, Kind.FAIL, i, null);
        if (o.silences()) {
          nextDown[i] = when;
        }
        if (o.recoverAfter() != null) {
          push(when + o.recoverAfter(), Kind.RECOVER, i, null);
        }
      }
    }

    private void fail(int i, long s) {
      Outcome o = outcomes.get(ids[i]);
      switch (o.kind()) {
        case CRASH -> {
          telemetry(new CrashReport(tenant, at(s), ids[i], release, "as recorded", "crash"), s);
          down[i]++;
        }
        case SILENT -> down[i]++;
        case HOT -> hot[i] = true;
        default -> throw new IllegalStateException("not a failure: " + o);
      }
      nextDown[i] = Long.MAX_VALUE;
    }

    private void beats(long s) {
      for (int i : bySlot.get((int) (s % interval))) {
        if (down[i] > 0) {
          continue;
        }
        Long recordedDown = recordedDowns.get(i).peek();
        boolean deliver =
            everyHeartbeat
                || hot[i]
                || overDelivered[i] // back under the limits: news
                || (s + interval - lastDelivered[i]) * 1000 > silenceAfterMillis
                || nextDown[i] <= s + interval // its last beat before going silent
                || (recordedDown != null && recordedDown <= s + interval);
        if (deliver) {
          lastDelivered[i] = s;
          overDelivered[i] = hot[i];
          telemetry(
              new Heartbeat(
                  tenant,
                  at(s),
                  ids[i],
                  updated[i] ? release : oldRelease[i],
                  hot[i] ? Map.of("cpu", 1.0, "errorRate", 1.0) : Map.of()),
              s);
        }
      }
    }

    /** Telemetry to the host stage; what it forwards to the engine. */
    private void telemetry(LedgerInput input, long s) {
      for (LedgerInput news : stage.absorb(input).news()) {
        feed(news, s);
      }
    }

    /** A journal input to the engine; its continuations at once, the watch after entries. */
    private void feed(LedgerInput input, long s) {
      report.input(input);
      Decision d = engine.apply(input);
      report.decision(d);
      if (!d.entries().isEmpty()) { // the gated rollouts may have changed
        stage.watch(HostWatch.ofGated(tenant, store.rollouts(tenant)));
      }
      for (HostCommand c : d.commands()) {
        Integer i = index.get(c.host());
        if (c instanceof Apply && i != null && !dispatched[i]) {
          dispatched[i] = true;
          push(Math.max(s, 0) + 1, Kind.APPLY, i, null); // the agent applies a second later
        }
      }
      for (LedgerInput next : d.continuations()) {
        feed(next, s);
      }
    }

    /** A recorded silence from {@code at}: the host's last beat before it reaches the stage. */
    private void pushDown(long at, int host) {
      recordedDowns.get(host).add(at);
      push(at, Kind.DOWN, host, null);
    }

    private void push(long at, Kind kind, int host, LedgerInput input) {
      queue.add(new Event(at, order++, kind, host, input));
    }

    private long rel(LedgerInput in) {
      return in.at().getEpochSecond() - start;
    }

    private Instant at(long s) {
      return Instant.ofEpochSecond(start + s);
    }
  }
}
