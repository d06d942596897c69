package dev.rolloutledger.loadtests;

import dev.rolloutledger.domain.Decision;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.InMemoryLedgerStore;
import dev.rolloutledger.domain.ManualHalt;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RolloutEngine;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.WavePlan;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The inputs that touch a whole fleet, in the decision core alone (in-memory store, no Kafka, no
 * Avro), with the server's engine configuration (a version 3 journal: a plan's hosts and a halt's
 * commands in chunks of 5,000, each chunk its own decision after a continuation input): registering
 * N hosts, planning one rollout of one wave over all of them (FleetLoad's plan), rebuilding the
 * engine's fleet index from the store (a restart: the first input of the tenant to a new engine),
 * and halting the rollout (a Hold per host). One line per phase, wall and thread CPU time; for a
 * phase of many decisions also the slowest single decision, the bound on one transaction's decision
 * work. {@code v2} as the second argument plans in one decision, as before version 3.
 *
 * <pre>
 * java -Xmx8g -cp "load-tests/target/ledger-load-tests-0.1.0-SNAPSHOT.jar:load-tests/target/lib/*" \
 *   dev.rolloutledger.loadtests.PlanningSpeed [HOSTS] [v2]
 * </pre>
 *
 * A measurement, not a test: nothing here asserts a time.
 */
public final class PlanningSpeed {
  private static final String T = "fleet";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private PlanningSpeed() {}

  public static void main(String[] args) {
    int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    EngineConfig config =
        args.length > 1 && args[1].equals("v2")
            ? EngineConfig.defaults().journalV2()
            : EngineConfig.defaults().journalV3();
    System.out.printf(
        Locale.ROOT,
        "engine: assign chunk %,d, fan-out chunk %,d%n",
        config.assignChunk(),
        config.fanOutChunk());
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    RolloutEngine engine = new RolloutEngine(store, config);
    Map<String, String> labels = Map.of("env", "prod", "fleet", "load");
    time(
        "register " + hosts + " hosts",
        () -> {
          for (int i = 0; i < hosts; i++) {
            engine.apply(new HostRegistered(T, T0, String.format(Locale.ROOT, "h%07d", i), labels));
          }
          return "";
        });
    engine.apply(
        new ReleasePublished(
            T, T0, "rel-1", "agent", "1", "ab".repeat(32), "bench", Severity.NORMAL));
    Plan plan =
        new Plan(
            List.of(
                new WavePlan(
                    "fleet", Map.of("fleet", "load"), null, null, 0.25, 1, Duration.ofDays(30))));
    Decision[] planned = new Decision[1];
    time(
        "plan: its own decision",
        () -> {
          planned[0] = engine.apply(new RolloutPlanned(T, T0, "r-1", "rel-1", plan));
          return summary(planned[0]);
        });
    time("plan: the continuations", () -> drain(engine, planned[0]));
    RolloutEngine restarted = new RolloutEngine(store, config);
    time(
        "index rebuilt (first heartbeat to a new engine)",
        () ->
            summary(
                restarted.apply(
                    new Heartbeat(T, T0.plusSeconds(1), "h0000001", "rel-1", Map.of()))));
    Decision[] halted = new Decision[1];
    time(
        "halt: its own decision",
        () -> {
          halted[0] = restarted.apply(new ManualHalt(T, T0.plusSeconds(2), "r-1", "bench", "x"));
          return summary(halted[0]);
        });
    time("halt: the continuations", () -> drain(restarted, halted[0]));
  }

  /** Feeds back every continuation, as the journal does; the slowest one and the totals. */
  private static String drain(RolloutEngine engine, Decision first) {
    java.util.ArrayDeque<dev.rolloutledger.domain.LedgerInput> pending =
        new java.util.ArrayDeque<>(first.continuations());
    int decisions = 0;
    int entries = 0;
    int commands = 0;
    long slowest = 0;
    while (!pending.isEmpty()) {
      long t0 = System.nanoTime();
      Decision d = engine.apply(pending.poll());
      slowest = Math.max(slowest, System.nanoTime() - t0);
      decisions++;
      entries += d.entries().size();
      commands += d.commands().size();
      pending.addAll(d.continuations());
    }
    return String.format(
        Locale.ROOT,
        "%,d decisions, slowest %.0f ms; %d entries, %,d commands",
        decisions,
        slowest / 1e6,
        entries,
        commands);
  }

  private static String summary(Decision d) {
    return d.entries().size() + " entries, " + d.commands().size() + " commands";
  }

  private static void time(String what, Supplier<String> phase) {
    long cpu = THREADS.getCurrentThreadCpuTime();
    long wall = System.nanoTime();
    String result = phase.get();
    System.out.printf(
        Locale.ROOT,
        "%-50s %6.1f s wall, %6.1f s thread CPU  %s%n",
        what,
        (System.nanoTime() - wall) / 1e9,
        (THREADS.getCurrentThreadCpuTime() - cpu) / 1e9,
        result);
  }
}
