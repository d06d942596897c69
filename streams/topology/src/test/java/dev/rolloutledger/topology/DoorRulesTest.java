package dev.rolloutledger.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.ApprovalGranted;
import dev.rolloutledger.domain.Checks;
import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Detector;
import dev.rolloutledger.domain.FanOutContinued;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.ManualHalt;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PolicySet;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RollbackRequested;
import dev.rolloutledger.domain.RolloutPaused;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.RolloutResumed;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.WavePlan;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The table of docs/api.md ("What every door accepts"), field by field: each string field of each
 * input follows its rule, at its longest it passes, one beyond it is refused naming the field.
 */
class DoorRulesTest {
  private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");
  private static final String SHA = "a".repeat(64);
  private static final String ID = "i".repeat(Checks.MAX_ID_LENGTH);
  private static final String NAME = "n".repeat(Checks.MAX_ID_LENGTH);
  private static final String TEXT = "t".repeat(Checks.MAX_TEXT_LENGTH);

  private static WavePlan wave(String name, Map<String, String> selector, Duration bake) {
    return new WavePlan(name, selector, null, null, 0.2, 1, bake, false, null);
  }

  private static Plan plan(WavePlan wave, Duration timeout, Map<String, Double> limits) {
    return new Plan(List.of(wave), timeout, 0.01, 0.01, 2.0, 600, limits, 10);
  }

  private static OwnerPolicy policy(String pin, List<String> publishers, Duration delay) {
    return new OwnerPolicy("acme", pin, false, List.of(), delay, publishers, "admin");
  }

  /** An input whose {@code value} sits in the field named, built with a given value. */
  record Field(String field, Function<String, LedgerInput> input) {
    @Override
    public String toString() {
      return field;
    }
  }

  static Stream<Field> ids() {
    return Stream.of(
        new Field("tenant", v -> new Heartbeat(v, AT, "h1", null, Map.of())),
        new Field("host", v -> new Heartbeat("acme", AT, v, null, Map.of())),
        new Field("release", v -> new Heartbeat("acme", AT, "h1", v, Map.of())),
        new Field("release", v -> new UpdateApplied("acme", AT, "h1", v, true, null)),
        new Field("release", v -> new CrashReport("acme", AT, "h1", v, "sig", "kind")),
        new Field("host", v -> new HostRegistered("acme", AT, v, Map.of())),
        new Field(
            "release",
            v -> new ReleasePublished("acme", AT, v, "a", "1", SHA, "p", Severity.NORMAL)),
        new Field(
            "rollout",
            v ->
                new RolloutPlanned(
                    "acme",
                    AT,
                    v,
                    "cf-1",
                    plan(wave("w", Map.of(), Duration.ZERO), Duration.ofSeconds(30), Map.of()))),
        new Field(
            "plan.waves[0].name",
            v ->
                new RolloutPlanned(
                    "acme",
                    AT,
                    "r1",
                    "cf-1",
                    plan(wave(v, Map.of(), Duration.ZERO), Duration.ofSeconds(30), Map.of()))),
        new Field("wave", v -> new ApprovalGranted("acme", AT, "r1", v, "alice")),
        new Field("by", v -> new ApprovalGranted("acme", AT, "r1", "w", v)),
        new Field("by", v -> new ManualHalt("acme", AT, "r1", v, "why")),
        new Field("rollout", v -> new RolloutPaused("acme", AT, v, "alice", "why")),
        new Field(
            "host",
            v ->
                new dev.rolloutledger.domain.HostLifecycleChanged(
                    "acme", AT, v, dev.rolloutledger.domain.HostLifecycle.CORDONED, "alice")),
        new Field(
            "by",
            v ->
                new dev.rolloutledger.domain.HostLifecycleChanged(
                    "acme", AT, "h1", dev.rolloutledger.domain.HostLifecycle.RETIRED, v)),
        new Field(
            "policy.pin", v -> new PolicySet("acme", AT, policy(v, List.of(), Duration.ZERO))));
  }

  static Stream<Field> names() {
    return Stream.of(
        new Field("metrics key", v -> new Heartbeat("acme", AT, "h1", null, Map.of(v, 1.0))),
        new Field("kind", v -> new CrashReport("acme", AT, "h1", "cf-1", "sig", v)),
        new Field("labels key", v -> new HostRegistered("acme", AT, "h1", Map.of(v, "x"))),
        new Field(
            "version",
            v -> new ReleasePublished("acme", AT, "cf-1", "a", v, SHA, "p", Severity.NORMAL)),
        new Field(
            "publisher",
            v -> new ReleasePublished("acme", AT, "cf-1", "a", "1", SHA, v, Severity.NORMAL)),
        new Field(
            "plan.waves[0].selector key",
            v ->
                new RolloutPlanned(
                    "acme",
                    AT,
                    "r1",
                    "cf-1",
                    plan(
                        wave("w", Map.of(v, "x"), Duration.ZERO),
                        Duration.ofSeconds(30),
                        Map.of()))),
        new Field(
            "plan.limits key",
            v ->
                new RolloutPlanned(
                    "acme",
                    AT,
                    "r1",
                    "cf-1",
                    plan(
                        wave("w", Map.of(), Duration.ZERO),
                        Duration.ofSeconds(30),
                        Map.of(v, 0.5)))),
        new Field(
            "policy.allowedPublishers[0]",
            v -> new PolicySet("acme", AT, policy(null, List.of(v), Duration.ZERO))));
  }

  static Stream<Field> shortTexts() {
    return Stream.of(
        new Field("labels[env]", v -> new HostRegistered("acme", AT, "h1", Map.of("env", v))),
        new Field(
            "plan.waves[0].selector[env]",
            v ->
                new RolloutPlanned(
                    "acme",
                    AT,
                    "r1",
                    "cf-1",
                    plan(
                        wave("w", Map.of("env", v), Duration.ZERO),
                        Duration.ofSeconds(30),
                        Map.of()))));
  }

  static Stream<Field> texts() {
    return Stream.of(
        new Field("error", v -> new UpdateApplied("acme", AT, "h1", "cf-1", false, v)),
        new Field("reason", v -> new ManualHalt("acme", AT, "r1", "alice", v)),
        new Field("reason", v -> new RolloutPaused("acme", AT, "r1", "alice", v)),
        new Field("reason", v -> new RolloutResumed("acme", AT, "r1", "alice", v)),
        new Field("reason", v -> new RollbackRequested("acme", AT, "r1", "alice", v)));
  }

  static Stream<Field> longNames() {
    return Stream.of(
        new Field("signature", v -> new CrashReport("acme", AT, "h1", "cf-1", v, "kind")),
        new Field(
            "artifact",
            v -> new ReleasePublished("acme", AT, "cf-1", v, "1", SHA, "p", Severity.NORMAL)));
  }

  private static void refused(LedgerInput input, String field, String problem) {
    assertThatThrownBy(() -> InputChecks.check(input))
        .isInstanceOfSatisfying(
            InvalidFieldException.class,
            e -> {
              assertThat(e.field()).isEqualTo(field);
              assertThat(e.problem()).contains(problem);
            });
  }

  @Nested
  class Ids {
    @ParameterizedTest
    @MethodSource("dev.rolloutledger.topology.DoorRulesTest#ids")
    void the_longest_id_passes_and_one_more_character_is_refused(Field f) {
      assertThat(InputChecks.check(f.input().apply(ID))).isNotNull();
      refused(f.input().apply(ID + "i"), f.field(), "at most 128 characters, was 129");
    }

    @ParameterizedTest
    @MethodSource("dev.rolloutledger.topology.DoorRulesTest#ids")
    void an_id_outside_the_http_alphabet_is_refused(Field f) {
      for (String bad : List.of("a b", "h\u00e9", "a?b", "a%2Fb", "a/b", "a\u0000b", ".", "..")) {
        assertThatThrownBy(() -> InputChecks.check(f.input().apply(bad)))
            .as(bad)
            .isInstanceOfSatisfying(
                InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo(f.field()));
      }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h1", "host-01.example.com", "a_b:c@d", "A.B", "..."})
    void letters_digits_and_dot_underscore_colon_at_dash_pass(String id) {
      assertThat(InputChecks.check(new Heartbeat("acme", AT, id, null, Map.of()))).isNotNull();
    }
  }

  @Nested
  class Names {
    @ParameterizedTest
    @MethodSource("dev.rolloutledger.topology.DoorRulesTest#names")
    void the_longest_name_passes_with_any_letter_and_one_more_is_refused(Field f) {
      assertThat(InputChecks.check(f.input().apply(NAME))).isNotNull();
      assertThat(InputChecks.check(f.input().apply("kubernetes.io/région 🚀"))).isNotNull();
      refused(f.input().apply(NAME + "n"), f.field(), "at most 128 characters");
      refused(f.input().apply("a\tb"), f.field(), "control character U+0009");
    }

    @ParameterizedTest
    @MethodSource("dev.rolloutledger.topology.DoorRulesTest#longNames")
    void signatures_and_artifacts_are_names_of_up_to_1024_characters(Field f) {
      assertThat(InputChecks.check(f.input().apply(TEXT))).isNotNull();
      refused(f.input().apply(TEXT + "t"), f.field(), "at most 1024 characters");
      refused(f.input().apply("a\nb"), f.field(), "control character U+000A");
    }
  }

  @Nested
  class Texts {
    @ParameterizedTest
    @MethodSource("dev.rolloutledger.topology.DoorRulesTest#texts")
    void the_longest_text_passes_with_line_breaks_and_one_more_character_is_refused(Field f) {
      assertThat(InputChecks.check(f.input().apply(TEXT))).isNotNull();
      assertThat(InputChecks.check(f.input().apply("two\nlines\tand ünïcode 🚀"))).isNotNull();
      assertThat(InputChecks.check(f.input().apply(""))).isNotNull();
      refused(f.input().apply(TEXT + "t"), f.field(), "at most 1024 characters, was 1025");
      refused(f.input().apply("a\u0000b"), f.field(), "control character U+0000");
      refused(f.input().apply("a\u001b[31m"), f.field(), "control character U+001B");
      refused(f.input().apply("lone \ud800"), f.field(), "lone surrogate U+D800");
    }

    @ParameterizedTest
    @MethodSource("dev.rolloutledger.topology.DoorRulesTest#shortTexts")
    void label_values_are_texts_of_up_to_128_characters(Field f) {
      assertThat(InputChecks.check(f.input().apply(NAME))).isNotNull();
      assertThat(InputChecks.check(f.input().apply(""))).isNotNull();
      refused(f.input().apply(NAME + "n"), f.field(), "at most 128 characters");
    }
  }

  @Nested
  class Counts {
    private static Map<String, String> labels(int n) {
      Map<String, String> m = new HashMap<>();
      for (int i = 0; i < n; i++) {
        m.put("k" + i, "v");
      }
      return m;
    }

    @Test
    void a_host_has_at_most_64_labels() {
      assertThat(InputChecks.check(new HostRegistered("acme", AT, "h1", labels(64)))).isNotNull();
      refused(new HostRegistered("acme", AT, "h1", labels(65)), "labels", "at most 64 entries");
    }

    @Test
    void a_heartbeat_has_at_most_64_metrics() {
      Map<String, Double> metrics = new HashMap<>();
      labels(65).keySet().forEach(k -> metrics.put(k, 1.0));
      refused(new Heartbeat("acme", AT, "h1", null, metrics), "metrics", "at most 64 entries");
    }

    @Test
    void a_plan_has_at_most_64_waves() {
      List<WavePlan> waves =
          Stream.iterate(0, i -> i + 1)
              .limit(65)
              .map(i -> wave("w" + i, Map.of(), Duration.ZERO))
              .toList();
      Plan plan = new Plan(waves, Duration.ofSeconds(30), 0.01, 0.01, 2.0, 600, Map.of(), 10);
      refused(new RolloutPlanned("acme", AT, "r1", "cf-1", plan), "plan.waves", "at most 64");
    }
  }

  @Nested
  class NumbersAndDurations {
    @Test
    void a_plan_limit_must_be_finite_which_the_plan_itself_checks() {
      assertThatThrownBy(
              () ->
                  plan(
                      wave("w", Map.of(), Duration.ZERO),
                      Duration.ofSeconds(30),
                      Map.of("cpu", Double.NaN)))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("limits[cpu]"));
    }

    @Test
    void bakes_timeouts_and_delays_are_at_most_ten_years() {
      Duration max = Duration.ofDays(3650);
      Duration over = max.plusMillis(1);
      Plan ok = plan(wave("w", Map.of(), max), max, Map.of());
      assertThat(InputChecks.check(new RolloutPlanned("acme", AT, "r1", "cf-1", ok))).isNotNull();
      refused(
          new RolloutPlanned(
              "acme", AT, "r1", "cf-1", plan(wave("w", Map.of(), over), max, Map.of())),
          "plan.waves[0].bake",
          "at most PT87600H");
      refused(
          new RolloutPlanned(
              "acme", AT, "r1", "cf-1", plan(wave("w", Map.of(), max), over, Map.of())),
          "plan.heartbeatTimeout",
          "at most");
      refused(new PolicySet("acme", AT, policy(null, List.of(), over)), "policy.delay", "at most");
    }
  }

  @Nested
  class OnlyTheSystemWrites {
    @Test
    void a_producer_may_not_report_as_the_host_stage_but_a_log_may_hold_it() {
      HostSilent silent = new HostSilent("acme", AT, "h1", AT, Detector.HOST_STAGE);
      refused(silent, "detector", "only the host stage");
      assertThat(InputChecks.logged(silent)).isSameAs(silent);
    }

    @Test
    void a_continuation_is_refused_at_the_doors_and_checked_in_a_log() {
      FanOutContinued next = new FanOutContinued("acme", AT, "r1", 3, false, "h7");
      refused(next, "type", "decision stage");
      assertThat(InputChecks.logged(next)).isSameAs(next);
      assertThatThrownBy(
              () -> InputChecks.logged(new FanOutContinued("acme", AT, "r1", 3, false, "h/7")))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("after"));
    }
  }

  @Nested
  class BeforeMapping {
    @Test
    void an_avro_string_beyond_1024_characters_is_refused_before_it_is_parsed() {
      dev.rolloutledger.avro.RolloutPlanned planned =
          dev.rolloutledger.avro.RolloutPlanned.newBuilder()
              .setTenant("acme")
              .setAt(AT)
              .setRollout("r1")
              .setRelease("cf-1")
              .setPlan(
                  dev.rolloutledger.avro.PlanSpec.newBuilder()
                      .setWaves(
                          List.of(
                              dev.rolloutledger.avro.WaveSpec.newBuilder()
                                  .setName("w")
                                  .setBake("P" + "0".repeat(2000) + "D")
                                  .build()))
                      .build())
              .build();

      assertThatThrownBy(() -> InputChecks.bounded(planned))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> {
                assertThat(e.field()).isEqualTo("plan.waves[0].bake");
                assertThat(e.problem()).isEqualTo("must be at most 1024 characters, was 2002");
              });
    }

    @Test
    void an_avro_map_beyond_64_entries_is_refused_naming_it() {
      Map<String, String> labels = Counts.labels(65);
      dev.rolloutledger.avro.HostRegistered host =
          dev.rolloutledger.avro.HostRegistered.newBuilder()
              .setTenant("acme")
              .setAt(AT)
              .setHost("h1")
              .setLabels(labels)
              .build();

      assertThatThrownBy(() -> InputChecks.bounded(host))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("labels"));
    }
  }
}
