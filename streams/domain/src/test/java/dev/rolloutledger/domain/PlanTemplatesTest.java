package dev.rolloutledger.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The named plans: their waves, and their summed bakes per severity (arithmetic on the plan, not
 * wall clock: {@link Plan#totalBake()}).
 */
class PlanTemplatesTest {

  private static Duration total(Plan plan, Severity severity) {
    return plan.forSeverity(severity).totalBake();
  }

  /** The plan without the waves these names give: what a fleet without such hosts bakes. */
  private static Plan without(Plan plan, String... names) {
    return plan.withWaves(
        plan.waves().stream().filter(w -> !List.of(names).contains(w.name())).toList());
  }

  @Nested
  class By_name {
    @Test
    void lists_dba_patch_server_and_classic_each_with_a_description() {
      assertThat(PlanTemplates.names()).containsExactly("dba", "patch-server", "classic");
      assertThat(PlanTemplates.all()).allSatisfy(t -> assertThat(t.description()).isNotBlank());
      assertThat(PlanTemplates.named("patch-server")).contains(PlanTemplates.patchServer());
    }

    @Test
    void the_default_plan_is_dba() {
      assertThat(Plan.defaultPlan()).isEqualTo(PlanTemplates.dba());
      assertThat(PlanTemplates.DEFAULT).isEqualTo("dba");
    }

    @Test
    void an_unknown_name_is_refused_naming_the_field_and_listing_the_known_ones() {
      assertThat(PlanTemplates.named("DBA")).isEmpty();
      assertThatThrownBy(() -> PlanTemplates.require("plan", "nightly"))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> {
                assertThat(e.field()).isEqualTo("plan");
                assertThat(e.problem()).contains("'nightly'", "dba", "patch-server", "classic");
              });
    }
  }

  @Nested
  class Dba {
    private final Plan plan = PlanTemplates.dba();

    @Test
    void goes_devbox_staging_uat_edge_then_c_b_a_replicas_before_primaries_in_batches() {
      assertThat(plan.waves())
          .extracting(WavePlan::name)
          .containsExactly(
              "devbox",
              "staging",
              "uat",
              "edge",
              "prod-c-replicas",
              "prod-c-primaries",
              "prod-b-replicas",
              "prod-b-primaries",
              "prod-a-replicas",
              "prod-a-primaries",
              "prod-other");
      assertThat(plan.waves().get(0).bake()).isEqualTo(Duration.ofDays(1));
      assertThat(plan.waves().get(1).bake()).isEqualTo(Duration.ofDays(3));
      assertThat(plan.waves().get(2).bake()).isEqualTo(Duration.ofDays(3));
      WavePlan edge = plan.waves().get(3);
      assertThat(edge.selector()).isEqualTo(Map.of("role", "edge"));
      assertThat(edge.hosts()).isEqualTo(2);
      assertThat(edge.bake()).isEqualTo(Duration.ofDays(1));
      assertThat(plan.waves().subList(4, 10))
          .allSatisfy(
              w -> {
                assertThat(w.batches()).isEqualTo(3);
                assertThat(w.selector()).containsEntry("env", "prod").containsKey("tier");
              });
      assertThat(plan.waves().get(8).selector())
          .isEqualTo(Map.of("env", "prod", "tier", "A", "role", "replica"));
      assertThat(plan.limits()).isEqualTo(Plan.DEFAULT_LIMITS);
    }

    @Test
    void a_normal_release_takes_one_to_two_weeks_with_staging_and_uat_or_only_one_of_them() {
      Duration both = total(plan, Severity.NORMAL);
      Duration one = total(without(plan, "uat"), Severity.NORMAL);

      assertThat(both).isEqualTo(Duration.ofHours(296)); // 8 days before prod + 104 h of prod
      assertThat(one).isEqualTo(Duration.ofHours(224));
      assertThat(List.of(both, one))
          .allSatisfy(d -> assertThat(d).isBetween(Duration.ofDays(7), Duration.ofDays(14)));
    }

    @Test
    void an_emergency_takes_the_same_waves_in_a_few_hours() {
      Plan emergency = plan.forSeverity(Severity.EMERGENCY);

      assertThat(emergency.waves()).extracting(WavePlan::name).isEqualTo(names(plan));
      assertThat(emergency.waves().get(0).bake()).isEqualTo(Duration.ofMinutes(15));
      assertThat(emergency.waves().get(8).batchBake())
          .isEqualTo(Duration.ofHours(4).dividedBy(PlanTemplates.COMPRESSION));
      assertThat(total(plan, Severity.EMERGENCY))
          .isEqualTo(Duration.ofHours(3).plusMinutes(5))
          .isBetween(Duration.ofHours(1), Duration.ofHours(6));
      assertThat(total(without(plan, "uat"), Severity.EMERGENCY))
          .isEqualTo(Duration.ofHours(2).plusMinutes(20));
    }
  }

  @Nested
  class Patch_server {
    private final Plan plan = PlanTemplates.patchServer();

    @Test
    void goes_two_per_branch_then_the_pilot_ring_then_prod_in_three_daily_batches() {
      assertThat(names(plan)).containsExactly("branch-canaries", "pilot", "production");
      WavePlan canaries = plan.waves().get(0);
      assertThat(canaries.spread()).isEqualTo(new Spread("branch", 2));
      assertThat(canaries.selector()).isEqualTo(Map.of("env", "prod"));
      assertThat(canaries.bake()).isEqualTo(Duration.ofDays(2));
      assertThat(plan.waves().get(1).selector()).isEqualTo(Map.of("ring", "pilot"));
      assertThat(plan.waves().get(1).bake()).isEqualTo(Duration.ofDays(7));
      WavePlan production = plan.waves().get(2);
      assertThat(production.batches()).isEqualTo(3);
      assertThat(production.batchBake()).isEqualTo(Duration.ofDays(1));
      assertThat(production.bake()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void a_normal_release_takes_twelve_days_and_an_emergency_three_hours() {
      assertThat(total(plan, Severity.NORMAL))
          .isEqualTo(Duration.ofDays(12))
          .isBetween(Duration.ofDays(7), Duration.ofDays(14));
      assertThat(total(plan, Severity.EMERGENCY))
          .isEqualTo(Duration.ofHours(3))
          .isBetween(Duration.ofHours(1), Duration.ofHours(6));
    }
  }

  @Nested
  class Classic {
    @Test
    void keeps_the_old_default_of_hours() {
      Plan plan = PlanTemplates.classic();

      assertThat(total(plan, Severity.NORMAL)).isEqualTo(Duration.ofMinutes(11 * 60 + 10));
      assertThat(total(plan, Severity.EMERGENCY)).isEqualTo(Duration.ofMinutes(67));
      assertThat(plan.emergencyCompression()).isEqualTo(Plan.DEFAULT_EMERGENCY_COMPRESSION);
      assertThat(plan.waves()).noneMatch(WavePlan::batched);
    }
  }

  private static List<String> names(Plan plan) {
    return plan.waves().stream().map(WavePlan::name).toList();
  }
}
