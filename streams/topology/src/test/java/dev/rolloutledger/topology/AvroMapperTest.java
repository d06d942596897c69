package dev.rolloutledger.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.avro.state.HostState;
import dev.rolloutledger.domain.ApprovalGranted;
import dev.rolloutledger.domain.Binding;
import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostRecord;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.LedgerHash;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.MaintenanceWindow;
import dev.rolloutledger.domain.ManualHalt;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PolicySet;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RolloutCompleted;
import dev.rolloutledger.domain.RolloutHalted;
import dev.rolloutledger.domain.RolloutPaused;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.RolloutResumed;
import dev.rolloutledger.domain.RolloutState;
import dev.rolloutledger.domain.RolloutStatus;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.WaveCounts;
import dev.rolloutledger.domain.WavePlan;
import dev.rolloutledger.domain.WavePromoted;
import dev.rolloutledger.domain.WaveStarted;
import dev.rolloutledger.domain.gate.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Avro is only the boundary: every aggregate survives domain -> Avro -> domain unchanged. */
class AvroMapperTest {
  private static final Instant AT = Instant.parse("2024-07-19T04:09:00.123Z");
  private static final String SHA = "c".repeat(64);

  static Plan fullPlan() {
    return new Plan(
        List.of(
            new WavePlan(
                "canary",
                Map.of("env", "dev"),
                20,
                null,
                0.5,
                2,
                Duration.ofMinutes(10),
                false,
                0.5),
            new WavePlan(
                "staging",
                Map.of("env", "staging"),
                null,
                100,
                0.2,
                1,
                Duration.ofHours(1),
                true,
                null),
            new WavePlan("branches", Map.of("env", "prod"), 8, null, 0.2, 1, Duration.ofDays(1))
                .spreadBy("branch", 2),
            new WavePlan("prod", Map.of("env", "prod"), null, null, 0.2, 1, Duration.ofHours(4))
                .inBatches(3, Duration.ofHours(1)),
            new WavePlan("rest", Map.of(), null, null, 0.2, 1, Duration.ofHours(2))),
        Duration.ofSeconds(30),
        0.01,
        0.02,
        2.0,
        600,
        Map.of("cpu", 0.95, "errorRate", 0.05),
        10);
  }

  @Nested
  class Inputs {
    @Test
    void every_input_type_round_trips() {
      List<LedgerInput> inputs =
          List.of(
              new HostRegistered("t", AT, "h1", Map.of("env", "prod", "tier", "A")),
              new ReleasePublished(
                  "t", AT, "r", "agent", "1.2.3", SHA, "vendor", Severity.EMERGENCY),
              new RolloutPlanned("t", AT, "ro", "r", fullPlan()),
              new RolloutPlanned("t", AT, "ro2", "r", fullPlan().withLiveness(Liveness.REPORTED)),
              new RolloutPlanned("t", AT, "ro3", "r", fullPlan().withMaxUnreachableFraction(0.25)),
              new HostSilent("t", AT, "h1", AT.minusSeconds(45)),
              new HostSilent(
                  "t", AT, "h2", AT.minusSeconds(14), dev.rolloutledger.domain.Detector.HOST_STAGE),
              new dev.rolloutledger.domain.FanOutContinued("t", AT, "ro", 7, true, "h0042"),
              new dev.rolloutledger.domain.AssignmentContinued("t", AT, "ro", 2, "h0042"),
              new dev.rolloutledger.domain.AssignmentContinued("t", AT, "ro", 0, null),
              new HostBack("t", AT, "h1"),
              new UpdateApplied("t", AT, "h1", "r", false, "disk full"),
              new Heartbeat("t", AT, "h1", "r", Map.of("cpu", 0.5)),
              new CrashReport("t", AT, "h1", "r", "SIG", "BSOD"),
              new ApprovalGranted("t", AT, "ro", "staging", "alice"),
              new RolloutPaused("t", AT, "ro", "bob", "lunch"),
              new RolloutResumed("t", AT, "ro", "bob", "back"),
              new ManualHalt("t", AT, "ro", "carol", "smell"),
              new dev.rolloutledger.domain.RollbackRequested("t", AT, "ro", "dave", "bad build"),
              new dev.rolloutledger.domain.HostLifecycleChanged(
                  "t", AT, "h1", dev.rolloutledger.domain.HostLifecycle.CORDONED, "erin"),
              new dev.rolloutledger.domain.HostLifecycleChanged(
                  "t", AT, "h1", dev.rolloutledger.domain.HostLifecycle.RETIRED, "erin"),
              new dev.rolloutledger.domain.HostLifecycleChanged(
                  "t", AT, "h1", dev.rolloutledger.domain.HostLifecycle.ACTIVE, "erin"),
              new PolicySet(
                  "t",
                  AT,
                  new OwnerPolicy(
                      "t",
                      "r-1",
                      true,
                      List.of(
                          new MaintenanceWindow(
                              java.util.Set.of(
                                  java.time.DayOfWeek.SATURDAY, java.time.DayOfWeek.MONDAY),
                              java.time.LocalTime.of(22, 0),
                              java.time.LocalTime.of(2, 30)),
                          new MaintenanceWindow(
                              java.util.Set.of(),
                              java.time.LocalTime.of(1, 0),
                              java.time.LocalTime.of(5, 0),
                              java.time.ZoneId.of("Europe/Paris"))),
                      Duration.ofHours(1),
                      List.of("internal-ci"),
                      "owner")));
      for (LedgerInput input : inputs) {
        assertThat(AvroMapper.toDomain(AvroMapper.toAvro(input))).isEqualTo(input);
      }
      // every input but the clock's ticks (written by the clock topic's own mapping)
      assertThat(inputs.stream().map(Object::getClass).distinct())
          .containsExactlyInAnyOrderElementsOf(
              java.util.Arrays.stream(LedgerInput.class.getPermittedSubclasses())
                  .filter(c -> c != dev.rolloutledger.domain.ClockTick.class)
                  .toList());
    }

    @Test
    void an_invalid_window_names_the_field_under_policy() {
      var avro =
          (dev.rolloutledger.avro.PolicySet)
              AvroMapper.toAvro(new PolicySet("t", AT, OwnerPolicy.none("t")));
      avro.getPolicy()
          .setWindows(
              List.of(
                  new dev.rolloutledger.avro.MaintenanceWindowSpec(
                      List.of("FUNDAY"), "02:00", "04:00", "UTC")));
      assertThatThrownBy(() -> AvroMapper.toDomain(avro))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> assertThat(e.field()).isEqualTo("policy.windows[0].days"));
    }

    @Test
    void an_invalid_plan_names_the_field_under_plan() {
      var spec = AvroMapper.planSpec(fullPlan());
      spec.getWaves().get(1).setBake("ten minutes");
      assertThatThrownBy(() -> AvroMapper.plan(spec))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> assertThat(e.field()).isEqualTo("plan.waves[1].bake"));
    }

    @Test
    void an_invalid_spread_or_batch_bake_names_the_field_under_plan() {
      var spread = AvroMapper.planSpec(fullPlan());
      spread.getWaves().get(2).getSpread().setHosts(0);
      var batchBake = AvroMapper.planSpec(fullPlan());
      batchBake.getWaves().get(3).setBatchBake("an hour");

      assertThatThrownBy(() -> AvroMapper.plan(spread))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> assertThat(e.field()).isEqualTo("plan.waves[2].spread.hosts"));
      assertThatThrownBy(() -> AvroMapper.plan(batchBake))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> assertThat(e.field()).isEqualTo("plan.waves[3].batchBake"));
    }

    @Test
    void a_window_in_an_unknown_zone_names_the_field_under_policy() {
      var avro =
          (dev.rolloutledger.avro.PolicySet)
              AvroMapper.toAvro(new PolicySet("t", AT, OwnerPolicy.none("t")));
      avro.getPolicy()
          .setWindows(
              List.of(
                  new dev.rolloutledger.avro.MaintenanceWindowSpec(
                      List.of(), "02:00", "04:00", "Mars/Olympus")));
      assertThatThrownBy(() -> AvroMapper.toDomain(avro))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> assertThat(e.field()).isEqualTo("policy.windows[0].zone"));
    }
  }

  @Nested
  class Entries {
    @Test
    void ledger_entries_round_trip_and_carry_their_own_hash() {
      String g = LedgerHash.GENESIS;
      var entries =
          List.of(
              new WaveStarted("t", AT, "ro", 1, g, "canary", 0, List.of("h1", "h2")),
              new WavePromoted(
                  "t", AT, "ro", 2, g, "canary", 0, Map.of("crash.eValue", "1", "applied", "20")),
              new RolloutHalted(
                  "t", AT, "ro", 3, g, "canary", "crash fraction cap", Map.of("crashed", "1")),
              new RolloutCompleted("t", AT, "ro", 4, g),
              new dev.rolloutledger.domain.HaltLifted("t", AT, "ro", 5, g, "alice", "false alarm"),
              new dev.rolloutledger.domain.PauseRecorded(
                  "t", AT, "ro", 6, g, "canary", "paused by a person", Map.of("by", "bob")),
              new dev.rolloutledger.domain.PauseLifted("t", AT, "ro", 7, g, "bob", "checked"),
              new dev.rolloutledger.domain.WaveApproved("t", AT, "ro", 8, g, "fleet", "carol"));
      for (var entry : entries) {
        var avro = AvroMapper.toAvro(entry);
        assertThat(AvroMapper.entryToDomain(avro)).isEqualTo(entry);
        assertThat(avro.get(avro.getSchema().getField("hash").pos()))
            .isEqualTo(LedgerHash.of(entry));
      }
    }
  }

  @Nested
  class State {
    @Test
    void a_rollout_round_trips_with_its_plan_counts_chain_head_and_approvals() {
      Plan plan = fullPlan();
      RolloutState state =
          new RolloutState(
              "t",
              "ro",
              "r",
              plan,
              RolloutStatus.PAUSED,
              1,
              List.of(
                  new WaveCounts(
                      "canary",
                      20,
                      20,
                      Map.of(Signal.CRASH, 1, Signal.SILENCE, 2, Signal.METRICS, 3),
                      20,
                      AT.plusSeconds(60)),
                  new WaveCounts("staging", 5, 2, 0),
                  WaveCounts.empty("branches"),
                  WaveCounts.empty("prod"),
                  WaveCounts.empty("rest")),
              7,
              "d".repeat(64),
              AT,
              AT.plusSeconds(600),
              List.of("staging"),
              Map.of(
                  dev.rolloutledger.domain.gate.Signal.SILENCE,
                  dev.rolloutledger.domain.gate.CohortEvidence.NONE
                      .observeFailure(dev.rolloutledger.domain.gate.Cohort.UPDATED, 0.3)
                      .observeFailure(dev.rolloutledger.domain.gate.Cohort.BASELINE, 0.25)));
      assertThat(AvroMapper.toDomain(AvroMapper.toAvro(state))).isEqualTo(state);
      // with a halt's commands and an assignment still going on
      RolloutState pending =
          state
              .withFanOutAfter("h0042")
              .withAssignment(new dev.rolloutledger.domain.AssignmentCursor(2, "h0099"));
      assertThat(AvroMapper.toDomain(AvroMapper.toAvro(pending))).isEqualTo(pending);
      RolloutState fromStart =
          state.withAssignment(new dev.rolloutledger.domain.AssignmentCursor(1, null));
      assertThat(AvroMapper.toDomain(AvroMapper.toAvro(fromStart))).isEqualTo(fromStart);
    }

    @Test
    void a_host_round_trips() {
      HostRecord host =
          new HostRecord(
              "t",
              "h1",
              Map.of("env", "dev"),
              9,
              new Binding("ro", "canary", Liveness.HEARTBEATS),
              true,
              Signal.METRICS,
              AT,
              true,
              true,
              false);
      assertThat(AvroMapper.toDomain(AvroMapper.toAvro(host))).isEqualTo(host);
      HostRecord reported = host.assignedTo("ro", "canary", Liveness.REPORTED).silenceReported(AT);
      assertThat(reported.silenceReported()).isTrue();
      assertThat(AvroMapper.toDomain(AvroMapper.toAvro(reported))).isEqualTo(reported);
    }

    @Test
    void each_host_failure_signal_maps_to_its_flag_and_back() {
      HostRecord applied =
          HostRecord.registered("t", "h1", Map.of()).assignedTo("ro", "canary").appliedWith(false);
      assertThat(AvroMapper.toAvro(applied).getCrashed()).isFalse();
      for (Signal signal : Signal.ofHosts()) {
        HostRecord failing = applied.failingFrom(signal);
        HostState state = AvroMapper.toAvro(failing);
        assertThat(List.of(state.getCrashed(), state.getSilent(), state.getHot()))
            .containsExactly(
                signal == Signal.CRASH, signal == Signal.SILENCE, signal == Signal.METRICS);
        assertThat(AvroMapper.toDomain(state)).isEqualTo(failing);
      }
    }

    @Test
    void an_unassigned_host_round_trips_without_a_binding() {
      HostRecord host = HostRecord.registered("t", "h1", Map.of("env", "dev"));
      assertThat(AvroMapper.toDomain(AvroMapper.toAvro(host))).isEqualTo(host);
      assertThat(AvroMapper.toAvro(host).getRollout()).isNull();
    }

    @Test
    void an_unknown_liveness_names_the_field_under_plan() {
      var spec = AvroMapper.planSpec(fullPlan());
      spec.setLiveness("gossip");
      assertThatThrownBy(() -> AvroMapper.plan(spec))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("plan.liveness"));
    }
  }
}
