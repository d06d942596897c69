package dev.rolloutledger.loadtests;

import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.WavePlan;
import dev.rolloutledger.domain.sim.Scenario;
import dev.rolloutledger.domain.sim.SimulationReport;
import dev.rolloutledger.domain.sim.Simulator;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's yardsticks (docs/statistics.md, the engine issue), measured by simulation: many
 * seeded rollouts per case through the real engine, a markdown table on stdout.
 *
 * <pre>
 * ./mvnw -B -q -pl load-tests -am package -DskipTests
 * java -cp "load-tests/target/ledger-load-tests-0.1.0-SNAPSHOT.jar:load-tests/target/lib/*" \
 *   dev.rolloutledger.loadtests.DecisionQuality [RUNS]        # default 300 runs per case
 * </pre>
 *
 * Progress goes to stderr on a terminal only. Runs use all cores; each run is seeded by its index,
 * so the table is the same on every machine.
 */
public final class DecisionQuality {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /**
   * The engine measured: the server's, a version 6 journal's ({@link EngineConfig#journalV6()}: the
   * failure fraction cap counts a silence only while it lasts, the system's own outages are never
   * judged as silence, and hosts that cannot be reached are recorded unreachable instead of
   * stalling their wave).
   */
  static final EngineConfig ENGINE = EngineConfig.defaults().journalV6();

  /** One measured case: a scenario per seed. */
  record Case(String name, String what, java.util.function.LongFunction<Scenario> scenario) {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    if (runs < 1) {
      System.err.println("RUNS must be at least 1");
      System.exit(2);
    }
    PrintStream out = System.out;
    out.printf(
        Locale.ROOT,
        "Decision quality over %d seeded rollouts per case (%d cores, %s %s), engine %s%n%n",
        runs,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        ENGINE);
    for (Case c : cases()) {
      long start = System.nanoTime();
      List<SimulationReport> reports = run(c, runs);
      double seconds = (System.nanoTime() - start) / 1e9;
      out.println(summary(c, reports, seconds));
    }
  }

  static List<Case> cases() {
    return List.of(
        new Case(
            "good-noise",
            "good release, 2,000 hosts, background failures 0.02/host-hour (half silent)",
            seed -> goodRelease(seed, List.of())),
        new Case(
            "good-shock",
            "good release, as above, plus 30% of region eu silent for 10 min at 20 min",
            seed ->
                goodRelease(
                    seed,
                    List.of(
                        new Scenario.Shock(
                            Duration.ofMinutes(20),
                            Duration.ofMinutes(10),
                            Map.of("region", "eu"),
                            0.3)))),
        new Case(
            "regression-10x",
            "bad release: failure rate 10x the baseline's (p0 = 0.001 per host per 10 min),"
                + " 10,000 hosts, 10 Apply per minute",
            DecisionQuality::tenfold),
        new Case(
            "total-silent",
            "every updated host dies silently within ~5 s, default plan, 10,000 hosts",
            seed -> totalSilent(seed, 0.0)),
        new Case(
            "total-silent-before-report",
            "as total-silent, but every host dies applying, before it can report the apply",
            seed -> totalSilent(seed, 1.0)),
        new Case(
            "good-offline",
            "good release as good-noise, 3% of the hosts off at publication, back after a"
                + " lognormal delay (median 6 h, p95 3 days)",
            seed ->
                withOffline(
                    goodRelease(seed, List.of()),
                    new Scenario.Offline(0.03, Duration.ofHours(6), Duration.ofDays(3)))),
        new Case(
            "partition",
            "good release as good-noise, 20% of the hosts off at publication and never back",
            seed -> withOffline(goodRelease(seed, List.of()), new Scenario.Offline(0.2))));
  }

  /** The same scenario with some of its fleet off at publication. */
  private static Scenario withOffline(Scenario s, Scenario.Offline offline) {
    return new Scenario(
        s.name() + "-offline",
        s.seed(),
        s.horizon(),
        s.fleet().withOffline(offline),
        s.release(),
        s.behavior(),
        s.policy(),
        s.plan(),
        s.historical(),
        s.approvals());
  }

  private static Map<String, Map<String, Double>> labels() {
    Map<String, Map<String, Double>> labels = new TreeMap<>();
    labels.put("env", Map.of("prod", 1.0));
    labels.put("region", Map.of("eu", 0.5, "us", 0.5));
    return labels;
  }

  /** canary 20 hosts (10 min), 10% (30 min), the rest (1 h); 600 Apply per minute. */
  static Scenario goodRelease(long seed, List<Scenario.Shock> shocks) {
    Map<String, String> prod = Map.of("env", "prod");
    Plan plan =
        new Plan(
            List.of(
                new WavePlan("canary", prod, 20, null, 0.2, 1, Duration.ofMinutes(10)),
                new WavePlan("early", prod, null, 10, 0.2, 1, Duration.ofMinutes(30)),
                new WavePlan("rest", prod, null, 100, 0.2, 1, Duration.ofHours(1))),
            TIMEOUT,
            0.01,
            0.01,
            2.0,
            600,
            Map.of(),
            10);
    return new Scenario(
        "good",
        seed,
        Duration.ofHours(6),
        new Scenario.Fleet(2_000, Duration.ofSeconds(10), labels()),
        new Scenario.Release("good-1", Severity.NORMAL),
        new Scenario.Behavior(
            0.0,
            Duration.ZERO,
            Duration.ZERO,
            0.5,
            0.0,
            null,
            0.02,
            Duration.ofMinutes(10),
            shocks),
        null,
        plan,
        null,
        List.of());
  }

  /**
   * A 10x regression in the Poisson model of docs/statistics.md: every host fails (a crash report,
   * then a 10-minute outage) at 0.006 per host-hour, p0 = 0.001 per host over 10 minutes; a host
   * running the release fails 10 times as often. Dispatch is paced at 10 hosts per minute, so that,
   * as in a sequential test, few hosts are in flight when the evidence tips.
   */
  static Scenario tenfold(long seed) {
    Map<String, String> prod = Map.of("env", "prod");
    Plan plan =
        new Plan(
            List.of(
                new WavePlan("canary", prod, 50, null, 0.2, 1, Duration.ofMinutes(30)),
                new WavePlan("rest", prod, null, 100, 0.2, 1, Duration.ofHours(2))),
            TIMEOUT,
            0.01,
            0.01,
            2.0,
            10,
            Map.of(),
            10);
    return new Scenario(
        "regression-10x",
        seed,
        Duration.ofDays(1),
        new Scenario.Fleet(10_000, Duration.ofSeconds(10), labels()),
        new Scenario.Release("bad-10x", Severity.NORMAL),
        new Scenario.Behavior(
            0.0,
            Duration.ZERO,
            Duration.ZERO,
            0.0,
            0.0,
            null,
            0.006,
            Duration.ofMinutes(10),
            List.of(),
            10.0),
        null,
        plan,
        null,
        List.of());
  }

  /**
   * CrowdStrike 2024 in miniature: the default plan, every host that applies dies silently; {@code
   * diesBeforeReport} of them before they can report the apply.
   */
  static Scenario totalSilent(long seed, double diesBeforeReport) {
    Map<String, Map<String, Double>> labels = new TreeMap<>();
    labels.put("env", Map.of("dev", 0.01, "staging", 0.04, "prod", 0.95));
    labels.put("tier", Map.of("A", 0.2, "B", 0.3, "C", 0.5));
    labels.put("role", Map.of("primary", 0.5, "replica", 0.5));
    return new Scenario(
        "total-silent",
        seed,
        Duration.ofDays(1),
        new Scenario.Fleet(10_000, Duration.ofSeconds(10), labels),
        new Scenario.Release("cs-291", Severity.NORMAL),
        new Scenario.Behavior(
            1.0,
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            1.0,
            0.0,
            null,
            0.00006,
            Duration.ofMinutes(10),
            List.of(),
            1.0,
            diesBeforeReport),
        null,
        null,
        null,
        List.of());
  }

  static List<SimulationReport> run(Case c, int runs) throws Exception {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    boolean terminal = System.console() != null;
    AtomicInteger done = new AtomicInteger();
    try {
      List<Future<SimulationReport>> futures = new ArrayList<>();
      for (int seed = 1; seed <= runs; seed++) {
        long s = seed;
        futures.add(
            pool.submit(
                () -> {
                  SimulationReport r = Simulator.run(c.scenario().apply(s), ENGINE);
                  int d = done.incrementAndGet();
                  if (terminal) {
                    System.err.printf("\r%-16s %d/%d", c.name(), d, runs);
                  }
                  return r;
                }));
      }
      List<SimulationReport> reports = new ArrayList<>();
      for (Future<SimulationReport> f : futures) {
        reports.add(f.get());
      }
      if (terminal) {
        System.err.print("\r" + " ".repeat(40) + "\r");
      }
      return reports;
    } finally {
      pool.shutdownNow();
    }
  }

  static String summary(Case c, List<SimulationReport> reports, double seconds) {
    int n = reports.size();
    long halted = reports.stream().filter(SimulationReport::halted).count();
    StringBuilder b = new StringBuilder();
    b.append("## ").append(c.name()).append(": ").append(c.what()).append("\n\n");
    b.append(String.format(Locale.ROOT, "- runs: %d, halted: %d%n", n, halted));
    double[] ci = wilson(halted, n);
    b.append(
        String.format(
            Locale.ROOT,
            "- halt rate: %.4f (95%% Wilson interval %.4f to %.4f)%n",
            (double) halted / n,
            ci[0],
            ci[1]));
    Map<String, Integer> signals = new TreeMap<>();
    for (SimulationReport r : reports) {
      if (r.halted()) {
        signals.merge(r.haltSignal() + " in " + r.haltedWave(), 1, Integer::sum);
      }
    }
    if (!signals.isEmpty()) {
      b.append("- halted by: ").append(signals).append('\n');
    }
    List<SimulationReport> stopped = reports.stream().filter(SimulationReport::halted).toList();
    if (!stopped.isEmpty()) {
      b.append(
          stats(
              "hosts exposed at HALT",
              stopped.stream().mapToDouble(SimulationReport::exposedHosts).toArray()));
      b.append(
          stats(
              "hosts failed by the release (exposed)",
              stopped.stream().mapToDouble(SimulationReport::failedHosts).toArray()));
      double[] detection =
          stopped.stream()
              .filter(r -> r.firstFailure() != null)
              .mapToDouble(r -> r.duration().minus(r.firstFailure()).toMillis() / 1000.0)
              .toArray();
      if (detection.length > 0) {
        b.append(stats("seconds from the first failure to HALT (event time)", detection));
      }
      b.append(
          stats(
              "first-wave hosts", stopped.stream().mapToDouble(r -> r.firstWaveHosts()).toArray()));
      long beyond = stopped.stream().filter(r -> r.exposedHosts() > r.firstWaveHosts()).count();
      b.append(
          String.format(
              Locale.ROOT, "- halted with more exposed than the first wave: %d%n", beyond));
    }
    Map<String, Integer> pauses = new TreeMap<>();
    for (SimulationReport r : reports) {
      if (r.pausedWave() != null) {
        pauses.merge(r.pauseReason() + " in " + r.pausedWave(), 1, Integer::sum);
      }
    }
    if (!pauses.isEmpty()) {
      b.append("- paused for a person: ").append(pauses).append('\n');
    }
    if (reports.stream().anyMatch(r -> r.unreachableHosts() != null && r.unreachableHosts() > 0)) {
      b.append(
          stats(
              "hosts unreachable at the end",
              reports.stream()
                  .mapToDouble(r -> r.unreachableHosts() == null ? 0 : r.unreachableHosts())
                  .toArray()));
    }
    List<SimulationReport> completed =
        reports.stream().filter(SimulationReport::completed).toList();
    if (!completed.isEmpty()) {
      b.append(
          stats(
              "completion time / plan minimum",
              completed.stream()
                  .mapToDouble(r -> (double) r.duration().toSeconds() / r.planMinimum().toSeconds())
                  .toArray()));
      b.append(
          stats(
              "completion time, minutes",
              completed.stream().mapToDouble(r -> r.duration().toSeconds() / 60.0).toArray()));
    }
    long inputs = reports.stream().mapToLong(SimulationReport::inputs).sum();
    b.append(
        String.format(
            Locale.ROOT,
            "- simulated in %.1f s wall clock, %d engine inputs (%.0f per second)%n",
            seconds,
            inputs,
            inputs / seconds));
    return b.toString();
  }

  private static String stats(String what, double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
    return String.format(
        Locale.ROOT,
        "- %s: mean %.1f, min %.1f, median %.1f, p95 %.1f, max %.1f%n",
        what,
        mean,
        v[0],
        v[v.length / 2],
        v[Math.min(v.length - 1, (int) Math.ceil(0.95 * v.length) - 1)],
        v[v.length - 1]);
  }

  /** Wilson score interval for k successes in n trials, 95%. */
  static double[] wilson(long k, int n) {
    double z = 1.959963984540054;
    double p = (double) k / n;
    double denom = 1 + z * z / n;
    double centre = (p + z * z / (2.0 * n)) / denom;
    double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denom;
    return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
  }

  private DecisionQuality() {}
}
