package dev.rolloutledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.sim.Scenario;
import dev.rolloutledger.domain.sim.SimulationReport;
import dev.rolloutledger.domain.sim.Simulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The incident library (load-tests/incidents, docs/incidents.md) against the engine, and the {@code
 * ledger incidents} command that tabulates it.
 *
 * <p>The library's own runs take minutes (the good releases run for 8 simulated days over 10,000
 * hosts), so each scenario runs here only as far as its verdict needs. A bad incident runs until
 * twice its first wave's bake: by then it has halted in that wave or failed the case; up to there
 * the run is the library's own, step for step (the simulator draws nothing that depends on the
 * horizon but the victims of shocks beyond it, and no bad incident has a shock). A good release
 * must run to completion, on a tenth of its fleet (same label shares, noise rate and shocks).
 */
class IncidentLibraryTest {
  /** Surefire runs in services/cli. */
  private static final Path LIBRARY = Path.of("../../load-tests/incidents");

  private static final int GOOD_RELEASE_SHRINK = 10;

  private static Map<String, SimulationReport> reports;

  @BeforeAll
  static void runTheLibraryAsFarAsItsVerdictsNeed() {
    reports =
        IncidentsCommand.library(LIBRARY).parallelStream()
            .map(IncidentsCommand.Incident::scenario)
            .collect(
                Collectors.toConcurrentMap(
                    Scenario::name, s -> Simulator.run(good(s) ? shrunk(s) : cutShort(s))));
  }

  static Stream<String> badIncidents() {
    return names(s -> !good(s));
  }

  static Stream<String> goodReleases() {
    return names(IncidentLibraryTest::good);
  }

  @Test
  void the_library_holds_the_incidents_docs_incidents_md_describes() {
    assertThat(names(s -> true))
        .containsExactly(
            "azure-front-door-2025",
            "cloudflare-2019",
            "cloudflare-2025",
            "crowdstrike-2024",
            "fastly-2021",
            "good-release-regional-shock",
            "good-release",
            "google-cloud-2025");
  }

  @Nested
  class UnderTheDefaultPlan {
    @ParameterizedTest
    @MethodSource("dev.rolloutledger.cli.IncidentLibraryTest#badIncidents")
    void a_bad_incident_is_halted_in_its_first_wave(String incident) {
      SimulationReport r = reports.get(incident);

      assertThat(r.halted()).as("%s halted", incident).isTrue();
      assertThat(r.haltedWave()).isEqualTo(firstWave());
      assertThat(r.exposedHosts()).isLessThanOrEqualTo(r.firstWaveHosts());
    }

    @ParameterizedTest
    @MethodSource("dev.rolloutledger.cli.IncidentLibraryTest#goodReleases")
    void a_good_release_completes(String release) {
      SimulationReport r = reports.get(release);

      assertThat(r.halted()).as("%s halted by %s", release, r.haltSignal()).isFalse();
      assertThat(r.completed()).isTrue();
    }
  }

  @Nested
  class TheTable {
    @TempDir Path dir;

    @Test
    void write_replaces_only_the_text_between_the_markers_and_is_idempotent() throws IOException {
      tinyLibrary();
      Path doc = dir.resolve("doc.md");
      String before = "# Incidents\n\nprose before\n\n" + IncidentsCommand.BEGIN + "\n";
      String after = IncidentsCommand.END + "\n\nprose after\n";
      Files.writeString(doc, before + "| an old table |\n" + after);

      Result first = ledger("incidents", dir.resolve("lib").toString(), "--write", doc.toString());
      String written = Files.readString(doc);
      Result second = ledger("incidents", dir.resolve("lib").toString(), "--write", doc.toString());

      assertThat(first.exit()).isZero();
      assertThat(written).isEqualTo(before + first.out() + after);
      assertThat(Files.readString(doc)).isEqualTo(written);
      assertThat(second.out()).isEqualTo(first.out());
    }

    @Test
    void prints_the_table_alone_one_row_per_scenario_by_file_name() throws IOException {
      tinyLibrary();

      Result r = ledger("incidents", dir.resolve("lib").toString());

      assertThat(r.exit()).isZero();
      assertThat(r.err()).isEmpty();
      assertThat(r.out().lines())
          .hasSize(4)
          .allMatch(line -> line.startsWith("|") && line.endsWith("|"));
      assertThat(r.out().lines().skip(2))
          .satisfiesExactly(
              a -> assertThat(a).startsWith("| a-silent-failure | 200 | 200 / 200 within 1 min |"),
              b -> assertThat(b).startsWith("| b-good | 200 | - | no |"));
    }

    @Test
    void write_without_the_markers_is_refused_naming_the_file() throws IOException {
      tinyLibrary();
      Path doc = dir.resolve("doc.md");
      Files.writeString(doc, "no markers\n");

      Result r = ledger("incidents", dir.resolve("lib").toString(), "--write", doc.toString());

      assertThat(r.exit()).isEqualTo(LedgerCli.BAD_INPUT);
      assertThat(r.err()).contains(doc.toString(), IncidentsCommand.BEGIN);
      assertThat(Files.readString(doc)).isEqualTo("no markers\n");
    }

    private void tinyLibrary() throws IOException {
      Files.createDirectories(dir.resolve("lib"));
      Files.writeString(dir.resolve("lib/b.json"), tiny("b-good", 0.0, ""));
      Files.writeString(
          dir.resolve("lib/a.json"),
          tiny("a-silent-failure", 1.0, ", \"historical\": {\"propagation\": \"PT1M\"}"));
    }
  }

  @Nested
  class AnInvalidScenario {
    @TempDir Path dir;

    @Test
    void exits_2_naming_the_file_and_the_field() throws IOException {
      Files.writeString(dir.resolve("a.json"), tiny("fine", 0.0, ""));
      Files.writeString(dir.resolve("b.json"), tiny("odds", 1.5, ""));

      Result r = ledger("incidents", dir.toString());

      assertThat(r.exit()).isEqualTo(LedgerCli.BAD_INPUT);
      assertThat(r.err()).contains(dir.resolve("b.json").toString(), "behavior.failProbability");
      assertThat(r.out()).isEmpty();
    }

    @Test
    void with_a_plan_of_its_own_exits_2_the_table_being_of_the_default_plan() throws IOException {
      String withPlan =
          tiny(
              "own-plan",
              0.0,
              ", \"plan\": {\"waves\": [{\"name\": \"all\", \"selector\": {}, \"bake\": \"PT1M\"}]}");
      Files.writeString(dir.resolve("a.json"), withPlan);

      Result r = ledger("incidents", dir.toString());

      assertThat(r.exit()).isEqualTo(LedgerCli.BAD_INPUT);
      assertThat(r.err()).contains(dir.resolve("a.json").toString(), "invalid plan");
    }
  }

  // ---- helpers ----

  /** A good release: the release itself changes nothing in how hosts fail. */
  private static boolean good(Scenario s) {
    return s.behavior().failProbability() == 0 && s.behavior().regressionRatio() == 1;
  }

  private static String firstWave() {
    return Plan.defaultPlan().waves().get(0).name();
  }

  private static Stream<String> names(Predicate<Scenario> which) {
    return IncidentsCommand.library(LIBRARY).stream()
        .map(IncidentsCommand.Incident::scenario)
        .filter(which)
        .map(Scenario::name);
  }

  private static Scenario cutShort(Scenario s) {
    return with(s, s.fleet(), s.effectivePlan().waves().get(0).bake().multipliedBy(2));
  }

  private static Scenario shrunk(Scenario s) {
    Scenario.Fleet f = s.fleet();
    Scenario.Fleet smaller =
        new Scenario.Fleet(f.hosts() / GOOD_RELEASE_SHRINK, f.heartbeatInterval(), f.labels());
    return with(s, smaller, s.horizon());
  }

  private static Scenario with(Scenario s, Scenario.Fleet fleet, Duration horizon) {
    return new Scenario(
        s.name(),
        s.seed(),
        horizon,
        fleet,
        s.release(),
        s.behavior(),
        s.policy(),
        s.plan(),
        s.historical(),
        s.approvals());
  }

  /** A 200-host scenario under the default plan; {@code extra} adds top-level fields. */
  private static String tiny(String name, double failProbability, String extra) {
    return """
        {"name": "%s", "seed": 1, "horizon": "P1D",
         "fleet": {"hosts": 200, "labels": {"env": {"dev": 0.05, "staging": 0.05, "prod": 0.9},
           "tier": {"C": 1.0}, "role": {"replica": 1.0}}},
         "release": {"id": "r-1"},
         "behavior": {"failProbability": %s, "silentFraction": 1.0}%s}
        """
        .formatted(name, failProbability, extra);
  }

  private record Result(int exit, String out, String err) {}

  private static Result ledger(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = LedgerCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }
}
