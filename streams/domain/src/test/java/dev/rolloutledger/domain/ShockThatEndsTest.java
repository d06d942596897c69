package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.Scenario.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.gate.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A regional shock that ends (docs/decision-quality.md, "The shock after it ends"): a canary of 10
 * hosts (a00..a09, cap 20%) and a baseline of 20 (b00..b19); from second 60 to 660 a00..a02 and
 * b00..b05 are dark (30% of each cohort), then every host is back. The shock guard keeps the cap
 * quiet during the shock. Afterwards, with {@link EngineConfig#silenceCountsWhileItLasts}, the
 * hosts that are back no longer count toward the cap, so one background silence does not tip it;
 * hosts that stay dead still count, so a bad release hidden by a shock still halts.
 */
class ShockThatEndsTest {

  private static final Duration TIMEOUT = Plan.DEFAULT_HEARTBEAT_TIMEOUT;
  private static final int SHOCK_FROM = 60;
  private static final int SHOCK_UNTIL = 660;
  private static final List<String> CANARY = ids("a", 10);
  private static final List<String> BASELINE = ids("b", 20);
  private static final List<String> DARK_IN_SHOCK =
      List.of("a00", "a01", "a02", "b00", "b01", "b02", "b03", "b04", "b05");

  private static List<String> ids(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(String.format("%s%02d", prefix, i));
    }
    return out;
  }

  /** The world under {@code config}, the canary applied at second 0 ({@code t0}). */
  private static final class World {
    final Scenario s;
    final boolean absorbed;
    final Instant t0;
    final Map<String, Integer> lastBeat = new java.util.HashMap<>();
    final java.util.Set<String> reported = new java.util.HashSet<>();

    World(EngineConfig config) {
      s = new Scenario(config);
      absorbed = config.heartbeatsAbsorbed();
      for (String h : CANARY) {
        s.host(h, "env", "prod");
      }
      for (String h : BASELINE) {
        s.host(h, "env", "prod");
      }
      WavePlan canary =
          new WavePlan("canary", Map.of("env", "prod"), 10, null, 0.2, 1, Duration.ofHours(1));
      s.release("rel");
      s.plan(
          "r1",
          "rel",
          new Plan(
              List.of(canary, Scenario.wave("rest", "env", "prod")),
              TIMEOUT,
              Plan.DEFAULT_ALPHA,
              Plan.DEFAULT_BETA,
              Plan.DEFAULT_TOLERATED_RATIO,
              Plan.DEFAULT_MAX_DISPATCH_PER_MINUTE,
              Map.of("cpu", 0.95),
              Plan.DEFAULT_EMERGENCY_COMPRESSION));
      for (String h : CANARY) {
        s.applied(h, "rel");
      }
      t0 = s.now.plusSeconds(1);
    }

    /**
     * Seconds {@code from} to {@code to} (exclusive): each host up at a second beats every 10 s
     * (phase: its index), then the clock ticks. With heartbeats absorbed, the journal holds what
     * the host stage forwards: its report of a host quiet for half the timeout less a tick, and the
     * first heartbeat after a report.
     */
    void run(int from, int to, BiPredicate<String, Integer> up) {
      for (int sec = from; sec < to; sec++) {
        Instant at = t0.plusSeconds(sec);
        s.now = at;
        for (List<String> cohort : List.of(CANARY, BASELINE)) {
          for (int i = 0; i < cohort.size(); i++) {
            String h = cohort.get(i);
            if (sec % 10 == i % 10 && up.test(h, sec)) {
              beat(h, sec, at);
            } else if (absorbed && !reported.contains(h)) {
              int last = lastBeat.getOrDefault(h, -1);
              if (sec - last >= TIMEOUT.toSeconds() / 2 - 1) {
                reported.add(h);
                s.apply(new HostSilent(TENANT, at, h, t0.plusSeconds(last), Detector.HOST_STAGE));
              }
            }
          }
        }
        s.apply(new ClockTick(TENANT, at));
      }
    }

    private void beat(String h, int sec, Instant at) {
      lastBeat.put(h, sec);
      if (absorbed && !reported.remove(h)) {
        return; // "still alive": absorbed by the host stage
      }
      String release = h.startsWith("a") ? "rel" : "rel-old";
      s.apply(new Heartbeat(TENANT, at, h, release, Map.of()));
    }

    /** The shock from 60 to 660, then {@code later} down from second 900 for good. */
    World shockThen(List<String> deadForGood, List<String> later) {
      run(
          0,
          1_200,
          (h, sec) -> {
            if (deadForGood.contains(h) && sec >= SHOCK_FROM) {
              return false;
            }
            if (DARK_IN_SHOCK.contains(h) && sec >= SHOCK_FROM && sec < SHOCK_UNTIL) {
              return false;
            }
            return !later.contains(h) || sec < 900;
          });
      return this;
    }

    RolloutStatus status() {
      return s.rolloutState("r1").status();
    }

    RolloutHalted halt() {
      return s.allEntries().stream()
          .filter(e -> e instanceof RolloutHalted)
          .map(RolloutHalted.class::cast)
          .findFirst()
          .orElseThrow();
    }
  }

  private static EngineConfig everyHeartbeat(boolean whileItLasts) {
    return new EngineConfig(Scenario.TTL).withSilenceCountsWhileItLasts(whileItLasts);
  }

  private static EngineConfig absorbed(boolean whileItLasts) {
    EngineConfig v2 = new EngineConfig(Scenario.TTL).journalV2();
    return whileItLasts ? new EngineConfig(Scenario.TTL).journalV3() : v2;
  }

  @Nested
  class SilenceCountsWhileItLasts {
    @Test
    void the_guard_holds_during_the_shock() {
      World w = new World(everyHeartbeat(true));
      w.run(0, SHOCK_UNTIL, (h, sec) -> !DARK_IN_SHOCK.contains(h) || sec < SHOCK_FROM);

      assertThat(w.status()).isEqualTo(RolloutStatus.ACTIVE);
      assertThat(w.s.rolloutState("r1").counts(0).silent()).isEqualTo(3);
    }

    @Test
    void after_the_shock_one_background_silence_does_not_halt() {
      World w = new World(everyHeartbeat(true)).shockThen(List.of(), List.of("a03"));

      assertThat(w.status()).isEqualTo(RolloutStatus.ACTIVE);
      // the silences stay in the counts and the evidence: only the cap no longer counts them
      assertThat(w.s.rolloutState("r1").counts(0).silent()).isEqualTo(4);
      assertThat(w.s.hostRecord("a00").silent()).isTrue();
    }

    @Test
    void with_heartbeats_absorbed_one_background_silence_after_the_shock_does_not_halt() {
      World w = new World(absorbed(true)).shockThen(List.of(), List.of("a03"));

      assertThat(w.status()).isEqualTo(RolloutStatus.ACTIVE);
      assertThat(w.s.rolloutState("r1").counts(0).silent()).isEqualTo(4);
    }

    @Test
    void hosts_the_shock_hid_that_never_come_back_halt_at_the_next_failure() {
      // the release kills a00..a02 as the region goes dark: they never come back
      World w =
          new World(everyHeartbeat(true)).shockThen(List.of("a00", "a01", "a02"), List.of("a03"));

      assertThat(w.status()).isEqualTo(RolloutStatus.HALTED);
      RolloutHalted halted = w.halt();
      assertThat(halted.reason()).isEqualTo(RolloutEngine.SILENCE);
      assertThat(halted.at()).isAfter(w.t0.plusSeconds(900)).isBefore(w.t0.plusSeconds(940));
      assertThat(halted.evidence()).containsEntry("newlySilent", "a03");
      assertThat(halted.evidence()).doesNotContainKey(Gate.SILENT_BACK);
    }

    @Test
    void with_heartbeats_absorbed_hosts_that_never_come_back_still_halt() {
      World w = new World(absorbed(true)).shockThen(List.of("a00", "a01", "a02"), List.of("a03"));

      assertThat(w.status()).isEqualTo(RolloutStatus.HALTED);
      assertThat(w.halt().reason()).isEqualTo(RolloutEngine.SILENCE);
    }

    @Test
    void a_release_that_kills_every_canary_host_during_the_shock_halts_during_it() {
      World w = new World(everyHeartbeat(true));
      w.run(
          0,
          SHOCK_UNTIL,
          (h, sec) -> sec < SHOCK_FROM || !(h.startsWith("a") || DARK_IN_SHOCK.contains(h)));

      assertThat(w.status()).isEqualTo(RolloutStatus.HALTED);
      // the baseline fails at 30%, under half the canary's 100%: no shared shock
      assertThat(w.halt().at()).isBefore(w.t0.plusSeconds(SHOCK_FROM + TIMEOUT.toSeconds() + 2));
    }

    @Test
    void a_host_back_from_the_shock_that_then_reports_a_crash_counts_by_its_crash() {
      World w = new World(everyHeartbeat(true)).shockThen(List.of(), List.of());
      assertThat(w.status()).isEqualTo(RolloutStatus.ACTIVE);

      w.s.crash("a00", "rel");
      w.s.crash("a01", "rel");
      assertThat(w.status()).isEqualTo(RolloutStatus.ACTIVE); // 2 of 10: not over 20%
      w.s.crash("a02", "rel");

      assertThat(w.status()).isEqualTo(RolloutStatus.HALTED);
      assertThat(w.halt().reason()).isEqualTo(RolloutEngine.FAILURE_FRACTION_CAP);
      assertThat(w.s.hostRecord("a02").failure()).isEqualTo(Signal.CRASH);
      WaveCounts counts = w.s.rolloutState("r1").counts(0);
      assertThat(counts.crashed()).isEqualTo(3);
      assertThat(counts.silent()).isZero();
    }

    @Test
    void a_host_back_from_the_shock_over_the_plans_limits_counts_by_its_metrics() {
      World w = new World(absorbed(true)).shockThen(List.of(), List.of());
      assertThat(w.status()).isEqualTo(RolloutStatus.ACTIVE);

      for (String h : List.of("a00", "a01", "a02")) {
        w.s.apply(new Heartbeat(TENANT, w.s.tick(), h, "rel", Map.of("cpu", 0.99)));
      }

      assertThat(w.status()).isEqualTo(RolloutStatus.HALTED);
      assertThat(w.halt().reason()).isEqualTo(RolloutEngine.METRICS);
      assertThat(w.s.hostRecord("a00").failure()).isEqualTo(Signal.METRICS);
      WaveCounts counts = w.s.rolloutState("r1").counts(0);
      assertThat(counts.hot()).isEqualTo(3);
      assertThat(counts.silent()).isZero();
    }

    @Test
    void a_halt_says_how_many_silent_hosts_were_back_and_not_counted() {
      // the shock's three are back; three more canary hosts die for good after it: 3 of 10
      World w = new World(everyHeartbeat(true)).shockThen(List.of(), List.of("a03", "a04", "a05"));

      assertThat(w.status()).isEqualTo(RolloutStatus.HALTED);
      assertThat(w.halt().evidence())
          .containsEntry(Gate.SILENT_BACK, "3")
          .containsEntry("silent", "6");
    }
  }

  /** Logs of versions 1 and 2 replay as they were decided: a silence counts after it ends. */
  @Nested
  class SilenceCountsAfterItEnds {
    @Test
    void after_the_shock_one_background_silence_halts() {
      World w = new World(everyHeartbeat(false)).shockThen(List.of(), List.of("a03"));

      assertThat(w.status()).isEqualTo(RolloutStatus.HALTED);
      RolloutHalted halted = w.halt();
      assertThat(halted.reason()).isEqualTo(RolloutEngine.SILENCE);
      assertThat(halted.evidence()).containsEntry("silent", "4");
      assertThat(halted.evidence()).doesNotContainKey(Gate.SILENT_BACK);
    }

    @Test
    void with_heartbeats_absorbed_one_background_silence_after_the_shock_halts() {
      World w = new World(absorbed(false)).shockThen(List.of(), List.of("a03"));

      assertThat(w.status()).isEqualTo(RolloutStatus.HALTED);
    }
  }
}
