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
 * Avro): registering N hosts, planning one rollout of one wave over all of them (FleetLoad's plan),
 * rebuilding the engine's fleet index from the store (a restart: the first input of the tenant to a
 * new engine), and halting the rollout (a Hold per host). One line per phase, wall and thread CPU
 * time.
 *
 * <pre>
 * java -Xmx8g -cp "load-tests/target/ledger-load-tests-0.1.0-SNAPSHOT.jar:load-tests/target/lib/*" \
 *   dev.rolloutledger.loadtests.PlanningSpeed [HOSTS]
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
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    RolloutEngine engine = new RolloutEngine(store, EngineConfig.defaults());
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
    time("plan", () -> summary(engine.apply(new RolloutPlanned(T, T0, "r-1", "rel-1", plan))));
    RolloutEngine restarted = new RolloutEngine(store, EngineConfig.defaults());
    time(
        "index rebuilt (first heartbeat to a new engine)",
        () ->
            summary(
                restarted.apply(
                    new Heartbeat(T, T0.plusSeconds(1), "h0000001", "rel-1", Map.of()))));
    time(
        "halt",
        () -> summary(restarted.apply(new ManualHalt(T, T0.plusSeconds(2), "r-1", "bench", "x"))));
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
