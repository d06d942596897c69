package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.Scenario.TENANT;
import static dev.rolloutledger.domain.Scenario.capped;
import static dev.rolloutledger.domain.Scenario.gate;
import static dev.rolloutledger.domain.Scenario.hostsOf;
import static dev.rolloutledger.domain.Scenario.percent;
import static dev.rolloutledger.domain.Scenario.sha;
import static dev.rolloutledger.domain.Scenario.wave;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RolloutEngineTest {

  @Nested
  class Planning {

    @Test
    void assigns_each_host_to_the_first_wave_whose_selector_matches() {
      // Given
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1", "p2");
      s.host("x1", "env", "lab");

      // When
      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));

      // Then
      assertThat(s.hostRecord("d1").wave()).isEqualTo("dev");
      assertThat(s.hostRecord("p1").wave()).isEqualTo("prod");
      assertThat(s.hostRecord("p2").wave()).isEqualTo("prod");
      assertThat(s.hostRecord("x1").rollout()).isNull();
      assertThat(s.rolloutState("r1").waves())
          .containsExactly(
              new WaveCounts("dev", 1, 0, 0, 0, 0, 1), new WaveCounts("prod", 2, 0, 0, 0, 0, 0));
    }

    @Test
    void empty_selector_takes_every_host_not_taken_by_an_earlier_wave() {
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1");
      s.host("x1", "env", "lab");

      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("rest"));

      assertThat(s.hostRecord("d1").wave()).isEqualTo("dev");
      assertThat(s.hostRecord("p1").wave()).isEqualTo("rest");
      assertThat(s.hostRecord("x1").wave()).isEqualTo("rest");
    }

    @Test
    void hosts_cap_takes_the_lowest_host_ids_and_leaves_the_rest_to_later_waves() {
      Scenario s = new Scenario().hosts("prod", "p4", "p2", "p3", "p1");

      s.rollout("r1", "rel", capped("canary", 2, "env", "prod"), wave("prod", "env", "prod"));

      assertThat(s.hostRecord("p1").wave()).isEqualTo("canary");
      assertThat(s.hostRecord("p2").wave()).isEqualTo("canary");
      assertThat(s.hostRecord("p3").wave()).isEqualTo("prod");
      assertThat(s.hostRecord("p4").wave()).isEqualTo("prod");
    }

    @Test
    void percent_takes_the_ceiling_share_of_matching_hosts_still_available() {
      // Given 5 prod hosts, one of which an earlier wave takes
      Scenario s = new Scenario().hosts("prod", "p1", "p2", "p3", "p4", "p5");

      // When 50% of the remaining 4 = 2, then 30% of the remaining 2 = ceil(0.6) = 1
      s.rollout(
          "r1",
          "rel",
          capped("first", 1),
          percent("half", 50, "env", "prod"),
          percent("third", 30, "env", "prod"),
          wave("rest"));

      // Then
      assertThat(s.rolloutState("r1").waves())
          .extracting(WaveCounts::assigned)
          .containsExactly(1, 2, 1, 1);
      assertThat(s.hostRecord("p2").wave()).isEqualTo("half");
      assertThat(s.hostRecord("p3").wave()).isEqualTo("half");
      assertThat(s.hostRecord("p4").wave()).isEqualTo("third");
    }

    @Test
    void hosts_matched_by_no_wave_are_never_assigned() {
      Scenario s = new Scenario().hosts("lab", "x1");

      Decision d = s.rollout("r1", "rel", wave("prod", "env", "prod"));

      assertThat(s.hostRecord("x1").rollout()).isNull();
      assertThat(d.commands()).isEmpty();
    }

    @Test
    void starts_wave_zero_and_sends_apply_with_the_published_digest_to_its_hosts() {
      Scenario s = new Scenario().hosts("dev", "d2", "d1").hosts("prod", "p1");

      Decision d = s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));

      assertThat(d.entries())
          .singleElement()
          .isInstanceOfSatisfying(
              WaveStarted.class,
              e -> {
                assertThat(e.wave()).isEqualTo("dev");
                assertThat(e.waveIndex()).isZero();
                assertThat(e.hosts()).containsExactly("d1", "d2");
                assertThat(e.seq()).isEqualTo(1);
                assertThat(e.prevHash()).isEqualTo(LedgerHash.GENESIS);
              });
      assertThat(d.commands()).allSatisfy(c -> assertThat(c).isInstanceOf(Apply.class));
      assertThat(hostsOf(d.commands())).containsExactly("d1", "d2");
      assertThat(d.commands())
          .allSatisfy(
              c -> {
                assertThat(c.release()).isEqualTo("rel");
                assertThat(c.sha256()).isEqualTo(sha("rel"));
                assertThat(c.rollout()).isEqualTo("r1");
              });
    }

    @Test
    void hosts_of_an_active_or_paused_rollout_are_not_taken_by_another() {
      Scenario s = new Scenario().hosts("prod", "p1", "p2");
      s.rollout("r1", "rel1", capped("one", 1));
      s.rollout("r2", "rel2", capped("one", 1));
      s.pause("r2");
      s.host("p3", "env", "prod");

      s.rollout("r3", "rel3", wave("all"));

      assertThat(s.hostRecord("p1").rollout()).isEqualTo("r1");
      assertThat(s.hostRecord("p2").rollout()).isEqualTo("r2");
      assertThat(s.hostRecord("p3").rollout()).isEqualTo("r3");
    }

    @Test
    void hosts_of_a_halted_rollout_are_free_for_the_next_one() {
      Scenario s = new Scenario().hosts("prod", "p1");
      s.rollout("r1", "rel1", wave("all"));
      s.halt("r1");

      Decision d = s.rollout("r2", "rel2", wave("all"));

      assertThat(hostsOf(d.commands())).containsExactly("p1");
      assertThat(s.hostRecord("p1"))
          .extracting(HostRecord::rollout, HostRecord::applied, HostRecord::crashed)
          .containsExactly("r2", false, false);
    }

    @Test
    void assignment_does_not_depend_on_registration_order() {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        ids.add("h" + i);
      }
      Decision first = null;
      for (long seed = 0; seed < 5; seed++) {
        // Given the same hosts registered in a different order each time
        List<String> shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled, new Random(seed));
        Scenario s = new Scenario();
        for (String id : shuffled) {
          s.host(id, "env", id.length() == 2 ? "prod" : "dev", "zone", "z" + id.hashCode() % 2);
        }
        s.now = Scenario.START.plusSeconds(100);

        // When
        Decision d =
            s.rollout(
                "r1",
                "rel",
                percent("canary", 25, "env", "prod"),
                capped("zone", 2, "zone", "z0"),
                wave("rest"));

        // Then
        if (first == null) {
          first = d;
        }
        assertThat(d).isEqualTo(first);
      }
    }
  }

  @Nested
  class Rejections {

    @Test
    void rejects_a_rollout_id_that_is_already_used() {
      Scenario s = new Scenario().hosts("prod", "p1");
      s.rollout("r1", "rel", wave("all"));
      RolloutState before = s.rolloutState("r1");

      Decision d = s.rollout("r1", "rel", wave("other"));

      assertThat(d.rejections())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.subject()).isEqualTo("rollout:r1");
                assertThat(r.reason()).contains("already used");
                assertThat(r.tenant()).isEqualTo(TENANT);
              });
      assertThat(d.entries()).isEmpty();
      assertThat(s.rolloutState("r1")).isEqualTo(before);
    }

    @Test
    void a_plan_that_arrives_before_its_release_waits_for_it_then_starts() {
      // The release and the plan travel on different topics: either may be decided first.
      Scenario s = new Scenario().hosts("prod", "p1");

      Decision planned = s.plan("r1", "ghost", new Plan(List.of(wave("prod", "env", "prod"))));
      RolloutStatus waiting = s.rolloutState("r1").status();
      Decision published = s.release("ghost");

      assertThat(planned).isEqualTo(Decision.none());
      assertThat(waiting).isEqualTo(RolloutStatus.PENDING);
      assertThat(published.entries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly("WaveStarted prod [p1]");
      assertThat(hostsOf(published.commands())).containsExactly("p1");
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.ACTIVE);
    }

    @Test
    void a_waiting_plan_whose_release_the_policy_refuses_is_halted_when_the_release_arrives() {
      Scenario s = new Scenario().hosts("prod", "p1");
      s.apply(
          new PolicySet(
              TENANT,
              s.tick(),
              new OwnerPolicy(
                  TENANT, "rel-n-1", false, List.of(), Duration.ZERO, List.of(), "owner")));
      s.plan("r1", "rel-n", new Plan(List.of(wave("prod", "env", "prod"))));

      Decision published = s.release("rel-n");

      assertThat(published.entries())
          .singleElement()
          .isInstanceOfSatisfying(
              RolloutHalted.class, h -> assertThat(h.evidence().get("refusal")).contains("pinned"));
      assertThat(published.commands()).isEmpty();
      assertThat(s.hostRecord("p1").rollout()).isNull();
    }

    @Test
    void rejects_pause_resume_and_halt_of_an_unknown_rollout() {
      Scenario s = new Scenario();

      assertThat(s.pause("nope").rejections())
          .singleElement()
          .extracting(Rejection::reason)
          .isEqualTo("unknown rollout");
      assertThat(s.resume("nope").rejections()).hasSize(1);
      assertThat(s.halt("nope").rejections()).hasSize(1);
    }

    @Test
    void rejects_republishing_a_release_id_with_other_content_and_ignores_an_identical_one() {
      Scenario s = new Scenario();
      s.release("rel");
      ReleaseInfo stored = s.store.release(TENANT, "rel").orElseThrow();

      Decision same = s.release("rel");
      Decision other =
          s.apply(
              new ReleasePublished(
                  TENANT, s.tick(), "rel", "agent", "6.6.6", sha("evil"), "ci", Severity.NORMAL));

      assertThat(same).isEqualTo(Decision.none());
      assertThat(other.rejections())
          .singleElement()
          .extracting(Rejection::subject)
          .isEqualTo("release:rel");
      assertThat(s.store.release(TENANT, "rel")).contains(stored);
    }

    @Test
    void ignores_outcomes_for_another_release_or_an_unassigned_or_unknown_host() {
      Scenario s = new Scenario().hosts("prod", "p1");
      s.host("x1", "env", "lab");
      s.rollout("r1", "rel", wave("prod", "env", "prod"));
      RolloutState before = s.rolloutState("r1");

      assertThat(s.crash("p1", "other-release")).isEqualTo(Decision.none());
      assertThat(s.crash("x1", "rel")).isEqualTo(Decision.none());
      assertThat(s.crash("ghost", "rel")).isEqualTo(Decision.none());
      assertThat(s.rolloutState("r1")).isEqualTo(before);
    }

    @Test
    void a_heartbeat_before_the_wave_applied_changes_nothing() {
      Scenario s = new Scenario().hosts("prod", "p1");
      s.rollout("r1", "rel", wave("prod", "env", "prod"));
      RolloutState before = s.rolloutState("r1");

      Decision hb = s.apply(new Heartbeat(TENANT, s.tick(), "p1", "rel", Map.of("cpu", 0.5)));

      assertThat(hb).isEqualTo(Decision.none());
      assertThat(s.rolloutState("r1")).isEqualTo(before);
    }

    @Test
    void rejects_an_approval_of_a_wave_the_plan_does_not_have() {
      Scenario s = new Scenario().hosts("prod", "p1");
      s.rollout("r1", "rel", wave("prod", "env", "prod"));

      Decision d = s.apply(new ApprovalGranted(TENANT, s.tick(), "r1", "nope", "ops"));

      assertThat(d.rejections())
          .singleElement()
          .satisfies(r -> assertThat(r.reason()).contains("nope"));
      assertThat(s.rolloutState("r1").approvals()).isEmpty();
    }
  }

  @Nested
  class Approval {
    private WavePlan needsApproval(String name, String env) {
      WavePlan w = wave(name, "env", env);
      return new WavePlan(
          w.name(),
          w.selector(),
          w.hosts(),
          w.percent(),
          w.maxCrashFraction(),
          w.minCrashes(),
          Duration.ZERO,
          true,
          null);
    }

    @Test
    void a_wave_that_asks_for_approval_waits_for_it_then_promotes_at_once() {
      Scenario s = new Scenario(PERSONS_RECORDED).hosts("dev", "d1").hosts("prod", "p1");
      s.rollout("r1", "rel", needsApproval("dev", "dev"), wave("prod", "env", "prod"));
      s.applied("d1", "rel");
      s.settle();
      assertThat(s.allEntries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly("WaveStarted dev [d1]");

      Decision d = s.apply(new ApprovalGranted(TENANT, s.tick(), "r1", "dev", "alice"));

      // who approved is on record before the promotion it allowed
      assertThat(d.entries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly(
              "WaveApproved dev by alice", "WavePromoted dev", "WaveStarted prod [p1]");
      assertThat(s.rolloutState("r1").approvals()).containsExactly("dev");
    }

    @Test
    void a_journal_before_version_6_records_no_approval_so_it_replays_as_decided() {
      Scenario s =
          new Scenario(new EngineConfig(Scenario.TTL).withPersonsRecorded(false))
              .hosts("dev", "d1")
              .hosts("prod", "p1");
      s.rollout("r1", "rel", needsApproval("dev", "dev"), wave("prod", "env", "prod"));
      s.applied("d1", "rel");
      s.settle();

      Decision d = s.apply(new ApprovalGranted(TENANT, s.tick(), "r1", "dev", "alice"));

      assertThat(d.entries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly("WavePromoted dev", "WaveStarted prod [p1]");
    }

    @Test
    void an_approval_given_before_the_wave_started_counts_when_it_is_done() {
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"), needsApproval("prod", "prod"));
      s.apply(new ApprovalGranted(TENANT, s.tick(), "r1", "prod", "alice"));
      s.applied("d1", "rel");
      s.settle();

      s.applied("p1", "rel");
      s.settle();

      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.COMPLETED);
    }

    @Test
    void approving_twice_records_one_approval_and_decides_nothing_more() {
      Scenario s = new Scenario().hosts("dev", "d1");
      s.rollout("r1", "rel", needsApproval("dev", "dev"));
      s.apply(new ApprovalGranted(TENANT, s.tick(), "r1", "dev", "alice"));

      Decision again = s.apply(new ApprovalGranted(TENANT, s.tick(), "r1", "dev", "bob"));

      assertThat(again).isEqualTo(Decision.none());
      assertThat(s.rolloutState("r1").approvals()).containsExactly("dev");
    }
  }

  @Nested
  class Silence {
    private Decision tickAfter(Scenario s, Duration later) {
      s.now = s.now.plus(later);
      return s.apply(new ClockTick(TENANT, s.now));
    }

    @Test
    void hosts_that_apply_then_go_silent_past_the_heartbeat_timeout_halt_the_rollout() {
      // The CrowdStrike shape: the hosts apply, crash into a boot loop, and report nothing.
      Scenario s = new Scenario().hosts("dev", "d1", "d2", "d3").hosts("prod", "p1");
      s.rollout(
          "r1",
          "rel",
          wave("dev", "env", "dev").withBake(Duration.ofMinutes(10)),
          wave("prod", "env", "prod"));
      s.applied("d1", "rel");
      s.applied("d2", "rel");
      s.applied("d3", "rel");

      assertThat(tickAfter(s, Duration.ofSeconds(20)).entries()).isEmpty();
      Decision d = tickAfter(s, Duration.ofSeconds(15)); // > 30 s since the last apply

      assertThat(d.entries())
          .singleElement()
          .isInstanceOfSatisfying(
              RolloutHalted.class,
              h -> {
                assertThat(h.reason()).isEqualTo("silent hosts");
                assertThat(h.evidence())
                    .containsEntry("silent", "3")
                    .containsEntry("newlySilent", "d1,d2,d3");
              });
      assertThat(d.commands())
          .allSatisfy(c -> assertThat(c).isInstanceOf(Hold.class))
          .extracting(HostCommand::host)
          .containsExactly("d1", "d2", "d3", "p1");
      assertThat(s.allCommands()).noneMatch(c -> c instanceof Apply && c.host().equals("p1"));
    }

    @Test
    void heartbeats_keep_a_host_alive() {
      Scenario s = new Scenario().hosts("dev", "d1");
      s.rollout("r1", "rel", wave("dev", "env", "dev").withBake(Duration.ofMinutes(10)));
      s.applied("d1", "rel");
      s.now = s.now.plusSeconds(25);
      s.apply(new Heartbeat(TENANT, s.now, "d1", "rel", Map.of()));

      Decision d =
          tickAfter(s, Duration.ofSeconds(25)); // 50 s after apply, 25 s after the heartbeat

      assertThat(d).isEqualTo(Decision.none());
      assertThat(s.hostRecord("d1").silent()).isFalse();
      assertThat(s.rolloutState("r1").counts(0).silent()).isZero();
    }

    @Test
    void a_host_that_never_applied_or_that_crashed_is_not_counted_silent() {
      Scenario s =
          new Scenario().hosts("dev", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10");
      s.rollout("r1", "rel", gate(wave("dev", "env", "dev"), 0.5, 1).withBake(Duration.ofHours(1)));
      s.crash("d1", "rel"); // crashed: counted once, as crashed

      tickAfter(s, Duration.ofMinutes(5));

      assertThat(s.rolloutState("r1").counts(0))
          .satisfies(
              c -> {
                assertThat(c.crashed()).isEqualTo(1);
                assertThat(c.silent()).isZero();
              });
      assertThat(s.rolloutState("r1").status())
          .isEqualTo(RolloutStatus.HALTED); // 1 of 1 applied crashed
    }

    @Test
    void a_tick_promotes_a_wave_whose_bake_has_passed() {
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1");
      s.rollout(
          "r1",
          "rel",
          wave("dev", "env", "dev").withBake(Duration.ofSeconds(20)),
          wave("prod", "env", "prod"));
      s.applied("d1", "rel");
      s.now = s.now.plusSeconds(15);
      s.apply(new Heartbeat(TENANT, s.now, "d1", "rel", Map.of()));
      assertThat(tickAfter(s, Duration.ofSeconds(10)).entries()).isEmpty(); // baked, but 25 s

      Decision d = tickAfter(s, Duration.ofSeconds(6)); // a heartbeat timeout after the apply

      assertThat(d.entries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly("WavePromoted dev", "WaveStarted prod [p1]");
    }

    @Test
    void a_tick_for_a_tenant_without_rollouts_in_progress_decides_nothing() {
      Scenario s = new Scenario();
      assertThat(tickAfter(s, Duration.ofHours(1))).isEqualTo(Decision.none());
    }
  }

  @Nested
  class HotHosts {
    private Scenario twoHostsUnderLimits() {
      Scenario s = new Scenario().hosts("dev", "d1", "d2").hosts("prod", "p1");
      s.release("rel");
      Plan plan =
          new Plan(
              List.of(
                  gate(wave("dev", "env", "dev"), 0.3, 1).withBake(Duration.ofMinutes(10)),
                  wave("prod", "env", "prod")),
              Duration.ofSeconds(30),
              0.01,
              0.01,
              2.0,
              600,
              Map.of("cpu", 0.95, "errorRate", 0.05),
              10);
      s.plan("r1", "rel", plan);
      s.applied("d1", "rel");
      s.applied("d2", "rel");
      return s;
    }

    @Test
    void a_live_host_whose_metrics_pass_the_limits_counts_as_failing_and_halts_the_wave() {
      // The Cloudflare 2019 shape: alive, heartbeating, CPU pinned.
      Scenario s = twoHostsUnderLimits();

      Decision d =
          s.apply(
              new Heartbeat(TENANT, s.tick(), "d1", "rel", Map.of("cpu", 1.0, "errorRate", 0.01)));

      assertThat(d.entries())
          .singleElement()
          .isInstanceOfSatisfying(
              RolloutHalted.class,
              h -> {
                assertThat(h.reason()).isEqualTo("metrics over limits");
                assertThat(h.evidence())
                    .containsEntry("hot", "1")
                    .containsEntry("metric.cpu", "1>0.95")
                    .doesNotContainKey("metric.errorRate");
              });
      assertThat(s.hostRecord("d1").hot()).isTrue();
    }

    @Test
    void metrics_within_the_limits_change_nothing() {
      Scenario s = twoHostsUnderLimits();

      Decision d =
          s.apply(
              new Heartbeat(TENANT, s.tick(), "d1", "rel", Map.of("cpu", 0.95, "errorRate", 0.05)));

      assertThat(d.entries()).isEmpty();
      assertThat(s.rolloutState("r1").counts(0).hot()).isZero();
    }

    @Test
    void a_hot_host_that_later_crashes_is_counted_once() {
      Scenario s = twoHostsUnderLimits();
      s.apply(new Heartbeat(TENANT, s.tick(), "d1", "rel", Map.of("cpu", 0.99)));

      s.crash("d1", "rel");

      assertThat(s.rolloutState("r1").counts(0))
          .satisfies(
              c -> {
                assertThat(c.failed()).isEqualTo(1);
                assertThat(c.crashed()).isZero();
              });
    }
  }

  @Nested
  class Pacing {
    private Instant planned;

    private Decision tickAt(Scenario s, Duration sincePlanned) {
      s.now = planned.plus(sincePlanned);
      return s.apply(new ClockTick(TENANT, s.now));
    }

    @Test
    void apply_commands_go_out_at_most_max_dispatch_per_minute_in_host_order() {
      Scenario s = new Scenario().hosts("prod", "p1", "p2", "p3", "p4", "p5");
      s.release("rel");
      planned = s.tick();
      Plan paced =
          new Plan(
              List.of(wave("prod", "env", "prod").withBake(Duration.ofHours(1))),
              Duration.ofSeconds(30),
              0.01,
              0.01,
              2.0,
              2,
              Map.of(),
              10);

      Decision planned = s.apply(new RolloutPlanned(TENANT, s.now, "r1", "rel", paced));
      Decision early = tickAt(s, Duration.ofSeconds(59));
      Decision minute1 = tickAt(s, Duration.ofSeconds(60));
      Decision minute2 = tickAt(s, Duration.ofSeconds(125));
      Decision later = tickAt(s, Duration.ofMinutes(10));

      assertThat(hostsOf(planned.commands())).containsExactly("p1", "p2");
      assertThat(early.commands()).isEmpty();
      assertThat(hostsOf(minute1.commands())).containsExactly("p3", "p4");
      assertThat(hostsOf(minute2.commands())).containsExactly("p5");
      assertThat(later.commands()).isEmpty();
      assertThat(s.rolloutState("r1").counts(0).dispatched()).isEqualTo(5);
      assertThat(s.allCommands()).allSatisfy(c -> assertThat(c).isInstanceOf(Apply.class));
    }

    @Test
    void a_halted_rollout_dispatches_nothing_more() {
      Scenario s = new Scenario().hosts("prod", "p1", "p2", "p3", "p4");
      s.release("rel");
      planned = s.tick();
      Plan paced =
          new Plan(
              List.of(wave("prod", "env", "prod")),
              Duration.ofSeconds(30),
              0.01,
              0.01,
              2.0,
              1,
              Map.of(),
              10);
      s.apply(new RolloutPlanned(TENANT, s.now, "r1", "rel", paced));
      s.crash("p1", "rel");

      Decision d = tickAt(s, Duration.ofMinutes(5));

      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.HALTED);
      assertThat(d.commands()).noneMatch(c -> c instanceof Apply);
      assertThat(s.allCommands())
          .filteredOn(c -> c instanceof Apply)
          .extracting(HostCommand::host)
          .containsExactly("p1");
    }
  }

  @Nested
  class OwnerPolicies {
    private Decision policy(
        Scenario s,
        String pin,
        boolean paused,
        List<MaintenanceWindow> windows,
        Duration delay,
        List<String> publishers) {
      return s.apply(
          new PolicySet(
              TENANT,
              s.tick(),
              new OwnerPolicy(TENANT, pin, paused, windows, delay, publishers, "owner")));
    }

    @Test
    void a_pinned_tenant_refuses_a_rollout_of_any_other_release() {
      Scenario s = new Scenario().hosts("prod", "p1");
      s.release("rel-n-1");
      policy(s, "rel-n-1", false, List.of(), Duration.ZERO, List.of());

      Decision d = s.rollout("r1", "rel-n", wave("prod", "env", "prod"));

      // a decision of the owner's policy: the rollout's ledger says why, and no host is assigned
      assertThat(d.rejections()).isEmpty();
      assertThat(d.entries())
          .singleElement()
          .isInstanceOfSatisfying(
              RolloutHalted.class,
              h -> {
                assertThat(h.reason()).isEqualTo(RolloutEngine.REFUSED);
                assertThat(h.evidence().get("refusal")).contains("pinned to release rel-n-1");
              });
      assertThat(d.commands()).isEmpty();
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.HALTED);
      assertThat(s.hostRecord("p1").rollout()).isNull();
    }

    @Test
    void a_release_from_a_publisher_the_owner_does_not_allow_is_refused() {
      Scenario s = new Scenario().hosts("prod", "p1");
      policy(s, null, false, List.of(), Duration.ZERO, List.of("internal-ci"));

      Decision d = s.rollout("r1", "rel", wave("prod", "env", "prod")); // published by "ci"

      assertThat(d.entries())
          .singleElement()
          .isInstanceOfSatisfying(
              RolloutHalted.class,
              h -> assertThat(h.evidence().get("refusal")).contains("publisher ci"));
      assertThat(d.commands()).isEmpty();
    }

    @Test
    void a_paused_tenant_dispatches_nothing_until_the_pause_is_lifted() {
      Scenario s = new Scenario().hosts("prod", "p1");
      policy(s, null, true, List.of(), Duration.ZERO, List.of());

      Decision planned = s.rollout("r1", "rel", wave("prod", "env", "prod"));
      Decision lifted = policy(s, null, false, List.of(), Duration.ZERO, List.of());

      assertThat(planned.entries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly("WaveStarted prod [p1]");
      assertThat(planned.commands()).isEmpty();
      assertThat(hostsOf(lifted.commands())).containsExactly("p1");
    }

    @Test
    void dispatch_and_promotion_wait_for_a_maintenance_window() {
      // START is 10:00 UTC; the window is 10:30-11:00 every day
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1");
      policy(
          s,
          null,
          false,
          List.of(
              new MaintenanceWindow(
                  java.util.Set.of(),
                  java.time.LocalTime.of(10, 30),
                  java.time.LocalTime.of(11, 0))),
          Duration.ZERO,
          List.of());

      Decision planned =
          s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));
      s.now = Scenario.START.plus(Duration.ofMinutes(30));
      Decision opened = s.apply(new ClockTick(TENANT, s.now));
      s.applied("d1", "rel");
      s.settle(); // inside the window: the wave promotes
      s.now = Scenario.START.plus(Duration.ofSeconds(61 * 60 - 10));
      s.apply(new Heartbeat(TENANT, s.now, "d1", "rel", Map.of())); // alive, so not silent
      s.now = Scenario.START.plus(Duration.ofMinutes(61));
      Decision closed = s.apply(new ClockTick(TENANT, s.now));

      assertThat(planned.commands()).isEmpty();
      assertThat(hostsOf(opened.commands())).containsExactly("d1");
      assertThat(s.allEntries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly("WaveStarted dev [d1]", "WavePromoted dev", "WaveStarted prod [p1]");
      assertThat(closed.commands()).isEmpty();
      assertThat(s.allCommands()).extracting(HostCommand::host).containsExactly("d1", "p1");
    }

    @Test
    void no_host_applies_sooner_than_the_delay_after_publication() {
      Scenario s = new Scenario().hosts("prod", "p1");
      policy(s, null, false, List.of(), Duration.ofHours(1), List.of());
      s.release("rel");
      Instant published = s.now;

      Decision planned = s.rollout("r1", "rel", wave("prod", "env", "prod"));
      s.now = published.plus(Duration.ofMinutes(59));
      Decision tooSoon = s.apply(new ClockTick(TENANT, s.now));
      s.now = published.plus(Duration.ofHours(1));
      Decision due = s.apply(new ClockTick(TENANT, s.now));

      assertThat(planned.commands()).isEmpty();
      assertThat(tooSoon.commands()).isEmpty();
      assertThat(hostsOf(due.commands())).containsExactly("p1");
    }

    @Test
    void a_policy_never_holds_back_a_halt() {
      Scenario s = new Scenario().hosts("prod", "p1", "p2");
      s.rollout("r1", "rel", wave("prod", "env", "prod"));
      policy(s, null, true, List.of(), Duration.ZERO, List.of());

      s.crash("p1", "rel");

      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.HALTED);
      assertThat(s.allCommands())
          .filteredOn(c -> c instanceof Hold)
          .extracting(HostCommand::host)
          .containsExactly("p1", "p2");
    }
  }

  @Nested
  class RegressionEvidence {
    /** 200 prod hosts: the canary takes half (updated), the rest wait (baseline). Caps disabled. */
    private Scenario halfUpdated() {
      Scenario s = new Scenario();
      for (int i = 0; i < 200; i++) {
        s.host(String.format("p%03d", i), "env", "prod");
      }
      WavePlan canary =
          new WavePlan("canary", Map.of("env", "prod"), null, 50, 1.0, 1, Duration.ofHours(1));
      WavePlan rest =
          new WavePlan("rest", Map.of("env", "prod"), null, null, 1.0, 1, Duration.ofHours(1));
      s.rollout("r1", "rel", canary, rest);
      for (int i = 0; i < 100; i++) {
        s.applied(String.format("p%03d", i), "rel");
      }
      return s;
    }

    @Test
    void updated_hosts_crashing_far_more_than_the_baseline_halt_on_evidence_long_before_any_cap() {
      Scenario s = halfUpdated();

      int crashes = 0;
      while (s.rolloutState("r1").status() != RolloutStatus.HALTED && crashes < 100) {
        s.crash(String.format("p%03d", crashes), "rel");
        crashes++;
      }

      assertThat(crashes).isBetween(5, 20);
      RolloutHalted halted = (RolloutHalted) s.allEntries().get(s.allEntries().size() - 1);
      assertThat(halted.reason()).isEqualTo("regression evidence");
      assertThat(halted.evidence())
          .containsEntry("signal", "CRASH")
          .containsEntry("baselineFailures", "0")
          .containsKeys("eValue", "ratioUpperBound", "alpha");
      assertThat(Double.parseDouble(halted.evidence().get("eValue"))).isGreaterThanOrEqualTo(400);
    }

    @Test
    void crashes_that_hit_both_cohorts_alike_do_not_halt() {
      Scenario s = halfUpdated();

      for (int i = 0; i < 30; i++) {
        s.crash(String.format("p%03d", i), "rel"); // updated
        s.crash(String.format("p%03d", 100 + i), "rel-old"); // baseline, on its previous release
      }

      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.ACTIVE);
      assertThat(s.rolloutState("r1").evidence(dev.rolloutledger.domain.gate.Signal.CRASH).eValue())
          .isLessThan(400);
      assertThat(
              s.rolloutState("r1")
                  .evidence(dev.rolloutledger.domain.gate.Signal.CRASH)
                  .baselineFailures())
          .isEqualTo(30);
    }

    @Test
    void a_shock_that_silences_both_cohorts_does_not_halt_and_promotion_waits() {
      // A region goes dark: updated and baseline hosts fall silent together (a shock takes at
      // least three baseline hosts: one host rebooting is not one).
      Scenario s = new Scenario();
      List<String> baseline = List.of("b1", "b2", "b3", "b4");
      for (String h : List.of("a1", "a2", "b1", "b2", "b3", "b4")) {
        s.host(h, "env", "prod");
      }
      WavePlan canary =
          new WavePlan("canary", Map.of("env", "prod"), 2, null, 0.2, 1, Duration.ZERO);
      s.rollout("r1", "rel", canary, wave("rest", "env", "prod"));
      s.applied("a1", "rel");
      s.applied("a2", "rel");
      s.tick();
      for (String b : baseline) {
        s.apply(new Heartbeat(TENANT, s.now, b, "rel-old", Map.of()));
      }
      Instant lastSeen = s.now;
      // the shock starts: nothing from anyone
      s.now = lastSeen.plusSeconds(20);
      s.apply(new ClockTick(TENANT, s.now)); // no verdict yet

      s.now = lastSeen.plusSeconds(45);
      Decision d = s.apply(new ClockTick(TENANT, s.now));

      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.ACTIVE);
      assertThat(d.entries())
          .noneMatch(e -> e instanceof RolloutHalted || e instanceof WavePromoted);
      assertThat(s.hostRecord("b1").baselineFailing()).isTrue();
    }
  }

  @Nested
  class MaxFailureRate {
    private Scenario wave(int hosts, double maxFailureRate) {
      Scenario s = new Scenario();
      for (int i = 0; i < hosts; i++) {
        s.host(String.format("d%03d", i), "env", "dev");
      }
      s.host("p1", "env", "prod");
      WavePlan canary =
          new WavePlan(
              "canary",
              Map.of("env", "dev"),
              null,
              null,
              1.0,
              1,
              Duration.ZERO,
              false,
              maxFailureRate);
      s.rollout("r1", "rel", canary, Scenario.wave("prod", "env", "prod"));
      for (int i = 0; i < hosts; i++) {
        s.applied(String.format("d%03d", i), "rel");
      }
      return s;
    }

    @Test
    void a_wave_too_small_to_show_it_stays_under_its_ceiling_does_not_promote() {
      Scenario s = wave(3, 0.1);
      assertThat(s.rolloutState("r1").currentWave()).isZero();
      assertThat(s.allEntries()).noneMatch(e -> e instanceof WavePromoted);
    }

    @Test
    void a_wave_that_shows_it_stays_under_its_ceiling_promotes() {
      Scenario s = wave(300, 0.1);
      s.settle();
      assertThat(s.rolloutState("r1").currentWave()).isEqualTo(1);
      assertThat(s.allEntries()).anyMatch(e -> e instanceof WavePromoted);
    }
  }

  @Nested
  class Emergency {
    @Test
    void an_emergency_release_keeps_every_wave_with_bakes_divided_by_the_compression() {
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1");
      s.apply(
          new ReleasePublished(
              TENANT,
              s.tick(),
              "hotfix",
              "agent",
              "9.9",
              Scenario.sha("hotfix"),
              "ci",
              Severity.EMERGENCY));
      WavePlan dev = wave("dev", "env", "dev").withBake(Duration.ofMinutes(10));
      WavePlan prod = wave("prod", "env", "prod").withBake(Duration.ofMinutes(60));
      s.plan("r1", "hotfix", new Plan(List.of(dev, prod)));

      assertThat(s.rolloutState("r1").plan().waves())
          .extracting(WavePlan::name, WavePlan::bake)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("dev", Duration.ofMinutes(1)),
              org.assertj.core.groups.Tuple.tuple("prod", Duration.ofMinutes(6)));
      s.applied("d1", "hotfix");
      s.now = s.now.plus(Duration.ofSeconds(61));
      Decision d = s.apply(new Heartbeat(TENANT, s.now, "d1", "hotfix", Map.of()));
      assertThat(d.entries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly("WavePromoted dev", "WaveStarted prod [p1]");
    }
  }

  @Nested
  class CrashGate {

    /** Five prod hosts in one wave, cap 0.2, min 1 crash. */
    private Scenario fiveHostWave() {
      Scenario s = new Scenario().hosts("prod", "p1", "p2", "p3", "p4", "p5");
      s.hosts("dev", "d1");
      s.rollout("r1", "rel", wave("prod", "env", "prod"), wave("dev", "env", "dev"));
      return s;
    }

    @Test
    void does_not_halt_when_the_crash_fraction_is_exactly_at_the_cap() {
      // Given 4 clean applies
      Scenario s = fiveHostWave();
      s.applied("p1", "rel");
      s.applied("p2", "rel");
      s.applied("p3", "rel");
      s.applied("p4", "rel");

      // When the fifth crashes: 1/5 = 0.2, not above 0.2
      Decision d = s.crash("p5", "rel");
      Decision settled = s.settle();

      // Then the wave promotes instead
      assertThat(d.entries()).noneMatch(RolloutHalted.class::isInstance);
      assertThat(settled.entries()).first().isInstanceOf(WavePromoted.class);
      assertThat(s.rolloutState("r1").counts(0))
          .usingRecursiveComparison()
          .ignoringFields("lastAppliedAt")
          .isEqualTo(new WaveCounts("prod", 5, 5, 1, 0, 0, 5));
    }

    @Test
    void halts_as_soon_as_the_crash_fraction_passes_the_cap() {
      // Given 3 clean applies and one crash: 1/4 = 0.25 > 0.2
      Scenario s = fiveHostWave();
      s.applied("p1", "rel");
      s.applied("p2", "rel");
      s.applied("p3", "rel");

      Decision d = s.crash("p4", "rel");

      assertThat(d.entries())
          .singleElement()
          .isInstanceOfSatisfying(
              RolloutHalted.class,
              e -> {
                assertThat(e.reason()).isEqualTo("crash fraction cap");
                assertThat(e.wave()).isEqualTo("prod");
                assertThat(e.evidence())
                    .containsEntry("applied", "4")
                    .containsEntry("crashed", "1")
                    .containsEntry("assigned", "5")
                    .containsEntry("crashFraction", "0.25")
                    .containsEntry("maxCrashFraction", "0.2")
                    .containsEntry("minCrashes", "1")
                    .containsEntry("host", "p4");
              });
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.HALTED);
    }

    @Test
    void does_not_halt_before_min_crashes_is_reached() {
      Scenario s = new Scenario().hosts("prod", "p1", "p2", "p3");
      s.rollout("r1", "rel", gate(wave("prod"), 0.2, 2));

      Decision first = s.crash("p1", "rel");
      Decision second = s.crash("p2", "rel");

      assertThat(first.entries()).isEmpty();
      assertThat(second.entries()).singleElement().isInstanceOf(RolloutHalted.class);
    }

    @Test
    void a_failed_apply_counts_as_a_crash() {
      Scenario s = fiveHostWave();

      Decision d = s.failed("p1", "rel");

      assertThat(s.rolloutState("r1").counts(0))
          .usingRecursiveComparison()
          .ignoringFields("lastAppliedAt")
          .isEqualTo(new WaveCounts("prod", 5, 1, 1, 0, 0, 5));
      assertThat(d.entries()).singleElement().isInstanceOf(RolloutHalted.class);
    }

    @Test
    void halt_sends_hold_to_every_host_of_the_rollout_in_every_wave_sorted_by_host() {
      Scenario s = fiveHostWave();

      Decision d = s.crash("p3", "rel");

      assertThat(d.commands()).allSatisfy(c -> assertThat(c).isInstanceOf(Hold.class));
      assertThat(hostsOf(d.commands())).containsExactly("d1", "p1", "p2", "p3", "p4", "p5");
    }

    @Test
    void a_crash_in_an_already_promoted_wave_still_halts() {
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1", "p2");
      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));
      s.applied("d1", "rel");

      Decision d = s.crash("d1", "rel");

      assertThat(d.entries())
          .singleElement()
          .isInstanceOfSatisfying(RolloutHalted.class, e -> assertThat(e.wave()).isEqualTo("dev"));
    }

    @Test
    void a_paused_rollout_still_halts_when_the_gate_trips() {
      Scenario s = fiveHostWave();
      s.pause("r1");

      Decision d = s.crash("p1", "rel");

      assertThat(d.entries()).singleElement().isInstanceOf(RolloutHalted.class);
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.HALTED);
    }
  }

  @Nested
  class RollingBack {
    @Test
    void halts_and_sends_rollback_to_hosts_sent_the_release_and_hold_to_the_others() {
      Scenario s = new Scenario().hosts("dev", "d1", "d2").hosts("prod", "p1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));
      s.applied("d1", "rel");

      Decision d = s.rollback("r1");

      assertThat(d.entries())
          .singleElement()
          .isInstanceOfSatisfying(
              RolloutHalted.class,
              e -> {
                assertThat(e.reason()).isEqualTo(RolloutEngine.ROLLBACK);
                assertThat(e.evidence())
                    .isEqualTo(Map.of("by", "ops", "reason", "bad release", "rolledBack", "2"));
              });
      assertThat(d.commands())
          .filteredOn(c -> c instanceof Rollback)
          .extracting(HostCommand::host)
          .containsExactly("d1", "d2");
      assertThat(d.commands())
          .filteredOn(c -> c instanceof Hold)
          .extracting(HostCommand::host)
          .containsExactly("p1");
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.HALTED);
    }

    @Test
    void a_halted_or_completed_rollout_can_still_be_rolled_back_and_an_unknown_one_is_refused() {
      Scenario s = new Scenario().hosts("dev", "d1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"));
      s.applied("d1", "rel");
      s.halt("r1");

      Decision d = s.rollback("r1");
      Decision unknown = s.rollback("r-none");

      assertThat(d.commands()).singleElement().isInstanceOf(Rollback.class);
      assertThat(unknown.rejections())
          .singleElement()
          .satisfies(r -> assertThat(r.reason()).isEqualTo("unknown rollout"));
    }

    @Test
    void a_host_that_moved_on_to_a_later_rollout_is_left_alone() {
      Scenario s = new Scenario().hosts("dev", "d1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"));
      s.applied("d1", "rel");
      s.halt("r1");
      s.rollout("r2", "rel2", wave("dev", "env", "dev"));
      assertThat(s.hostRecord("d1").rollout()).isEqualTo("r2");

      Decision d = s.rollback("r1");

      assertThat(d.commands()).isEmpty();
      assertThat(d.entries())
          .singleElement()
          .isInstanceOfSatisfying(
              RolloutHalted.class, e -> assertThat(e.evidence()).containsEntry("rolledBack", "0"));
    }
  }

  @Nested
  class ManualHalting {

    @Test
    void halts_with_the_operator_as_evidence_and_holds_every_assigned_host() {
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));

      Decision d = s.halt("r1");

      assertThat(d.entries())
          .singleElement()
          .isInstanceOfSatisfying(
              RolloutHalted.class,
              e -> {
                assertThat(e.reason()).isEqualTo("manual halt");
                assertThat(e.wave()).isEqualTo("dev");
                assertThat(e.evidence()).isEqualTo(Map.of("by", "ops", "reason", "bad smell"));
              });
      assertThat(hostsOf(d.commands())).containsExactly("d1", "p1");
      assertThat(d.commands()).allSatisfy(c -> assertThat(c).isInstanceOf(Hold.class));
    }

    @Test
    void a_halted_rollout_never_promotes_or_dispatches_again_on_its_own() {
      // Given a halted rollout whose first wave then reports success
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));
      s.halt("r1");
      int decided = s.decisions.size();

      // When everything but a person's resume happens
      Decision applied = s.applied("d1", "rel");
      Decision late = s.host("d2", "env", "dev");
      Decision haltedAgain = s.halt("r1");
      Decision settled = s.settle();
      Decision lateProd = s.applied("p1", "rel");

      // Then nothing is started, promoted or applied
      assertThat(applied).isEqualTo(Decision.none());
      assertThat(late).isEqualTo(Decision.none());
      assertThat(s.hostRecord("d2").rollout()).isNull();
      assertThat(haltedAgain.rejections()).hasSize(1);
      assertThat(settled.entries()).isEmpty();
      assertThat(lateProd).isEqualTo(Decision.none());
      assertThat(s.decisions.subList(decided, s.decisions.size()))
          .allSatisfy(
              d -> {
                assertThat(d.entries()).isEmpty();
                assertThat(d.commands()).isEmpty();
              });
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.HALTED);
    }

    @Test
    void a_person_may_resume_a_halted_rollout_and_the_ledger_says_who_and_why_first() {
      Scenario s = new Scenario().hosts("dev", "d1", "d2").hosts("prod", "p1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));
      s.applied("d1", "rel");
      s.halt("r1"); // d2 got Apply, then Hold, before applying

      Decision resumed =
          s.apply(new RolloutResumed(TENANT, s.tick(), "r1", "alice", "false alarm: probe bug"));

      assertThat(resumed.entries().get(0))
          .isInstanceOfSatisfying(
              HaltLifted.class,
              h -> {
                assertThat(h.by()).isEqualTo("alice");
                assertThat(h.reason()).contains("false alarm");
              });
      assertThat(resumed.commands())
          .filteredOn(Apply.class::isInstance)
          .extracting(HostCommand::host)
          .containsExactly("d2");
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.ACTIVE);
      s.applied("d2", "rel");
      assertThat(s.settle().entries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly("WavePromoted dev", "WaveStarted prod [p1]");
    }
  }

  @Nested
  class PauseAndResume {

    @Test
    void a_paused_rollout_does_not_promote_and_resume_promotes_a_finished_wave() {
      Scenario s = new Scenario(PERSONS_RECORDED).hosts("dev", "d1").hosts("prod", "p1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));
      s.pause("r1");

      s.applied("d1", "rel");
      Decision whilePaused = s.settle();
      Decision resumed = s.resume("r1");

      assertThat(whilePaused.entries()).isEmpty();
      assertThat(resumed.entries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly("PauseLifted by ops: back", "WavePromoted dev", "WaveStarted prod [p1]");
      assertThat(hostsOf(resumed.commands())).containsExactly("p1");
    }

    @Test
    void a_persons_pause_is_a_ledger_entry_naming_who_and_why_in_the_current_wave() {
      Scenario s = new Scenario(PERSONS_RECORDED).hosts("dev", "d1").hosts("prod", "p1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));

      Decision paused = s.pause("r1");

      assertThat(paused.entries()).hasSize(1);
      PauseRecorded pause = (PauseRecorded) paused.entries().get(0);
      assertThat(pause.wave()).isEqualTo("dev");
      assertThat(pause.reason()).isEqualTo(RolloutEngine.MANUAL_PAUSE);
      assertThat(pause.evidence()).containsExactly(entry("by", "ops"), entry("reason", "lunch"));
      assertThat(paused.commands()).isEmpty();
      // the chain goes on from it: the next entry's prevHash is its hash
      Decision resumed = s.resume("r1");
      assertThat(resumed.entries().get(0).prevHash()).isEqualTo(LedgerHash.of(pause));
      assertThat(resumed.entries().get(0).seq()).isEqualTo(pause.seq() + 1);
    }

    @Test
    void a_pause_or_a_halt_lifted_without_a_reason_is_recorded_with_an_empty_one() {
      Scenario s = new Scenario(PERSONS_RECORDED).hosts("prod", "p1");
      s.rollout("r1", "rel", wave("prod", "env", "prod"));
      s.pause("r1");

      // the door takes an empty reason: the resume must not be refused by the entry it records
      Decision resumed = s.apply(new RolloutResumed(TENANT, s.tick(), "r1", "ops", ""));
      s.halt("r1");
      Decision lifted = s.apply(new RolloutResumed(TENANT, s.tick(), "r1", "ops", ""));

      assertThat(resumed.entries())
          .extracting(RolloutEngineTest::describe)
          .contains("PauseLifted by ops: ");
      assertThat(lifted.entries()).first().isInstanceOf(HaltLifted.class);
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.ACTIVE);
    }

    @Test
    void a_journal_before_version_6_records_no_persons_pause_so_it_replays_as_decided() {
      Scenario s =
          new Scenario(new EngineConfig(Scenario.TTL).withPersonsRecorded(false))
              .hosts("dev", "d1")
              .hosts("prod", "p1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));

      assertThat(s.pause("r1").entries()).isEmpty();
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.PAUSED);
      assertThat(s.resume("r1").entries()).isEmpty();
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.ACTIVE);
    }

    @Test
    void a_paused_rollout_takes_no_late_hosts() {
      Scenario s = new Scenario().hosts("prod", "p1");
      s.rollout("r1", "rel", wave("prod", "env", "prod"));
      s.pause("r1");

      Decision d = s.host("p2", "env", "prod");

      assertThat(d).isEqualTo(Decision.none());
      assertThat(s.hostRecord("p2").rollout()).isNull();
    }

    @Test
    void pausing_twice_and_resuming_an_active_rollout_are_no_ops() {
      Scenario s = new Scenario().hosts("prod", "p1");
      s.rollout("r1", "rel", wave("prod", "env", "prod"));

      assertThat(s.resume("r1")).isEqualTo(Decision.none());
      s.pause("r1");
      assertThat(s.pause("r1")).isEqualTo(Decision.none());
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.PAUSED);
    }

    @Test
    void a_completed_rollout_cannot_be_paused_or_halted() {
      Scenario s = new Scenario().hosts("prod", "p1");
      s.rollout("r1", "rel", wave("prod", "env", "prod"));
      s.applied("p1", "rel");
      s.settle();

      assertThat(s.pause("r1").rejections())
          .singleElement()
          .extracting(Rejection::reason)
          .isEqualTo("rollout is COMPLETED");
      assertThat(s.halt("r1").rejections()).hasSize(1);
    }
  }

  @Nested
  class Promotion {

    @Test
    void promotes_through_every_wave_of_the_classic_plan_in_order_to_completion() {
      // Given a small fleet labelled as the classic plan expects
      Scenario s = new Scenario().hosts("dev", "d1").hosts("staging", "s1", "s2");
      for (String p : List.of("p1", "p2", "p3")) {
        s.host(p, "env", "prod", "tier", "C", "role", "replica");
      }
      s.host("p4", "env", "prod", "tier", "C", "role", "primary");
      s.host("p5", "env", "prod", "tier", "B", "role", "replica");
      s.host("p6", "env", "prod", "tier", "A", "role", "primary");
      s.host("p7", "env", "prod");
      s.release("rel");
      s.plan("r1", "rel", withoutBake(PlanTemplates.classic()));

      // When every host applies, wave by wave
      for (String h : List.of("d1", "s1", "s2", "p1", "p2", "p3", "p4", "p5", "p6", "p7")) {
        s.applied(h, "rel");
        s.settle();
      }

      // Then waves no host matched pass at once, the others in order
      assertThat(s.allEntries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly(
              "WaveStarted dev [d1]",
              "WavePromoted dev",
              "WaveStarted staging [s1, s2]",
              "WavePromoted staging",
              "WaveStarted prod-canary [p1, p2]",
              "WavePromoted prod-canary",
              "WaveStarted prod-c-replicas [p3]",
              "WavePromoted prod-c-replicas",
              "WaveStarted prod-c-primaries [p4]",
              "WavePromoted prod-c-primaries",
              "WaveStarted prod-b-replicas [p5]",
              "WavePromoted prod-b-replicas",
              "WaveStarted prod-b-primaries []",
              "WavePromoted prod-b-primaries",
              "WaveStarted prod-a-replicas []",
              "WavePromoted prod-a-replicas",
              "WaveStarted prod-a-primaries [p6]",
              "WavePromoted prod-a-primaries",
              "WaveStarted prod-other [p7]",
              "WavePromoted prod-other",
              "RolloutCompleted");
      assertThat(s.allEntries()).extracting(LedgerEntry::seq).doesNotHaveDuplicates().isSorted();
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.COMPLETED);
      assertThat(s.allCommands())
          .allSatisfy(c -> assertThat(c).isInstanceOf(Apply.class))
          .extracting(HostCommand::host)
          .containsExactly("d1", "s1", "s2", "p1", "p2", "p3", "p4", "p5", "p6", "p7");
    }

    @Test
    void promotes_through_every_wave_and_batch_of_the_default_plan_in_order_to_completion() {
      // Given a small fleet labelled as the default plan (dba) expects: no UAT host, one edge host
      Scenario s = new Scenario().hosts("dev", "d1").hosts("staging", "s1");
      s.host("e1", "env", "prod", "role", "edge");
      for (String p : List.of("p1", "p2", "p3", "p4")) {
        s.host(p, "env", "prod", "tier", "C", "role", "replica");
      }
      s.host("p5", "env", "prod", "tier", "A", "role", "primary");
      s.host("p6", "env", "prod");
      s.release("rel");
      Plan dba = Plan.defaultPlan();
      s.plan(
          "r1",
          "rel",
          dba.withWaves(
              dba.waves().stream().map(w -> w.withBakes(Duration.ZERO, Duration.ZERO)).toList()));

      // When every host applies, wave by wave
      for (String h : List.of("d1", "s1", "e1", "p1", "p2", "p3", "p4", "p5", "p6")) {
        s.applied(h, "rel");
        s.settle();
      }

      // Then each batched wave ran as its batches (3 near-equal ones, fewer with fewer hosts)
      assertThat(s.allEntries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly(
              "WaveStarted devbox [d1]",
              "WavePromoted devbox",
              "WaveStarted staging [s1]",
              "WavePromoted staging",
              "WaveStarted uat []",
              "WavePromoted uat",
              "WaveStarted edge [e1]",
              "WavePromoted edge",
              "WaveStarted prod-c-replicas.1 [p1, p2]",
              "WavePromoted prod-c-replicas.1",
              "WaveStarted prod-c-replicas.2 [p3]",
              "WavePromoted prod-c-replicas.2",
              "WaveStarted prod-c-replicas.3 [p4]",
              "WavePromoted prod-c-replicas.3",
              "WaveStarted prod-c-primaries.1 []",
              "WavePromoted prod-c-primaries.1",
              "WaveStarted prod-b-replicas.1 []",
              "WavePromoted prod-b-replicas.1",
              "WaveStarted prod-b-primaries.1 []",
              "WavePromoted prod-b-primaries.1",
              "WaveStarted prod-a-replicas.1 []",
              "WavePromoted prod-a-replicas.1",
              "WaveStarted prod-a-primaries.1 [p5]",
              "WavePromoted prod-a-primaries.1",
              "WaveStarted prod-other [p6]",
              "WavePromoted prod-other",
              "RolloutCompleted");
      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.COMPLETED);
    }

    @Test
    void does_not_promote_until_every_host_of_the_wave_has_applied() {
      Scenario s = new Scenario().hosts("dev", "d1", "d2").hosts("prod", "p1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));

      s.applied("d1", "rel");
      Decision first = s.settle();
      s.applied("d2", "rel");
      Decision second = s.settle();

      assertThat(first.entries()).isEmpty();
      assertThat(second.entries()).first().isInstanceOf(WavePromoted.class);
    }

    @Test
    void a_wave_no_host_matched_passes_at_once_and_the_next_wave_starts() {
      Scenario s = new Scenario().hosts("prod", "p1");

      Decision planned =
          s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));

      assertThat(planned.entries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly("WaveStarted dev []", "WavePromoted dev", "WaveStarted prod [p1]");
      assertThat(hostsOf(planned.commands())).containsExactly("p1");
    }

    @Test
    void a_wave_whose_hosts_all_applied_early_is_promoted_straight_through() {
      // Given a prod host that installed the release before its wave started
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));
      s.applied("p1", "rel");
      s.applied("d1", "rel");

      Decision d = s.settle();

      assertThat(d.entries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly(
              "WavePromoted dev", "WaveStarted prod [p1]", "WavePromoted prod", "RolloutCompleted");
    }
  }

  /** The default plan's waves with their bake times removed, to test promotion order alone. */
  static Plan withoutBake(Plan plan) {
    return new Plan(
        plan.waves().stream()
            .map(
                w ->
                    new WavePlan(
                        w.name(),
                        w.selector(),
                        w.hosts(),
                        w.percent(),
                        w.maxCrashFraction(),
                        w.minCrashes()))
            .toList());
  }

  @Nested
  class Bake {
    private final Duration bake = Duration.ofMinutes(10);

    private WavePlan baked(String name, String env) {
      WavePlan w = wave(name, "env", env);
      return new WavePlan(
          w.name(),
          w.selector(),
          w.hosts(),
          w.percent(),
          w.maxCrashFraction(),
          w.minCrashes(),
          bake);
    }

    private Decision heartbeatAfter(Scenario s, String host, Duration later) {
      s.now = s.now.plus(later);
      return s.apply(new Heartbeat(Scenario.TENANT, s.now, host, "rel", Map.of("cpu", 0.3)));
    }

    @Test
    void does_not_promote_before_the_bake_time_even_when_every_host_applied() {
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1");
      s.rollout("r1", "rel", baked("dev", "dev"), baked("prod", "prod"));

      s.applied("d1", "rel");
      heartbeatAfter(s, "d1", Duration.ofMinutes(9));

      assertThat(s.allEntries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly("WaveStarted dev [d1]");
      assertThat(s.allCommands()).extracting(HostCommand::host).containsExactly("d1");
    }

    @Test
    void promotes_on_a_heartbeat_once_the_bake_time_has_passed() {
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1");
      s.rollout("r1", "rel", baked("dev", "dev"), baked("prod", "prod"));
      s.applied("d1", "rel");

      Decision d = heartbeatAfter(s, "d1", Duration.ofMinutes(11));

      assertThat(d.entries())
          .extracting(RolloutEngineTest::describe)
          .containsExactly("WavePromoted dev", "WaveStarted prod [p1]");
      assertThat(d.commands())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c).isInstanceOf(Apply.class);
                assertThat(c.host()).isEqualTo("p1");
              });
      assertThat(s.rolloutState("r1").waveStartedAt()).isEqualTo(s.now);
    }

    @Test
    void a_crash_during_the_bake_halts_before_the_next_wave_receives_anything() {
      // The Azure Front Door 2025 shape: every host applied fine, the failure comes minutes later.
      Scenario s = new Scenario().hosts("dev", "d1", "d2").hosts("prod", "p1");
      s.rollout("r1", "rel", baked("dev", "dev"), baked("prod", "prod"));
      s.applied("d1", "rel");
      s.applied("d2", "rel");
      s.now = s.now.plus(Duration.ofMinutes(5));

      s.crash("d2", "rel");
      heartbeatAfter(s, "d1", Duration.ofMinutes(30));

      assertThat(s.rolloutState("r1").status()).isEqualTo(RolloutStatus.HALTED);
      assertThat(s.allCommands()).noneMatch(c -> c instanceof Apply && c.host().equals("p1"));
      assertThat(s.allEntries()).noneMatch(e -> e instanceof WavePromoted);
    }
  }

  @Nested
  class LateRegistration {

    @Test
    void a_late_host_joins_the_first_matching_wave_and_gets_apply_if_it_started() {
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));

      Decision d = s.host("d2", "env", "dev");

      assertThat(s.hostRecord("d2").wave()).isEqualTo("dev");
      assertThat(d.entries()).isEmpty();
      assertThat(d.commands())
          .singleElement()
          .isInstanceOfSatisfying(
              Apply.class,
              c -> {
                assertThat(c.host()).isEqualTo("d2");
                assertThat(c.sha256()).isEqualTo(sha("rel"));
              });
      assertThat(s.rolloutState("r1").counts(0).assigned()).isEqualTo(2);
    }

    @Test
    void a_late_host_for_a_wave_not_yet_started_waits_for_it() {
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1");
      s.rollout("r1", "rel", wave("dev", "env", "dev"), wave("prod", "env", "prod"));

      Decision joined = s.host("p2", "env", "prod");
      s.applied("d1", "rel");
      Decision promoted = s.settle();

      assertThat(joined.commands()).isEmpty();
      assertThat(s.hostRecord("p2").wave()).isEqualTo("prod");
      assertThat(hostsOf(promoted.commands())).containsExactly("p1", "p2");
    }

    @Test
    void a_late_host_skips_a_wave_that_is_full() {
      Scenario s = new Scenario().hosts("prod", "p1", "p2");
      s.rollout("r1", "rel", capped("canary", 2, "env", "prod"), wave("prod", "env", "prod"));

      s.host("p0", "env", "prod");

      assertThat(s.hostRecord("p0").wave()).isEqualTo("prod");
    }

    @Test
    void a_late_host_joins_a_percent_wave_only_while_it_is_below_its_share() {
      // Given 50% of 3 prod hosts = 2 in the canary, 1 in the rest
      Scenario s = new Scenario().hosts("prod", "p1", "p2", "p3");
      s.rollout("r1", "rel", percent("canary", 50, "env", "prod"), wave("prod", "env", "prod"));

      // When p4 arrives: 50% of 4 = 2, the canary is full; p5: 50% of 5 = 3, it has room
      s.host("p4", "env", "prod");
      s.host("p5", "env", "prod");

      // Then
      assertThat(s.hostRecord("p4").wave()).isEqualTo("prod");
      assertThat(s.hostRecord("p5").wave()).isEqualTo("canary");
    }

    @Test
    void a_host_matching_no_wave_stays_unassigned() {
      Scenario s = new Scenario().hosts("prod", "p1");
      s.rollout("r1", "rel", wave("prod", "env", "prod"));

      Decision d = s.host("x1", "env", "lab");

      assertThat(d).isEqualTo(Decision.none());
      assertThat(s.hostRecord("x1").rollout()).isNull();
    }

    @Test
    void re_registration_updates_labels_and_keeps_assignment_and_command_seq() {
      Scenario s = new Scenario().hosts("prod", "p1");
      s.rollout("r1", "rel", wave("prod", "env", "prod"));

      Decision d = s.host("p1", "env", "prod", "rack", "r7");

      assertThat(d).isEqualTo(Decision.none());
      assertThat(s.hostRecord("p1"))
          .isEqualTo(
              new HostRecord(
                  TENANT,
                  "p1",
                  Map.of("env", "prod", "rack", "r7"),
                  1,
                  new Binding("r1", "prod", Liveness.HEARTBEATS),
                  false,
                  null,
                  null,
                  true,
                  false,
                  false));
    }
  }

  @Nested
  class Idempotency {

    @Test
    void a_repeated_apply_is_counted_once() {
      Scenario s = new Scenario().hosts("prod", "p1", "p2");
      s.rollout("r1", "rel", wave("prod", "env", "prod"));

      s.applied("p1", "rel");
      Decision again = s.applied("p1", "rel");

      assertThat(again).isEqualTo(Decision.none());
      assertThat(s.rolloutState("r1").counts(0))
          .usingRecursiveComparison()
          .ignoringFields("lastAppliedAt")
          .isEqualTo(new WaveCounts("prod", 2, 1, 0, 0, 0, 2));
    }

    @Test
    void a_repeated_crash_is_counted_once_and_a_crash_after_apply_does_not_count_apply_twice() {
      Scenario s = new Scenario().hosts("prod", "p1", "p2", "p3");
      s.rollout("r1", "rel", gate(wave("prod"), 1.0, 1));

      s.applied("p1", "rel");
      s.crash("p1", "rel");
      s.crash("p1", "rel");
      s.failed("p1", "rel");

      assertThat(s.rolloutState("r1").counts(0))
          .usingRecursiveComparison()
          .ignoringFields("lastAppliedAt")
          .isEqualTo(new WaveCounts("prod", 3, 1, 1, 0, 0, 3));
      assertThat(s.hostRecord("p1").crashed()).isTrue();
    }
  }

  @Nested
  class HostCommands {

    @Test
    void command_seq_increases_per_host_across_rollouts_and_ids_are_derived_from_it() {
      // Given p1 gets Apply in r1, Hold when r1 halts, Apply again in r2
      Scenario s = new Scenario().hosts("prod", "p1", "p2");
      s.rollout("r1", "rel1", wave("prod", "env", "prod"));
      s.halt("r1");
      s.rollout("r2", "rel2", wave("prod", "env", "prod"));

      // Then
      List<HostCommand> p1 = s.allCommands().stream().filter(c -> c.host().equals("p1")).toList();
      assertThat(p1).extracting(HostCommand::seq).containsExactly(1L, 2L, 3L);
      assertThat(p1)
          .extracting(HostCommand::commandId)
          .containsExactly("acme/p1/1", "acme/p1/2", "acme/p1/3");
      assertThat(p1)
          .extracting(c -> c.getClass().getSimpleName())
          .containsExactly("Apply", "Hold", "Apply");
      assertThat(s.hostRecord("p1").lastCommandSeq()).isEqualTo(3);
    }

    @Test
    void commands_are_issued_at_event_time_and_expire_after_the_configured_ttl() {
      Scenario s = new Scenario().hosts("prod", "p1");

      Decision d = s.rollout("r1", "rel", wave("prod", "env", "prod"));

      assertThat(d.commands())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.issuedAt()).isEqualTo(s.now);
                assertThat(c.expiresAt()).isEqualTo(s.now.plus(Scenario.TTL));
              });
    }
  }

  @Nested
  class HashChain {

    @Test
    void each_entry_points_at_the_hash_of_the_previous_entry_of_its_rollout() {
      // Given two interleaved rollouts, each with several entries
      Scenario s = new Scenario().hosts("dev", "d1").hosts("prod", "p1");
      s.rollout("r1", "rel1", wave("dev", "env", "dev"), wave("prod", "env", "prod"));
      s.host("s1", "env", "staging");
      s.rollout("r2", "rel2", wave("staging", "env", "staging"));
      s.applied("d1", "rel1");
      s.halt("r2");
      s.settle();
      s.applied("p1", "rel1");
      s.settle();

      for (String rollout : List.of("r1", "r2")) {
        List<LedgerEntry> chain =
            s.allEntries().stream().filter(e -> e.rollout().equals(rollout)).toList();
        assertThat(chain).hasSizeGreaterThan(1);
        assertThat(chain.get(0).prevHash()).isEqualTo(LedgerHash.GENESIS);
        for (int i = 0; i < chain.size(); i++) {
          assertThat(chain.get(i).seq()).isEqualTo(i + 1);
          if (i > 0) {
            assertThat(chain.get(i).prevHash()).isEqualTo(LedgerHash.of(chain.get(i - 1)));
          }
        }
        LedgerEntry last = chain.get(chain.size() - 1);
        assertThat(s.rolloutState(rollout).lastHash()).isEqualTo(LedgerHash.of(last));
        assertThat(s.rolloutState(rollout).seq()).isEqualTo(last.seq());
      }
    }
  }

  /** The server's engine: every person's decision is a ledger entry (journals of version 6). */
  static final EngineConfig PERSONS_RECORDED =
      new EngineConfig(Scenario.TTL).withPersonsRecorded(true);

  static String describe(LedgerEntry e) {
    if (e instanceof WaveStarted w) {
      return "WaveStarted " + w.wave() + " " + w.hosts();
    } else if (e instanceof WavePromoted p) {
      return "WavePromoted " + p.wave();
    } else if (e instanceof RolloutHalted h) {
      return "RolloutHalted " + h.wave();
    } else if (e instanceof WaveApproved a) {
      return "WaveApproved " + a.wave() + " by " + a.by();
    } else if (e instanceof PauseLifted l) {
      return "PauseLifted by " + l.by() + ": " + l.reason();
    }
    return e.getClass().getSimpleName();
  }
}
