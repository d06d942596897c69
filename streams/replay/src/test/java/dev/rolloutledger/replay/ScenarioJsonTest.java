package dev.rolloutledger.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PlanTemplates;
import dev.rolloutledger.domain.Spread;
import dev.rolloutledger.domain.sim.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The scenario format's fields for real fleets (issue 16, docs/simulation.md): {@code
 * fleet.offline}, {@code behavior.diesBeforeReport} and a plan template by name; each refusal names
 * its field.
 */
class ScenarioJsonTest {

  /** A scenario with {@code fleet} fields and {@code behavior} fields added, and {@code plan}. */
  private static String scenario(String fleet, String behavior, String plan) {
    return "{\"name\": \"t\", \"fleet\": {\"hosts\": 100"
        + (fleet.isEmpty() ? "" : ", " + fleet)
        + "}, \"release\": {\"id\": \"r-1\"}, \"behavior\": {\"failProbability\": 0.5"
        + (behavior.isEmpty() ? "" : ", " + behavior)
        + "}"
        + (plan.isEmpty() ? "" : ", \"plan\": " + plan)
        + "}";
  }

  private static void refused(String json, String field) {
    assertThatThrownBy(() -> ScenarioJson.scenario(json))
        .isInstanceOfSatisfying(
            InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  @Test
  void the_real_fleet_example_of_docs_simulation_md_reads() throws IOException {
    String doc =
        Files.readString(Path.of("../../docs/simulation.md")); // surefire runs in the module
    int start = doc.indexOf("{\"name\": \"offline-and-dying\"");
    String json = doc.substring(start, doc.indexOf("```", start));

    Scenario s = ScenarioJson.scenario(json);

    assertThat(s.fleet().offline().of(s.fleet().hosts())).isEqualTo(300);
    assertThat(s.behavior().diesBeforeReport()).isEqualTo(0.5);
    assertThat(s.plan()).isEqualTo(PlanTemplates.dba());
  }

  @Nested
  class Offline {
    @Test
    void reads_the_fraction_and_when_the_hosts_come_back() {
      Scenario s =
          ScenarioJson.scenario(
              scenario(
                  "\"offline\": {\"fraction\": 0.03, \"back\": {\"median\": \"PT2H\", \"p95\":"
                      + " \"PT12H\"}}",
                  "",
                  ""));

      assertThat(s.fleet().offline())
          .isEqualTo(new Scenario.Offline(0.03, Duration.ofHours(2), Duration.ofHours(12)));
      assertThat(s.fleet().offline().comesBack()).isTrue();
    }

    @Test
    void without_back_the_hosts_never_come_back() {
      Scenario s = ScenarioJson.scenario(scenario("\"offline\": {\"fraction\": 0.2}", "", ""));

      assertThat(s.fleet().offline().fraction()).isEqualTo(0.2);
      assertThat(s.fleet().offline().comesBack()).isFalse();
    }

    @Test
    void is_none_when_left_out() {
      assertThat(ScenarioJson.scenario(scenario("", "", "")).fleet().offline()).isNull();
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "{\"fraction\": 1.5}|fleet.offline.fraction",
          "{\"fraction\": -0.1}|fleet.offline.fraction",
          "{\"fraction\": \"all\"}|fleet.offline.fraction",
          "{}|fleet.offline.fraction",
          "{\"fraction\": 0.1, \"share\": 0.1}|fleet.offline.share",
          "{\"fraction\": 0.1, \"back\": {\"median\": \"PT1H\"}}|fleet.offline.back.p95",
          "{\"fraction\": 0.1, \"back\": {\"p95\": \"PT1H\"}}|fleet.offline.back.median",
          "{\"fraction\": 0.1, \"back\": {\"median\": \"PT2H\", \"p95\": \"PT1H\"}}"
              + "|fleet.offline.back.p95",
          "{\"fraction\": 0.1, \"back\": {\"median\": \"-PT1H\", \"p95\": \"PT1H\"}}"
              + "|fleet.offline.back.median",
          "{\"fraction\": 0.1, \"back\": {\"median\": \"soon\", \"p95\": \"PT1H\"}}"
              + "|fleet.offline.back.median",
          "{\"fraction\": 0.1, \"back\": {\"median\": \"PT1H\", \"p95\": \"PT2H\", \"max\": 1}}"
              + "|fleet.offline.back.max",
          "{\"fraction\": 0.1, \"back\": \"PT1H\"}|fleet.offline.back",
          "0.1|fleet.offline"
        })
    void refuses_a_bad_value_naming_its_field(String offline, String field) {
      refused(scenario("\"offline\": " + offline, "", ""), field);
    }
  }

  @Nested
  class DiesBeforeReport {
    @Test
    void reads_the_share_of_failing_hosts_that_die_before_their_report() {
      Scenario s = ScenarioJson.scenario(scenario("", "\"diesBeforeReport\": 0.25", ""));

      assertThat(s.behavior().diesBeforeReport()).isEqualTo(0.25);
    }

    @Test
    void is_zero_when_left_out() {
      assertThat(ScenarioJson.scenario(scenario("", "", "")).behavior().diesBeforeReport())
          .isZero();
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {"1.01", "-1", "\"half\"", "true"})
    void refuses_a_value_outside_0_to_1_naming_the_field(String value) {
      refused(scenario("", "\"diesBeforeReport\": " + value, ""), "behavior.diesBeforeReport");
    }
  }

  @Nested
  class WaveBatchesAndSpread {
    private String plan(String wave) {
      return scenario(
          "",
          "",
          "{\"maxUnreachableFraction\": 0.25, \"waves\": [{\"name\": \"w\", \"selector\":"
              + " {\"env\": \"prod\"}"
              + (wave.isEmpty() ? "" : ", " + wave)
              + "}]}");
    }

    @Test
    void reads_batches_their_bake_and_a_spread() {
      Plan batches = ScenarioJson.scenario(plan("\"batches\": 3, \"batchBake\": \"PT2H\"")).plan();
      Plan size = ScenarioJson.scenario(plan("\"batchSize\": 50")).plan();
      Plan spread =
          ScenarioJson.scenario(plan("\"spread\": {\"by\": \"branch\", \"hosts\": 2}")).plan();

      assertThat(batches.waves().get(0).batches()).isEqualTo(3);
      assertThat(batches.waves().get(0).batchBake()).isEqualTo(Duration.ofHours(2));
      assertThat(size.waves().get(0).batchSize()).isEqualTo(50);
      assertThat(size.waves().get(0).batchBake()).isZero();
      assertThat(spread.waves().get(0).spread()).isEqualTo(new Spread("branch", 2));
      assertThat(spread.maxUnreachableFraction()).isEqualTo(0.25);
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "\"batches\": 3, \"batchSize\": 5|plan.waves[0].batchSize",
          "\"batches\": \"three\"|plan.waves[0].batches",
          "\"batchBake\": \"2h\"|plan.waves[0].batchBake",
          "\"spread\": {\"by\": \"branch\", \"hosts\": 0}|plan.waves[0].spread.hosts",
          "\"spread\": {\"hosts\": 2}|plan.waves[0].spread.by",
          "\"spread\": {\"by\": \"branch\", \"hosts\": 2, \"per\": 1}|plan.waves[0].spread.per",
          "\"spread\": 2|plan.waves[0].spread"
        })
    void refuses_a_bad_value_naming_its_field(String wave, String field) {
      refused(plan(wave), field);
    }
  }

  @Nested
  class PlanTemplate {
    private final Plan template = Plan.defaultPlan();
    private final Function<String, Optional<Plan>> templates =
        name -> "dba".equals(name) ? Optional.of(template) : Optional.empty();

    @Test
    void a_name_is_the_template_of_that_name() {
      Scenario s = ScenarioJson.scenario(scenario("", "", "\"dba\""), templates);

      assertThat(s.plan()).isEqualTo(template);
    }

    @Test
    void a_name_no_template_has_is_refused_naming_the_plan() {
      assertThatThrownBy(() -> ScenarioJson.scenario(scenario("", "", "\"dab\""), templates))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> {
                assertThat(e.field()).isEqualTo("plan");
                assertThat(e.problem()).contains("'dab'");
              });
    }

    @Test
    void a_plan_that_is_neither_an_object_nor_a_name_is_refused() {
      refused(scenario("", "", "7"), "plan");
    }

    @Test
    void the_templates_are_the_plan_templates_by_their_names() {
      Scenario s = ScenarioJson.scenario(scenario("", "", "\"patch-server\""));

      assertThat(s.plan()).isEqualTo(PlanTemplates.patchServer());
    }

    @Test
    void an_unknown_template_is_refused_with_the_names_of_the_known_ones() {
      assertThatThrownBy(() -> ScenarioJson.scenario(scenario("", "", "\"dab\"")))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> {
                assertThat(e.field()).isEqualTo("plan");
                assertThat(e.problem()).contains("'dab'", "dba", "patch-server");
              });
    }

    @Test
    void an_object_is_still_a_plan_of_its_own() {
      Scenario s =
          ScenarioJson.scenario(
              scenario(
                  "",
                  "",
                  "{\"waves\": [{\"name\": \"all\", \"selector\": {}, \"bake\": \"PT1M\"}]}"),
              templates);

      assertThat(s.plan().waves()).hasSize(1);
      assertThat(s.plan().waves().get(0).selector()).isEqualTo(Map.of());
    }
  }
}
