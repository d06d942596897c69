package dev.rolloutledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.sim.SimulationReport;
import dev.rolloutledger.domain.sim.Simulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The plan templates' durations as {@code ledger simulate} reports them (issue 16): a NORMAL
 * release takes one to two weeks under {@code dba} and {@code patch-server}, an EMERGENCY one the
 * same waves in a few hours. The scenario files are load-tests/scenarios; each run is seeded.
 */
class ScenarioLibraryTest {

  private static final Path LIBRARY = Path.of("../../load-tests/scenarios");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "dba-template, P7D, P14D, 23",
    "dba-template-emergency, PT1H, PT6H, 23",
    "patch-server-template, P7D, P14D, 5",
    "patch-server-template-emergency, PT1H, PT6H, 5"
  })
  void a_template_takes_its_release_through_every_wave_in_its_time(
      String scenario, Duration atLeast, Duration atMost, int waves) throws Exception {
    SimulationReport r =
        Simulator.run(ScenarioJson.scenario(Files.readString(LIBRARY.resolve(scenario + ".json"))));

    assertThat(r.halted()).as("halted").isFalse();
    assertThat(r.completed()).as("completed").isTrue();
    assertThat(r.duration()).isBetween(atLeast, atMost);
    // every wave (batches counted as waves) ran, and every host got the release
    assertThat(r.waves()).hasSize(waves);
    assertThat(r.waves().stream().mapToInt(SimulationReport.Wave::applied).sum())
        .isEqualTo(r.waves().stream().mapToInt(SimulationReport.Wave::hosts).sum());
    assertThat(r.unreachableHosts()).isZero();
  }
}
