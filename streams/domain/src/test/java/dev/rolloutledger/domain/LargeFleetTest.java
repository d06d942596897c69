package dev.rolloutledger.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Planning, rebuilding the index and halting over tens of thousands of hosts (the bulk paths of
 * {@link FleetIndex}) decide as the rules say host by host: the same waves, the same commands.
 */
class LargeFleetTest {
  private static final String T = "acme";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final String SHA = "ab".repeat(32);
  private static final int HOSTS = 20_000;

  private final InMemoryLedgerStore store = new InMemoryLedgerStore();
  private final RolloutEngine engine = new RolloutEngine(store, EngineConfig.defaults());

  private static String id(int i) {
    // not registered in id order, and ids of two lengths, so the store's order is what sorts
    return String.format(Locale.ROOT, i % 3 == 0 ? "h%d" : "host-%06d", (i * 7919) % HOSTS);
  }

  private static Map<String, String> labels(int i) {
    return Map.of("region", i % 5 == 0 ? "eu" : "us", "tier", i % 2 == 0 ? "web" : "db");
  }

  private void register() {
    for (int i = 0; i < HOSTS; i++) {
      engine.apply(new HostRegistered(T, T0, id(i), labels(i)));
    }
    engine.apply(new ReleasePublished(T, T0, "rel-1", "agent", "1", SHA, "ci", Severity.NORMAL));
    engine.apply(new ReleasePublished(T, T0, "rel-2", "agent", "2", SHA, "ci", Severity.NORMAL));
  }

  private static Plan threeWaves() {
    return new Plan(
        List.of(
            new WavePlan("canary", Map.of("region", "eu"), 150, null, 0.25, 1, Duration.ofDays(1)),
            new WavePlan("web", Map.of("tier", "web"), null, 30, 0.25, 1, Duration.ofDays(1)),
            new WavePlan("rest", Map.of(), null, null, 0.25, 1, Duration.ofDays(1))));
  }

  /** The rule of the engine's Javadoc, host by host: free hosts by id, first wave with room. */
  private static List<List<String>> expectedWaves(List<HostRecord> free, Plan plan) {
    Set<String> taken = new TreeSet<>();
    List<List<String>> waves = new ArrayList<>();
    for (WavePlan wave : plan.waves()) {
      List<String> matching = new ArrayList<>();
      for (HostRecord h : free) {
        if (!taken.contains(h.host()) && wave.matches(h.labels())) {
          matching.add(h.host());
        }
      }
      List<String> members = matching.subList(0, (int) wave.capacity(matching.size()));
      taken.addAll(members);
      waves.add(List.copyOf(members));
    }
    return waves;
  }

  @Nested
  class Planning {
    @Test
    void assigns_free_hosts_in_id_order_to_the_first_wave_with_room() {
      register();
      List<HostRecord> free = store.hosts(T);
      List<List<String>> expected = expectedWaves(free, threeWaves());

      Decision d = engine.apply(new RolloutPlanned(T, T0, "r-1", "rel-1", threeWaves()));

      WaveStarted started = (WaveStarted) d.entries().get(0);
      assertThat(started.hosts()).isEqualTo(expected.get(0)).hasSize(150);
      for (int w = 0; w < 3; w++) {
        String wave = threeWaves().waves().get(w).name();
        List<String> bound =
            store.hosts(T).stream()
                .filter(h -> wave.equals(h.wave()))
                .map(HostRecord::host)
                .toList();
        assertThat(bound).as("wave %s", wave).isEqualTo(expected.get(w));
      }
      assertThat(engine.indexMatchesStore(T)).isTrue();
    }

    @Test
    void takes_the_hosts_of_a_halted_rollout_and_leaves_those_of_an_active_one() {
      register();
      Plan firstTwoThousand =
          new Plan(
              List.of(new WavePlan("all", Map.of(), 2_000, null, 0.25, 1, Duration.ofDays(1))));
      engine.apply(new RolloutPlanned(T, T0, "r-0", "rel-1", firstTwoThousand));
      engine.apply(new ManualHalt(T, T0.plusSeconds(1), "r-0", "ops", "test"));
      Plan next =
          new Plan(
              List.of(new WavePlan("all", Map.of(), 3_000, null, 0.25, 1, Duration.ofDays(1))));
      engine.apply(new RolloutPlanned(T, T0.plusSeconds(2), "r-1", "rel-1", next));
      List<HostRecord> free =
          store.hosts(T).stream()
              .filter(h -> h.rollout() == null || h.rollout().equals("r-0"))
              .toList();
      List<List<String>> expected = expectedWaves(free, threeWaves());

      Decision d =
          engine.apply(new RolloutPlanned(T, T0.plusSeconds(3), "r-2", "rel-2", threeWaves()));

      assertThat(((WaveStarted) d.entries().get(0)).hosts()).isEqualTo(expected.get(0));
      assertThat(store.hosts(T).stream().filter(h -> "r-1".equals(h.rollout())).count())
          .isEqualTo(3_000);
      assertThat(engine.indexMatchesStore(T)).isTrue();
    }
  }

  @Nested
  class RestartAndHalt {
    @Test
    void an_engine_with_a_rebuilt_index_halts_with_a_hold_to_every_host_of_the_rollout() {
      // Given two stores fed the same log, the second's engine replaced (index rebuilt) at the end
      InMemoryLedgerStore other = new InMemoryLedgerStore();
      RolloutEngine before = new RolloutEngine(other, EngineConfig.defaults());
      List<LedgerInput> log = new ArrayList<>();
      for (int i = 0; i < HOSTS; i++) {
        log.add(new HostRegistered(T, T0, id(i), labels(i)));
      }
      log.add(new ReleasePublished(T, T0, "rel-1", "agent", "1", SHA, "ci", Severity.NORMAL));
      log.add(new RolloutPlanned(T, T0, "r-1", "rel-1", threeWaves()));
      for (int i = 0; i < 500; i++) {
        log.add(new Heartbeat(T, T0.plusSeconds(i % 50), id(i), "rel-1", Map.of()));
      }
      for (LedgerInput input : log) {
        assertThat(before.apply(input)).isEqualTo(engine.apply(input));
      }
      RolloutEngine restarted = new RolloutEngine(other, EngineConfig.defaults());

      // When both halt
      ManualHalt halt = new ManualHalt(T, T0.plusSeconds(60), "r-1", "ops", "bad release");
      Decision a = engine.apply(halt);
      Decision b = restarted.apply(halt);

      // Then they decide the same: a Hold to each host, with the release's digest
      assertThat(b).isEqualTo(a);
      assertThat(restarted.indexMatchesStore(T)).isTrue();
      assertThat(a.commands()).hasSize(HOSTS).allMatch(Hold.class::isInstance);
      assertThat(a.commands()).extracting(HostCommand::sha256).containsOnly(SHA);
      assertThat(a.commands().stream().map(HostCommand::host).distinct().count()).isEqualTo(HOSTS);
    }
  }
}
