package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.AssignmentInChunksTest.bindings;
import static dev.rolloutledger.domain.AssignmentInChunksTest.chunked;
import static dev.rolloutledger.domain.AssignmentInChunksTest.drain;
import static dev.rolloutledger.domain.AssignmentInChunksTest.published;
import static dev.rolloutledger.domain.Scenario.TENANT;
import static dev.rolloutledger.domain.Scenario.wave;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.testing.Seeds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A wave in batches becomes consecutive waves {@code NAME.1} .. {@code NAME.k} when its rollout
 * starts; a spread wave takes at most N hosts per label value. Both bind the same hosts whether
 * planning binds them at once or chunk by chunk.
 */
class BatchesAndSpreadTest {

  private static final Duration BATCH_BAKE = Duration.ofMinutes(10);
  private static final Duration BAKE = Duration.ofHours(1);

  private static WavePlan batched(WavePlan wave, int batches) {
    return wave.withBake(BAKE).inBatches(batches, BATCH_BAKE);
  }

  private static WavePlan inBatchesOf(WavePlan w, int size) {
    return new WavePlan(
        w.name(),
        w.selector(),
        w.hosts(),
        w.percent(),
        w.maxCrashFraction(),
        w.minCrashes(),
        BAKE,
        w.approval(),
        w.maxFailureRate(),
        null,
        size,
        BATCH_BAKE,
        null);
  }

  private static List<String> waveNames(RolloutState rollout) {
    return rollout.plan().waves().stream().map(WavePlan::name).toList();
  }

  private static List<Integer> sizes(RolloutState rollout) {
    return rollout.waves().stream().map(WaveCounts::assigned).toList();
  }

  /** Every host of the current wave applies and is watched for a heartbeat timeout. */
  private static Decision applyCurrentWave(Scenario s, String rollout) {
    RolloutState r = s.rolloutState(rollout);
    String wave = r.plan().waves().get(r.currentWave()).name();
    for (HostRecord h : s.store.hosts(TENANT)) {
      if (rollout.equals(h.rollout()) && wave.equals(h.wave())) {
        s.applied(h.host(), r.release());
      }
    }
    return s.settle();
  }

  @Nested
  class A_batched_wave {

    @Test
    void becomes_consecutive_waves_of_near_equal_size_once_its_hosts_are_known() {
      Scenario s = new Scenario();
      s.hosts("prod", "p1", "p2", "p3", "p4", "p5", "p6", "p7");

      Decision d = s.rollout("r1", "rel", batched(wave("prod", "env", "prod"), 3));

      RolloutState r = s.rolloutState("r1");
      assertThat(waveNames(r)).containsExactly("prod.1", "prod.2", "prod.3");
      assertThat(sizes(r)).containsExactly(3, 2, 2);
      assertThat(r.plan().waves())
          .extracting(WavePlan::bake)
          .containsExactly(BATCH_BAKE, BATCH_BAKE, BAKE);
      assertThat(d.entries())
          .filteredOn(WaveStarted.class::isInstance)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(((WaveStarted) e).wave()).isEqualTo("prod.1");
                assertThat(((WaveStarted) e).hosts()).containsExactly("p1", "p2", "p3");
              });
      assertThat(s.hostRecord("p4").wave()).isEqualTo("prod.2");
      assertThat(s.hostRecord("p7").wave()).isEqualTo("prod.3");
    }

    @Test
    void each_batch_bakes_its_batch_bake_and_is_promoted_in_the_ledger_as_a_wave() {
      Scenario s = new Scenario();
      s.hosts("prod", "p1", "p2", "p3", "p4");
      s.rollout("r1", "rel", batched(wave("prod", "env", "prod"), 2));

      Decision applied = applyCurrentWave(s, "r1");
      assertThat(applied.entries()).noneMatch(WavePromoted.class::isInstance); // baking
      List<LedgerEntry> baked = new ArrayList<>();
      java.time.Instant bakedAt = Scenario.START.plus(BATCH_BAKE).plus(Duration.ofMinutes(1));
      while (s.now.isBefore(bakedAt)) {
        baked.addAll(s.settle().entries()); // healthy hosts heartbeat while the batch bakes
      }

      assertThat(baked)
          .filteredOn(WavePromoted.class::isInstance)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(((WavePromoted) e).wave()).isEqualTo("prod.1");
                // the rollout started at START + a few seconds: not promoted before its batch bake
                assertThat(e.at()).isAfter(Scenario.START.plus(BATCH_BAKE));
              });
      assertThat(baked)
          .filteredOn(WaveStarted.class::isInstance)
          .extracting(e -> ((WaveStarted) e).hosts())
          .containsExactly(List.of("p3", "p4"));
      assertThat(s.rolloutState("r1").currentWave()).isEqualTo(1);
    }

    @Test
    void in_batches_of_a_size_has_a_smaller_last_one() {
      Scenario s = new Scenario();
      s.hosts("prod", "p1", "p2", "p3", "p4", "p5");

      s.rollout(
          "r1", "rel", wave("dev", "env", "dev"), inBatchesOf(wave("prod", "env", "prod"), 2));

      RolloutState r = s.rolloutState("r1");
      assertThat(waveNames(r)).containsExactly("dev", "prod.1", "prod.2", "prod.3");
      assertThat(sizes(r)).containsExactly(0, 2, 2, 1);
    }

    @Test
    void with_no_matching_host_is_one_empty_batch_that_passes_at_once() {
      Scenario s = new Scenario();
      s.hosts("dev", "d1");

      s.rollout("r1", "rel", batched(wave("prod", "env", "prod"), 3), wave("dev", "env", "dev"));

      RolloutState r = s.rolloutState("r1");
      assertThat(waveNames(r)).containsExactly("prod.1", "dev");
      assertThat(r.currentWave()).isEqualTo(1);
    }

    @Test
    void an_emergency_compresses_the_batch_bake_too() {
      Plan plan = new Plan(List.of(batched(wave("prod", "env", "prod"), 3)));

      WavePlan compressed = plan.forSeverity(Severity.EMERGENCY).waves().get(0);

      assertThat(compressed.batchBake()).isEqualTo(BATCH_BAKE.dividedBy(10));
      assertThat(compressed.bake()).isEqualTo(BAKE.dividedBy(10));
      assertThat(compressed.batches(30))
          .extracting(WavePlan::bake)
          .containsExactly(BATCH_BAKE.dividedBy(10), BATCH_BAKE.dividedBy(10), BAKE.dividedBy(10));
    }

    @Test
    void a_late_host_joins_its_last_batch() {
      Scenario s = new Scenario();
      s.hosts("prod", "p1", "p2", "p3", "p4");
      s.rollout("r1", "rel", batched(wave("prod", "env", "prod"), 2));

      s.host("p9", "env", "prod");

      assertThat(s.hostRecord("p9").wave()).isEqualTo("prod.2");
      assertThat(sizes(s.rolloutState("r1"))).containsExactly(2, 3);
    }

    @Test
    void approved_before_it_was_split_has_its_first_batch_approved() {
      Scenario s = new Scenario();
      s.hosts("prod", "p1", "p2");
      WavePlan gated =
          new WavePlan("prod", Map.of("env", "prod"), null, null, 0.2, 1, BAKE, true, null)
              .inBatches(2, BATCH_BAKE);
      s.plan("r1", "rel", new Plan(List.of(gated))); // the release is not known yet: PENDING
      s.apply(new ApprovalGranted(TENANT, s.tick(), "r1", "prod", "ops"));

      s.release("rel");

      RolloutState r = s.rolloutState("r1");
      assertThat(r.plan().waves()).extracting(WavePlan::approval).containsExactly(true, false);
      assertThat(r.approved("prod.1")).isTrue();
    }
  }

  @Nested
  class Batches_of_a_wave {
    private final WavePlan prod = wave("prod", "env", "prod").withBake(BAKE);

    @Test
    void are_at_most_one_per_host_and_at_most_max_batches() {
      assertThat(prod.inBatches(5, BATCH_BAKE).batches(2)).hasSize(2);
      List<WavePlan> many = inBatchesOf(prod, 1).batches(120);
      assertThat(many).hasSize(WavePlan.MAX_BATCHES);
      // capped: near-equal, the last one takes the rest of the wave
      assertThat(many.get(0).hosts()).isEqualTo(3);
      assertThat(many.get(WavePlan.MAX_BATCHES - 2).hosts()).isEqualTo(2);
      assertThat(many.get(WavePlan.MAX_BATCHES - 1).hosts()).isNull();
    }

    @Test
    void of_a_capped_wave_keep_the_caps_room_in_the_last_one() {
      WavePlan capped =
          new WavePlan("prod", Map.of(), 10, null, 0.2, 1, BAKE).inBatches(2, BATCH_BAKE);

      assertThat(capped.batches(6)).extracting(WavePlan::hosts).containsExactly(3, 7);
    }

    @Test
    void of_a_percent_wave_are_exact() {
      WavePlan share =
          new WavePlan("prod", Map.of(), null, 50, 0.2, 1, BAKE).inBatches(2, BATCH_BAKE);

      assertThat(share.batches(5)).extracting(WavePlan::hosts).containsExactly(3, 2);
      assertThat(share.batches(5)).extracting(WavePlan::percent).containsOnlyNulls();
    }
  }

  @Nested
  class Validation {
    @Test
    void refuses_batches_with_batch_size_a_single_batch_and_a_batch_bake_without_batches() {
      WavePlan w = wave("prod");
      assertThatThrownBy(() -> field(w, 2, 5, Duration.ZERO, null))
          .hasMessage("batchSize and batches are mutually exclusive");
      assertThatThrownBy(() -> field(w, 1, null, Duration.ZERO, null))
          .hasMessage("batches must be >= 2");
      assertThatThrownBy(() -> field(w, null, 0, Duration.ZERO, null))
          .hasMessage("batchSize must be >= 1");
      assertThatThrownBy(() -> field(w, null, null, BATCH_BAKE, null))
          .hasMessage("batchBake needs batches or batchSize");
      assertThatThrownBy(() -> field(w, 2, null, Duration.ofMinutes(-1), null))
          .hasMessage("batchBake must not be negative");
    }

    @Test
    void refuses_a_spread_in_batches_and_a_spread_without_its_label_or_hosts() {
      assertThatThrownBy(() -> field(wave("w"), 2, null, Duration.ZERO, new Spread("branch", 2)))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("spread"));
      assertThatThrownBy(() -> new Spread(" ", 2)).hasMessage("by must not be blank");
      assertThatThrownBy(() -> new Spread("branch", 0)).hasMessage("hosts must be >= 1");
    }

    @Test
    void refuses_a_wave_named_as_a_batch_of_another() {
      assertThatThrownBy(() -> new Plan(List.of(batched(wave("prod"), 2), wave("prod.2"))))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("waves[1].name"));
      // not a batch name: the wave is not batched, or the suffix is not a number
      assertThat(new Plan(List.of(wave("prod"), wave("prod.2"))).waves()).hasSize(2);
      assertThat(new Plan(List.of(batched(wave("prod"), 2), wave("prod.eu"))).waves()).hasSize(2);
    }

    private WavePlan field(
        WavePlan w, Integer batches, Integer batchSize, Duration batchBake, Spread spread) {
      return new WavePlan(
          w.name(),
          w.selector(),
          w.hosts(),
          w.percent(),
          w.maxCrashFraction(),
          w.minCrashes(),
          w.bake(),
          w.approval(),
          w.maxFailureRate(),
          batches,
          batchSize,
          batchBake,
          spread);
    }
  }

  @Nested
  class A_spread_wave {

    private void branches(Scenario s) {
      s.host("a1", "env", "prod", "branch", "paris");
      s.host("a2", "env", "prod", "branch", "lyon");
      s.host("a3", "env", "prod", "branch", "paris");
      s.host("a4", "env", "prod", "branch", "paris");
      s.host("a5", "env", "prod");
      s.host("a6", "env", "dev", "branch", "lyon");
      s.host("a7", "env", "prod", "branch", "nice");
    }

    @Test
    void takes_at_most_n_hosts_of_each_label_value_in_host_id_order() {
      Scenario s = new Scenario();
      branches(s);

      s.rollout(
          "r1",
          "rel",
          wave("canaries", "env", "prod").spreadBy("branch", 2),
          wave("rest", "env", "prod"));

      Map<String, String> b = bindings(s);
      assertThat(b)
          .containsEntry("a1", "r1/canaries")
          .containsEntry("a2", "r1/canaries")
          .containsEntry("a3", "r1/canaries")
          .containsEntry("a4", "r1/rest") // paris has two already
          .containsEntry("a5", "r1/rest") // no branch label: never taken by the spread
          .containsEntry("a6", "-") // not prod
          .containsEntry("a7", "r1/canaries");
      assertThat(sizes(s.rolloutState("r1"))).containsExactly(4, 2);
    }

    @Test
    void with_a_hosts_cap_takes_the_first_hosts_of_its_spread() {
      Scenario s = new Scenario();
      branches(s);

      s.rollout(
          "r1",
          "rel",
          Scenario.capped("canaries", 2, "env", "prod").spreadBy("branch", 1),
          wave("rest", "env", "prod"));

      assertThat(bindings(s))
          .containsEntry("a1", "r1/canaries")
          .containsEntry("a2", "r1/canaries")
          .containsEntry("a7", "r1/rest");
    }

    @Test
    void gives_room_to_a_late_host_only_while_its_label_value_has_fewer_than_n() {
      Scenario s = new Scenario();
      branches(s);
      s.rollout(
          "r1",
          "rel",
          wave("canaries", "env", "prod").spreadBy("branch", 2),
          wave("rest", "env", "prod"));

      s.host("b1", "env", "prod", "branch", "lyon");
      s.host("b2", "env", "prod", "branch", "paris");
      s.host("b3", "env", "prod", "branch", "lyon");

      assertThat(s.hostRecord("b1").wave()).isEqualTo("canaries");
      assertThat(s.hostRecord("b2").wave()).isEqualTo("rest");
      assertThat(s.hostRecord("b3").wave()).isEqualTo("rest");
    }
  }

  @Nested
  class Chunked_assignment {

    private Plan plan(int perBranch, Integer cap) {
      return new Plan(
          List.of(
              Scenario.wave("canaries", cap, null, "env", "prod").spreadBy("branch", perBranch),
              batched(wave("prod", "env", "prod"), 3),
              inBatchesOf(wave("dev", "env", "dev"), 2)));
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("seeds")
    void binds_the_same_hosts_and_publishes_the_same_as_one_decision(long seed) {
      Seeds.check(
          seed,
          random -> {
            int hosts = Seeds.ints(random, 0, 40);
            int chunk = Seeds.ints(random, 1, 7);
            int perBranch = Seeds.ints(random, 1, 3);
            Integer cap = random.nextBoolean() ? null : Seeds.ints(random, 1, 8);
            Map<String, String[]> fleet = new TreeMap<>();
            for (int i = 0; i < hosts; i++) {
              String env = Seeds.oneOf(random, "prod", "prod", "dev", "qa");
              String branch = Seeds.oneOf(random, "b1", "b2", "b3", "b4", null);
              fleet.put(
                  String.format("h%03d", i),
                  branch == null
                      ? new String[] {"env", env}
                      : new String[] {"env", env, "branch", branch});
            }
            Scenario inChunks = chunked(chunk);
            Scenario atOnce = new Scenario();
            for (Scenario s : List.of(inChunks, atOnce)) {
              fleet.forEach(s::host);
              s.release("rel");
            }

            Decision first = inChunks.plan("r1", "rel", plan(perBranch, cap));
            List<Decision> all = new ArrayList<>(List.of(first));
            all.addAll(drain(inChunks, first));
            Decision whole = atOnce.plan("r1", "rel", plan(perBranch, cap));

            assertThat(bindings(inChunks)).isEqualTo(bindings(atOnce));
            assertThat(published(all)).isEqualTo(published(List.of(whole)));
            assertThat(inChunks.rolloutState("r1").waves())
                .isEqualTo(atOnce.rolloutState("r1").waves());
            Map<String, Integer> perValue = new java.util.HashMap<>();
            for (HostRecord h : atOnce.store.hosts(TENANT)) {
              if ("canaries".equals(h.wave())) {
                perValue.merge(h.labels().get("branch"), 1, Integer::sum);
              }
            }
            assertThat(perValue.values())
                .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(perBranch));
            assertThat(perValue).doesNotContainKey(null);
          });
    }

    static java.util.stream.LongStream seeds() {
      return Seeds.seeds(100);
    }
  }
}
