package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.Scenario.TENANT;
import static dev.rolloutledger.domain.Scenario.capped;
import static dev.rolloutledger.domain.Scenario.percent;
import static dev.rolloutledger.domain.Scenario.wave;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Planning a large fleet in bounded transactions (ADR 0007): a plan binds at most {@link
 * EngineConfig#assignChunk()} hosts in one decision, the rest after each {@link
 * AssignmentContinued} that comes back through the journal, and the rollout stays PENDING until the
 * last host is bound. Every host ends in the wave that planning in one decision gives it.
 */
class AssignmentInChunksTest {

  static final int CHUNK = 3;

  static Scenario chunked(int chunk) {
    return new Scenario(new EngineConfig(Scenario.TTL).withAssignChunk(chunk));
  }

  /** Feeds back every continuation, as the journal does; returns every decision after the first. */
  static List<Decision> drain(Scenario s, Decision first) {
    List<Decision> rest = new ArrayList<>();
    List<LedgerInput> pending = new ArrayList<>(first.continuations());
    while (!pending.isEmpty()) {
      Decision d = s.apply(pending.remove(0));
      assertThat(s.engine.indexMatchesStore(TENANT)).isTrue();
      rest.add(d);
      pending.addAll(d.continuations());
    }
    return rest;
  }

  /** Each host's rollout and wave ("r1/canary"), by host id; "-" for a free host. */
  static Map<String, String> bindings(Scenario s) {
    Map<String, String> out = new TreeMap<>();
    for (HostRecord h : s.store.hosts(TENANT)) {
      out.put(h.host(), h.rollout() == null ? "-" : h.rollout() + "/" + h.wave());
    }
    return out;
  }

  static List<Object> published(List<Decision> decisions) {
    List<Object> out = new ArrayList<>();
    for (Decision d : decisions) {
      out.addAll(d.entries());
      out.addAll(d.commands());
      out.addAll(d.rejections());
    }
    return out;
  }

  static Plan threeWaves() {
    return new Plan(
        List.of(
            capped("canary", 2, "env", "dev"),
            percent("early", 50, "env", "prod"),
            wave("rest", "env", "prod")));
  }

  static void fleet(Scenario s) {
    s.hosts("dev", "d1", "d2", "d3");
    s.hosts("prod", "p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09", "p10");
    s.release("rel");
  }

  @Nested
  class A_large_plan {
    @Test
    void stays_pending_binding_a_chunk_at_a_time_and_starts_its_first_wave_after_the_last() {
      Scenario s = chunked(CHUNK);
      fleet(s);
      Decision plan = s.plan("r1", "rel", threeWaves());

      assertThat(plan.entries()).isEmpty();
      assertThat(plan.continuations())
          .singleElement()
          .isInstanceOfSatisfying(
              AssignmentContinued.class, c -> assertThat(c.rollout()).isEqualTo("r1"));
      RolloutState pending = s.rolloutState("r1");
      assertThat(pending.status()).isEqualTo(RolloutStatus.PENDING);
      assertThat(pending.assignment()).isNotNull();
      // the waves' sizes are fixed at once: 2 canaries, half of 10 prod hosts, the other half
      assertThat(pending.waves()).extracting(WaveCounts::assigned).containsExactly(2, 5, 5);
      assertThat(bindings(s).values()).filteredOn(b -> !b.equals("-")).hasSize(CHUNK);

      List<Decision> rest = drain(s, plan);
      assertThat(rest).hasSize(3); // 12 hosts, 3 a decision, the plan's own decision included
      assertThat(rest.subList(0, 2)).allSatisfy(d -> assertThat(d.entries()).isEmpty());
      assertThat(rest.get(2).entries()).first().isInstanceOf(WaveStarted.class);
      assertThat(((WaveStarted) rest.get(2).entries().get(0)).hosts()).containsExactly("d1", "d2");
      RolloutState started = s.rolloutState("r1");
      assertThat(started.status()).isEqualTo(RolloutStatus.ACTIVE);
      assertThat(started.assignment()).isNull();
    }

    @Test
    void binds_every_host_where_one_decision_would_and_publishes_the_same() {
      Scenario inChunks = chunked(CHUNK);
      fleet(inChunks);
      Decision first = inChunks.plan("r1", "rel", threeWaves());
      List<Decision> all = new ArrayList<>(List.of(first));
      all.addAll(drain(inChunks, first));

      Scenario atOnce = new Scenario();
      fleet(atOnce);
      Decision whole = atOnce.plan("r1", "rel", threeWaves());

      assertThat(bindings(inChunks)).isEqualTo(bindings(atOnce));
      assertThat(published(all)).isEqualTo(published(List.of(whole)));
      assertThat(inChunks.rolloutState("r1").waves()).isEqualTo(atOnce.rolloutState("r1").waves());
    }

    @Test
    void that_fits_one_chunk_is_decided_as_before() {
      Scenario s = chunked(100);
      fleet(s);
      Decision plan = s.plan("r1", "rel", threeWaves());
      assertThat(plan.continuations()).isEmpty();
      assertThat(plan.entries()).first().isInstanceOf(WaveStarted.class);
      assertThat(s.rolloutState("r1").assignment()).isNull();
    }

    @Test
    void looks_at_a_bounded_number_of_hosts_per_decision_for_a_rare_selector() {
      Scenario s = chunked(1);
      s.hosts("prod", "p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09", "p10");
      s.hosts("dev", "z1");
      s.release("rel");
      Decision plan = s.plan("r1", "rel", new Plan(List.of(wave("dev", "env", "dev"))));
      // 8 looks a decision: p01..p08, then p09, p10 and z1 (bound, the wave is full)
      assertThat(plan.continuations())
          .singleElement()
          .isInstanceOfSatisfying(
              AssignmentContinued.class, c -> assertThat(c.after()).isEqualTo("p08"));
      List<Decision> rest = drain(s, plan);
      assertThat(rest).hasSize(1);
      assertThat(bindings(s)).containsEntry("z1", "r1/dev").containsEntry("p01", "-");
    }
  }

  @Nested
  class While_hosts_are_being_bound {
    @Test
    void another_rollout_of_the_tenant_waits_and_then_takes_the_hosts_left() {
      Scenario s = chunked(CHUNK);
      fleet(s);
      Decision first = s.plan("r1", "rel", new Plan(List.of(capped("some", 8, "env", "prod"))));
      Decision second = s.plan("r2", "rel", new Plan(List.of(wave("all", "env", "prod"))));
      assertThat(second.isEmpty()).isTrue();
      assertThat(s.rolloutState("r2").status()).isEqualTo(RolloutStatus.PENDING);

      drain(s, first);
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.ACTIVE);
      assertThat(s.rolloutState("r2").status()).isEqualTo(RolloutStatus.ACTIVE);
      assertThat(bindings(s))
          .containsEntry("p08", "r1/some")
          .containsEntry("p09", "r2/all")
          .containsEntry("p10", "r2/all");
    }

    @Test
    void a_halt_stops_it_and_its_waves_keep_the_hosts_bound_so_far() {
      Scenario s = chunked(CHUNK);
      fleet(s);
      Decision plan = s.plan("r1", "rel", threeWaves());
      Decision halt = s.halt("r1");
      assertThat(halt.entries()).singleElement().isInstanceOf(RolloutHalted.class);
      // the Holds go to the hosts bound so far
      assertThat(Scenario.hostsOf(halt.commands())).containsExactly("d1", "d2", "p01");

      List<Decision> rest = drain(s, plan);
      assertThat(rest).singleElement().satisfies(d -> assertThat(d.isEmpty()).isTrue());
      RolloutState halted = s.rolloutState("r1");
      assertThat(halted.assignment()).isNull();
      assertThat(halted.waves()).extracting(WaveCounts::assigned).containsExactly(2, 1, 0);
      assertThat(bindings(s)).containsEntry("p02", "-");
    }

    @Test
    void a_host_that_registers_is_bound_if_its_wave_still_has_room() {
      Scenario s = chunked(CHUNK);
      fleet(s);
      Decision plan = s.plan("r1", "rel", new Plan(List.of(capped("some", 8, "env", "prod"))));
      s.host("p00a", "env", "prod"); // before the cursor (p03): stays free
      s.host("p05a", "env", "prod"); // after it: bound, and pushes p08 out of the wave
      drain(s, plan);
      assertThat(bindings(s))
          .containsEntry("p00a", "-")
          .containsEntry("p05a", "r1/some")
          .containsEntry("p07", "r1/some")
          .containsEntry("p08", "-");
    }

    @Test
    void a_restart_between_chunks_decides_the_same() {
      Scenario uninterrupted = chunked(CHUNK);
      fleet(uninterrupted);
      Decision first = uninterrupted.plan("r1", "rel", threeWaves());
      List<Decision> expected = drain(uninterrupted, first);

      Scenario s = chunked(CHUNK);
      fleet(s);
      Decision plan = s.plan("r1", "rel", threeWaves());
      Decision second = s.apply(plan.continuations().get(0));
      // a new engine on the same store: the index is rebuilt from it
      RolloutEngine restarted =
          new RolloutEngine(s.store, new EngineConfig(Scenario.TTL).withAssignChunk(CHUNK));
      List<Decision> after = new ArrayList<>(List.of(second));
      List<LedgerInput> pending = new ArrayList<>(second.continuations());
      while (!pending.isEmpty()) {
        Decision d = restarted.apply(pending.remove(0));
        after.add(d);
        pending.addAll(d.continuations());
      }
      assertThat(after).isEqualTo(expected);
    }
  }

  static LongStream seeds() {
    return Seeds.seeds(300);
  }

  /** Any fleet, any plan, any chunk: the same hosts in the same waves as one decision. */
  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource("seeds")
  void any_plan_binds_as_one_decision_would(long seed) {
    Seeds.check(
        seed,
        random -> {
          int hosts = Seeds.ints(random, 0, 40);
          List<String[]> fleet = new ArrayList<>();
          for (int i = 0; i < hosts; i++) {
            String env = Seeds.oneOf(random, "dev", "stage", "prod");
            String zone = Seeds.oneOf(random, "a", "b");
            fleet.add(new String[] {"h" + Seeds.ints(random, 0, 999), "env", env, "zone", zone});
          }
          List<WavePlan> waves = new ArrayList<>();
          int count = Seeds.ints(random, 1, 4);
          for (int w = 0; w < count; w++) {
            String key = Seeds.oneOf(random, "env", "zone");
            String value =
                key.equals("env")
                    ? Seeds.oneOf(random, "dev", "stage", "prod")
                    : Seeds.oneOf(random, "a", "b");
            waves.add(randomWave(random, "w" + w, key, value));
          }
          Plan plan = new Plan(waves);
          int chunk = Seeds.ints(random, 1, 7);

          Scenario inChunks = chunked(chunk);
          Scenario atOnce = new Scenario();
          for (Scenario s : List.of(inChunks, atOnce)) {
            for (String[] h : fleet) {
              s.host(h[0], h[1], h[2], h[3], h[4]);
            }
            s.release("rel");
          }
          Decision first = inChunks.plan("r1", "rel", plan);
          List<Decision> all = new ArrayList<>(List.of(first));
          all.addAll(drain(inChunks, first));
          Decision whole = atOnce.plan("r1", "rel", plan);

          assertThat(bindings(inChunks)).isEqualTo(bindings(atOnce));
          assertThat(published(all)).isEqualTo(published(List.of(whole)));
          assertThat(inChunks.rolloutState("r1")).isEqualTo(atOnce.rolloutState("r1"));
        });
  }

  private static WavePlan randomWave(SplittableRandom random, String name, String key, String v) {
    int kind = Seeds.ints(random, 0, 2);
    if (kind == 0) {
      return capped(name, Seeds.ints(random, 1, 10), key, v);
    }
    if (kind == 1) {
      return percent(name, Seeds.ints(random, 1, 100), key, v);
    }
    return wave(name, key, v);
  }
}
