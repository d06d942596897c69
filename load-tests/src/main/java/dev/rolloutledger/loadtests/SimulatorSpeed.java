package dev.rolloutledger.loadtests;

import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PlanTemplates;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.WavePlan;
import dev.rolloutledger.domain.sim.Scenario;
import dev.rolloutledger.domain.sim.SimulationReport;
import dev.rolloutledger.domain.sim.Simulator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How fast the simulator drives the real engine: wall time, inputs fed and inputs per second for a
 * 100,000-host fleet (the simulator issue's goal: a week-long rollout over 100k hosts well under a
 * minute). One run per case, in one JVM, one line per case on stdout.
 *
 * <pre>
 * ./mvnw -B -q -pl load-tests -am package -DskipTests
 * java -cp "load-tests/target/ledger-load-tests-0.1.0-SNAPSHOT.jar:load-tests/target/lib/*" \
 *   dev.rolloutledger.loadtests.SimulatorSpeed [HOSTS] [good|week|crowdstrike[-reported] ...]
 * </pre>
 *
 * Defaults: 100000 hosts, all three cases. Prints wall time and the simulating thread's CPU time
 * (garbage collection and JIT run on other threads). A measurement, not a test: nothing here
 * asserts a wall time.
 */
public final class SimulatorSpeed {

  private static final long SEED = 1;
  private static final String REPORTED = "-reported";

  public static void main(String[] args) {
    int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    List<String> cases =
        args.length > 1
            ? List.of(args).subList(1, args.length)
            : List.of("good", "week", "crowdstrike");
    System.out.printf(
        Locale.ROOT,
        "Simulator speed, %d hosts, seed %d (%d cores, %s %s)%n",
        hosts,
        SEED,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"));
    // the simulating thread's own CPU time: wall time on a shared machine includes others' work
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (String name : cases) {
      Scenario scenario = scenario(name, hosts);
      long start = System.nanoTime();
      long cpuStart = threads.getCurrentThreadCpuTime();
      SimulationReport r = Simulator.run(scenario);
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%-12s virtual %-10s %-9s wall %7.1f s  cpu %7.1f s  inputs %,13d  %,11.0f inputs/s%n",
          name,
          r.duration(),
          r.halted() ? "halted" : r.completed() ? "completed" : "horizon",
          seconds,
          cpu,
          r.inputs(),
          r.inputs() / seconds);
    }
  }

  /**
   * A case by name; {@code NAME-reported} is the same case with liveness reported by a failure
   * detector (ADR 0006) instead of judged from heartbeats.
   */
  static Scenario scenario(String name, int hosts) {
    if (name.endsWith(REPORTED)) {
      Scenario s = scenario(name.substring(0, name.length() - REPORTED.length()), hosts);
      return s.withFleet(s.fleet().withLiveness(Liveness.REPORTED));
    }
    return switch (name) {
      case "good" -> scenario(name, hosts, PlanTemplates.classic(), Duration.ofDays(1), good());
      case "week" -> scenario(name, hosts, weekLongPlan(), Duration.ofDays(8), good());
      case "crowdstrike" ->
          scenario(name, hosts, PlanTemplates.classic(), Duration.ofDays(1), crowdStrike());
      default -> throw new IllegalArgumentException("no case " + name);
    };
  }

  /**
   * The classic plan's waves (the default before templates) with longer bakes: 8 h for dev, 16 h
   * for staging, the prod canary and each tier-C wave, 24 h for each tier-B and tier-A wave, 7 days
   * together. The last wave (prod hosts without tier or role) is empty in this fleet and passes at
   * once.
   */
  static Plan weekLongPlan() {
    int[] hours = {8, 16, 16, 16, 16, 24, 24, 24, 24, 0};
    Plan plan = PlanTemplates.classic();
    List<WavePlan> waves = new ArrayList<>();
    for (int i = 0; i < plan.waves().size(); i++) {
      waves.add(plan.waves().get(i).withBake(Duration.ofHours(hours[i])));
    }
    return new Plan(waves);
  }

  private static Scenario.Behavior good() {
    return behavior(0.0, Duration.ZERO, Duration.ZERO, 0.5);
  }

  /** CrowdStrike 2024: nearly every host that applies dies within minutes, nearly all silently. */
  private static Scenario.Behavior crowdStrike() {
    return behavior(0.97, Duration.ofSeconds(20), Duration.ofMinutes(3), 0.98);
  }

  private static Scenario.Behavior behavior(
      double failProbability, Duration median, Duration p95, double silentFraction) {
    return new Scenario.Behavior(
        failProbability,
        median,
        p95,
        silentFraction,
        0.0,
        null,
        0.00006,
        Duration.ofMinutes(10),
        List.of());
  }

  private static Scenario scenario(
      String name, int hosts, Plan plan, Duration horizon, Scenario.Behavior behavior) {
    Map<String, Map<String, Double>> labels = new TreeMap<>();
    labels.put("env", Map.of("dev", 0.01, "staging", 0.04, "prod", 0.95));
    labels.put("tier", Map.of("A", 0.2, "B", 0.3, "C", 0.5));
    labels.put("role", Map.of("primary", 0.5, "replica", 0.5));
    labels.put("region", Map.of("eu", 0.5, "us", 0.5));
    return new Scenario(
        name,
        SEED,
        horizon,
        new Scenario.Fleet(hosts, Duration.ofSeconds(10), labels),
        new Scenario.Release(name + "-1", Severity.NORMAL),
        behavior,
        null,
        plan,
        null,
        List.of());
  }
}
