package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.Scenario.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.gate.Signal;
import dev.rolloutledger.domain.hoststage.HostStage;
import dev.rolloutledger.domain.hoststage.HostWatch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Real fleets are never all there (journals of version 5, {@link EngineConfig#reachability()}): 20
 * hosts beating every 10 s through the host stage into the engine, a canary wave of 10 and a second
 * wave of the other 10, a heartbeat timeout of 30 s, bakes of 5 minutes, Applies valid for 2
 * minutes. Each test says which hosts are off, come back, ignore their Apply, or die on it.
 */
class ReachabilityTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration BAKE = Duration.ofMinutes(5);
  private static final Duration TTL = Duration.ofMinutes(2);
  private static final EngineConfig V5 = new EngineConfig(TTL).journalV5();
  private static final EngineConfig V4 = new EngineConfig(TTL).journalV4();

  /** The fleet, the host stage and the engine, second by second. */
  private static final class World {
    final Scenario s;
    final HostStage stage;
    final List<String> hosts = new ArrayList<>();

    /** Off from the start, back at this second (Integer.MAX_VALUE: never). */
    final Map<String, Integer> backAt = new HashMap<>();

    /** Alive, but never answers an Apply (its agent is wedged). */
    final Set<String> ignoresApply = new HashSet<>();

    /** Dies this many seconds after its Apply arrives (0: before it can report), -1: never. */
    int diesAfterApply = -1;

    boolean reportsBeforeDying = true;
    final Map<String, Integer> applyArrived = new HashMap<>();
    final Map<String, Integer> appliedAt = new HashMap<>();
    final Map<String, Integer> applies = new HashMap<>();
    Instant t0;
    int sec;

    World(EngineConfig config) {
      this.s = new Scenario(config);
      this.stage = config.reachability() ? new HostStage().withFirstSightNews() : new HostStage();
      for (int i = 0; i < 20; i++) {
        hosts.add(String.format("h%02d", i));
      }
    }

    World off(int backAtSecond, String... ids) {
      for (String id : ids) {
        backAt.put(id, backAtSecond);
      }
      return this;
    }

    /** Registers the fleet, lets it beat for 20 s, then plans the rollout. */
    World start(Plan plan) {
      t0 = s.now;
      for (String h : hosts) {
        feed(new HostRegistered(TENANT, s.now, h, Map.of("env", "prod")));
      }
      feed(
          new ReleasePublished(
              TENANT, s.now, "rel", "agent", "2.0", Scenario.sha("rel"), "ci", Severity.NORMAL));
      runUntil(20);
      feed(new RolloutPlanned(TENANT, s.now, "r1", "rel", plan));
      return this;
    }

    World start() {
      return start(plan(Plan.DEFAULT_MAX_UNREACHABLE_FRACTION));
    }

    static Plan plan(double maxUnreachableFraction) {
      Map<String, String> prod = Map.of("env", "prod");
      return new Plan(
              List.of(
                  new WavePlan("canary", prod, 10, null, 0.2, 1, BAKE),
                  new WavePlan("rest", prod, null, null, 0.2, 1, BAKE)),
              TIMEOUT,
              Plan.DEFAULT_ALPHA,
              Plan.DEFAULT_BETA,
              Plan.DEFAULT_TOLERATED_RATIO,
              Plan.DEFAULT_MAX_DISPATCH_PER_MINUTE,
              Map.of(),
              Plan.DEFAULT_EMERGENCY_COMPRESSION)
          .withMaxUnreachableFraction(maxUnreachableFraction);
    }

    boolean up(String h) {
      Integer back = backAt.get(h);
      if (back != null && sec < back) {
        return false;
      }
      Integer arrived = applyArrived.get(h);
      return diesAfterApply < 0 || arrived == null || sec < arrived + diesAfterApply;
    }

    World runUntil(int to) {
      while (sec < to
          && (s.store.rollout(TENANT, "r1").isEmpty() || !rollout().status().isFinal())) {
        sec++;
        Instant at = t0.plusSeconds(sec);
        s.now = at;
        for (int i = 0; i < hosts.size(); i++) {
          String h = hosts.get(i);
          Integer arrived = applyArrived.get(h);
          boolean dying = diesAfterApply >= 0 && arrived != null && sec >= arrived + diesAfterApply;
          if (arrived != null
              && !appliedAt.containsKey(h)
              && !ignoresApply.contains(h)
              && (!dying || reportsBeforeDying && sec == arrived)) {
            appliedAt.put(h, sec);
            telemetry(new UpdateApplied(TENANT, at, h, "rel", true, null));
          }
          if (up(h) && (sec % 10 == i % 10 || backAt.getOrDefault(h, 0) == sec)) {
            String release = appliedAt.containsKey(h) ? "rel" : "old";
            telemetry(new Heartbeat(TENANT, at, h, release, Map.of()));
          }
        }
        feed(new ClockTick(TENANT, at));
        for (HostSilent report : stage.tick(at)) {
          feed(report);
        }
      }
      return this;
    }

    private void telemetry(LedgerInput input) {
      for (LedgerInput news : stage.absorb(input).news()) {
        feed(news);
      }
    }

    void feed(LedgerInput input) {
      Decision d = s.apply(input);
      if (!d.entries().isEmpty()) {
        stage.watch(HostWatch.ofGated(TENANT, s.store.rollouts(TENANT)));
      }
      for (HostCommand c : d.commands()) {
        if (c instanceof Apply a && up(a.host())) {
          applies.merge(a.host(), 1, Integer::sum);
          // an agent that is up receives it by the next second; the first one counts
          applyArrived.putIfAbsent(a.host(), sec + 1);
        }
      }
      for (LedgerInput next : d.continuations()) {
        feed(next);
      }
    }

    RolloutState rollout() {
      return s.rolloutState("r1");
    }

    <T extends LedgerEntry> List<T> entries(Class<T> type) {
      return s.allEntries().stream().filter(type::isInstance).map(type::cast).toList();
    }

    long appliesSentTo(String host) {
      return s.allCommands().stream()
          .filter(c -> c instanceof Apply && c.host().equals(host))
          .count();
    }
  }

  @Nested
  class OfflineAtDispatch {

    @Test
    void a_host_never_seen_is_not_sent_an_apply_and_its_wave_promotes_without_it() {
      World w = new World(V5).off(Integer.MAX_VALUE, "h03").start().runUntil(3_600);

      assertThat(w.rollout().status()).isEqualTo(RolloutStatus.COMPLETED);
      assertThat(w.appliesSentTo("h03")).isZero();
      assertThat(w.rollout().counts(0).unreachable()).isEqualTo(1);
      assertThat(w.s.hostRecord("h03").unreachable()).isTrue();
      WavePromoted canary = w.entries(WavePromoted.class).get(0);
      assertThat(canary.evidence()).containsEntry("unreachable", "1");
      // the other wave had every host: no count in its evidence
      assertThat(w.entries(WavePromoted.class).get(1).evidence()).doesNotContainKey("unreachable");
      assertThat(w.s.engine.indexMatchesStore(TENANT)).isTrue();
    }

    @Test
    void before_version_5_the_same_host_stalls_its_wave_forever() {
      World w = new World(V4).off(Integer.MAX_VALUE, "h03").start().runUntil(3_600);

      assertThat(w.rollout().status()).isEqualTo(RolloutStatus.ACTIVE);
      assertThat(w.rollout().currentWave()).isZero();
      assertThat(w.appliesSentTo("h03")).isEqualTo(1);
    }

    @Test
    void a_host_that_comes_back_while_its_wave_bakes_gets_the_release_and_is_judged() {
      World w = new World(V5).off(100, "h03").start().runUntil(3_600);

      assertThat(w.rollout().status()).isEqualTo(RolloutStatus.COMPLETED);
      assertThat(w.appliesSentTo("h03")).isEqualTo(1);
      assertThat(w.appliedAt).containsKey("h03");
      assertThat(w.appliedAt.get("h03")).isBetween(100, 102);
      assertThat(w.rollout().counts(0).unreachable()).isZero();
      assertThat(w.rollout().counts(0).applied()).isEqualTo(10);
      assertThat(w.s.hostRecord("h03").applied()).isTrue();
    }

    @Test
    void a_host_that_comes_back_after_its_wave_passed_gets_the_release_at_once() {
      World w = new World(V5).off(500, "h03").start().runUntil(3_600);

      WavePromoted canary = w.entries(WavePromoted.class).get(0);
      assertThat(canary.at()).isBefore(w.t0.plusSeconds(500));
      assertThat(w.appliedAt.get("h03")).isBetween(500, 502);
      assertThat(w.rollout().status()).isEqualTo(RolloutStatus.COMPLETED);
    }

    @Test
    void more_unreachable_than_the_plan_allows_pauses_the_rollout_for_a_person() {
      World w = new World(V5).off(Integer.MAX_VALUE, "h01", "h02", "h03").start().runUntil(900);

      assertThat(w.rollout().status()).isEqualTo(RolloutStatus.PAUSED);
      List<PauseRecorded> pauses = w.entries(PauseRecorded.class);
      assertThat(pauses).hasSize(1);
      PauseRecorded pause = pauses.get(0);
      assertThat(pause.reason()).isEqualTo(RolloutEngine.UNREACHABLE);
      assertThat(pause.wave()).isEqualTo("canary");
      assertThat(pause.evidence())
          .containsEntry("unreachable", "3")
          .containsEntry("assigned", "10")
          .containsEntry("maxUnreachableFraction", "0.1");
      assertThat(w.entries(WavePromoted.class)).isEmpty();
      assertThat(LedgerHash.of(pause)).hasSize(64);

      // a person looks, and lets it go on: it is not paused again for the same hosts
      w.feed(new RolloutResumed(TENANT, w.s.now, "r1", "sre", "branch link down, known"));
      w.runUntil(3_600);
      assertThat(w.rollout().status()).isEqualTo(RolloutStatus.COMPLETED);
      assertThat(w.entries(PauseRecorded.class)).hasSize(1);
    }

    @Test
    void one_unreachable_host_never_pauses_even_above_the_fraction() {
      World w = new World(V5).off(Integer.MAX_VALUE, "h03").start(World.plan(0.0)).runUntil(3_600);

      assertThat(w.entries(PauseRecorded.class)).isEmpty();
      assertThat(w.rollout().status()).isEqualTo(RolloutStatus.COMPLETED);
    }
  }

  @Nested
  class SilentBeforeTheReport {

    /** The second of the first halt, and its reason, when every host dies on its Apply. */
    private RolloutHalted haltWhenHostsDie(EngineConfig config, boolean reportFirst) {
      World w = new World(config);
      w.diesAfterApply = 0;
      w.reportsBeforeDying = reportFirst;
      w.start().runUntil(600);
      List<RolloutHalted> halts = w.entries(RolloutHalted.class);
      assertThat(halts).as("halted").isNotEmpty();
      assertThat(halts.get(0).wave()).isEqualTo("canary");
      return halts.get(0);
    }

    @Test
    void a_total_failure_before_the_report_halts_as_fast_as_one_after_it() {
      RolloutHalted after = haltWhenHostsDie(V5, true);
      RolloutHalted before = haltWhenHostsDie(V5, false);

      for (RolloutHalted halt : List.of(before, after)) {
        // by the cap on silent hosts, or by the regression evidence of silence
        assertThat(halt.reason()).isIn(RolloutEngine.SILENCE, RolloutEngine.REGRESSION);
        if (halt.reason().equals(RolloutEngine.REGRESSION)) {
          assertThat(halt.evidence()).containsEntry("signal", Signal.SILENCE.name());
        }
      }
      // their last heartbeats were at most 10 s before the Apply: at most that much sooner
      assertThat(Duration.between(before.at(), after.at()).abs())
          .isLessThanOrEqualTo(Duration.ofSeconds(11));
    }

    @Test
    void before_version_5_hosts_that_die_before_reporting_are_not_a_failure_of_the_release() {
      World w = new World(V4);
      w.diesAfterApply = 0;
      w.reportsBeforeDying = false;
      w.start().runUntil(600);

      assertThat(w.entries(RolloutHalted.class)).isEmpty();
      assertThat(w.rollout().counts(0).failed()).isZero();
    }

    @Test
    void the_dead_hosts_count_as_updated_and_failing_by_silence() {
      World w = new World(V5);
      w.diesAfterApply = 0;
      w.reportsBeforeDying = false;
      w.start().runUntil(600);

      WaveCounts canary = w.rollout().counts(0);
      assertThat(canary.failed(Signal.SILENCE)).isPositive();
      assertThat(canary.applied()).isEqualTo(canary.failed(Signal.SILENCE));
      List<HostRecord> judged =
          w.hosts.stream().map(w.s::hostRecord).filter(HostRecord::silent).toList();
      assertThat(judged).hasSize(canary.failed(Signal.SILENCE));
      assertThat(judged).allSatisfy(h -> assertThat(h.applied()).isTrue());
      assertThat(judged).allSatisfy(h -> assertThat(w.appliedAt).doesNotContainKey(h.host()));
      assertThat(w.s.engine.indexMatchesStore(TENANT)).isTrue();
    }
  }

  @Nested
  class ApplyExpiry {

    @Test
    void an_unanswered_apply_is_sent_once_more_then_the_host_is_unreachable() {
      World w = new World(V5);
      w.ignoresApply.add("h04");
      w.start().runUntil(3_600);

      List<Apply> applies =
          w.s.allCommands().stream()
              .filter(c -> c instanceof Apply && c.host().equals("h04"))
              .map(Apply.class::cast)
              .toList();
      assertThat(applies).hasSize(2);
      assertThat(applies.get(1).seq()).isGreaterThan(applies.get(0).seq());
      assertThat(Duration.between(applies.get(0).issuedAt(), applies.get(1).issuedAt()))
          .isGreaterThan(TTL)
          .isLessThanOrEqualTo(TTL.plusSeconds(1));
      assertThat(w.s.hostRecord("h04").unreachable()).isTrue();
      assertThat(w.rollout().status()).isEqualTo(RolloutStatus.COMPLETED);
      assertThat(w.entries(WavePromoted.class).get(0).evidence()).containsEntry("unreachable", "1");
      // it was alive all along: not a failure of the release
      assertThat(w.rollout().counts(0).failed()).isZero();
    }
  }

  @Nested
  class Lifecycle {

    @Test
    void a_cordoned_host_is_taken_by_no_rollout_and_a_retired_one_leaves_its_wave() {
      World w = new World(V5);
      w.t0 = w.s.now;
      for (String h : w.hosts) {
        w.feed(new HostRegistered(TENANT, w.s.now, h, Map.of("env", "prod")));
      }
      w.runUntil(20);
      w.feed(new HostLifecycleChanged(TENANT, w.s.now, "h00", HostLifecycle.CORDONED, "sre"));
      w.feed(
          new ReleasePublished(
              TENANT, w.s.now, "rel", "agent", "2.0", Scenario.sha("rel"), "ci", Severity.NORMAL));
      w.feed(new RolloutPlanned(TENANT, w.s.now, "r1", "rel", World.plan(0.1)));

      assertThat(w.s.hostRecord("h00").rollout()).isNull();
      assertThat(w.appliesSentTo("h00")).isZero();
      // the second wave has not started: a host retired now leaves it, history kept
      assertThat(w.s.hostRecord("h15").wave()).isEqualTo("rest");
      assertThat(w.rollout().counts(1).assigned()).isEqualTo(9); // 19 hosts, 10 in the canary
      w.feed(new HostLifecycleChanged(TENANT, w.s.now, "h15", HostLifecycle.RETIRED, "sre"));
      assertThat(w.s.hostRecord("h15").rollout()).isNull();
      assertThat(w.s.hostRecord("h15").contact().lifecycle()).isEqualTo(HostLifecycle.RETIRED);
      assertThat(w.rollout().counts(1).assigned()).isEqualTo(8);

      w.runUntil(3_600);
      assertThat(w.rollout().status()).isEqualTo(RolloutStatus.COMPLETED);
      assertThat(w.appliesSentTo("h00")).isZero();
      assertThat(w.appliesSentTo("h15")).isZero();
      assertThat(w.s.engine.indexMatchesStore(TENANT)).isTrue();
    }

    @Test
    void an_agent_that_beats_before_its_host_is_registered_is_reached_once_it_is() {
      World w = new World(V5);
      w.t0 = w.s.now;
      w.runUntil(20); // every agent beats; nobody registered a host yet
      assertThat(w.s.hostRecord("h07").contact().lifecycle()).isEqualTo(HostLifecycle.UNREGISTERED);
      for (String h : w.hosts) {
        if (!h.equals("h19")) { // h19's agent beats, but its owner never registers it
          w.feed(new HostRegistered(TENANT, w.s.now, h, Map.of("env", "prod")));
        }
      }
      w.feed(
          new ReleasePublished(
              TENANT, w.s.now, "rel", "agent", "2.0", Scenario.sha("rel"), "ci", Severity.NORMAL));
      // a plan that takes every host, labels or not
      Plan all =
          new Plan(List.of(new WavePlan("all", Map.of(), null, null, 0.2, 1, BAKE)))
              .withMaxUnreachableFraction(0.1);
      w.feed(new RolloutPlanned(TENANT, w.s.now, "r1", "rel", all));
      w.runUntil(3_600);

      assertThat(w.rollout().status()).isEqualTo(RolloutStatus.COMPLETED);
      assertThat(w.rollout().counts(0).assigned()).isEqualTo(19);
      assertThat(w.rollout().counts(0).unreachable()).isZero();
      assertThat(w.s.hostRecord("h07").contact().lifecycle()).isEqualTo(HostLifecycle.ACTIVE);
      assertThat(w.s.hostRecord("h19").rollout()).isNull();
      assertThat(w.appliesSentTo("h19")).isZero();
      // an operator cannot cordon a host nobody registered
      Decision d =
          w.s.apply(new HostLifecycleChanged(TENANT, w.s.now, "h19", HostLifecycle.CORDONED, "x"));
      assertThat(d.rejections())
          .singleElement()
          .extracting(Rejection::reason)
          .isEqualTo("host not registered");
    }

    @Test
    void a_lifecycle_change_of_an_unknown_host_is_rejected() {
      World w = new World(V5);
      Decision d =
          w.s.apply(
              new HostLifecycleChanged(TENANT, w.s.now, "nobody", HostLifecycle.CORDONED, "sre"));

      assertThat(d.rejections()).hasSize(1);
      assertThat(d.rejections().get(0).subject()).isEqualTo("host:nobody");
    }
  }
}
