package dev.rolloutledger.domain.hoststage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.WavePlan;
import dev.rolloutledger.domain.testing.Seeds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The time wheel changes what a tick costs, not what it says: driven by the same random telemetry,
 * watches, ticks and restarts, the stage forwards the same news, reports the same hosts at the same
 * ticks in the same order and keeps the same slots as {@link ReferenceHostStage}, whose tick visits
 * every slot.
 */
class HostStageWheelTest {
  static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");
  static final String[] TENANTS = {"acme", "beta", "zeta"};

  static List<Long> seeds() {
    return Seeds.seeds(300).boxed().toList();
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource("seeds")
  void the_wheel_reports_what_visiting_every_slot_reports(long seed) {
    Seeds.check(seed, random -> new Run(random).run());
  }

  static Plan plan(SplittableRandom random) {
    WavePlan all = new WavePlan("all", Map.of(), null, 100, 0.5, 1, Duration.ofMinutes(1));
    Duration timeout = Duration.ofSeconds(Seeds.oneOf(random, 2L, 3L, 5L, 10L, 30L, 60L));
    Map<String, Double> limits = new LinkedHashMap<>();
    if (random.nextBoolean()) {
      limits.put("cpu", Seeds.oneOf(random, 0.5, 0.9));
    }
    if (random.nextInt(4) == 0) {
      limits.put("errorRate", 0.05);
    }
    Liveness liveness = random.nextInt(4) == 0 ? Liveness.REPORTED : Liveness.HEARTBEATS;
    return new Plan(List.of(all), timeout, 0.01, 0.01, 2.0, 600, limits, 10).withLiveness(liveness);
  }

  static final class Run {
    final SplittableRandom random;
    final int hosts;
    HostStage stage = new HostStage();
    ReferenceHostStage reference = new ReferenceHostStage();
    long now = T0.toEpochMilli();

    Run(SplittableRandom random) {
      this.random = random;
      this.hosts = Seeds.ints(random, 1, 40);
    }

    String tenant() {
      return TENANTS[random.nextInt(1 + random.nextInt(TENANTS.length))];
    }

    String host() {
      return "h" + random.nextInt(hosts);
    }

    Instant around() {
      // mostly now, sometimes late (a backlog), sometimes a little ahead
      long delta = random.nextInt(5) == 0 ? -random.nextLong(30_000) : random.nextLong(3_000);
      return Instant.ofEpochMilli(now + delta);
    }

    void run() {
      int steps = Seeds.sizes(random, 50, 600);
      for (int i = 0; i < steps; i++) {
        int roll = random.nextInt(100);
        if (roll < 50) {
          Map<String, Double> metrics =
              random.nextBoolean()
                  ? Map.of()
                  : Map.of("cpu", Seeds.oneOf(random, 0.1, 0.7, 0.95), "errorRate", 0.01);
          absorb(
              new Heartbeat(tenant(), around(), host(), Seeds.oneOf(random, "r0", "r1"), metrics));
        } else if (roll < 54) {
          absorb(new UpdateApplied(tenant(), around(), host(), "r1", random.nextBoolean(), "x"));
        } else if (roll < 56) {
          absorb(new CrashReport(tenant(), around(), host(), "r1", "BSOD", "KERNEL"));
        } else if (roll < 58) {
          Instant at = around();
          absorb(new HostSilent(tenant(), at, host(), at.minusSeconds(random.nextInt(30))));
        } else if (roll < 59) {
          absorb(new HostBack(tenant(), around(), host()));
        } else if (roll < 64) {
          List<Plan> plans = new ArrayList<>();
          int n = random.nextInt(3);
          for (int p = 0; p < n; p++) {
            plans.add(plan(random));
          }
          HostWatch w = HostWatch.of(tenant(), plans);
          stage.watch(w);
          reference.watch(w);
        } else if (roll < 66) {
          restart();
        } else {
          tick();
        }
      }
    }

    void absorb(LedgerInput input) {
      HostStage.Absorbed got = stage.absorb(input);
      ReferenceHostStage.Absorbed want = reference.absorb(input);
      assertThat(got.news()).as("news of %s", input).isEqualTo(want.news());
      assertThat(got.slotChanged()).as("slot changed by %s", input).isEqualTo(want.slotChanged());
    }

    void tick() {
      int roll = random.nextInt(20);
      if (roll == 0) {
        now += random.nextLong(60_000, 600_000); // a long gap
      } else if (roll == 1) {
        now -= random.nextLong(5_000); // a tick from the past
      } else {
        now += Seeds.oneOf(random, 0L, 1_000L, 1_000L, 1_000L, random.nextLong(1, 5_000));
      }
      Instant at = Instant.ofEpochMilli(now);
      assertThat(stage.tick(at)).as("reports at %s", at).isEqualTo(reference.tick(at));
      compareSlots();
    }

    void restart() {
      HostStage restarted = new HostStage();
      ReferenceHostStage reborn = new ReferenceHostStage();
      for (String t : TENANTS) {
        if (stage.tenantState(t) != null) {
          restarted.restore(stage.tenantState(t));
        }
        reborn.watch(reference.watchOf(t));
        for (int h = 0; h < hosts; h++) {
          HostSlot slot = stage.slot(t, "h" + h);
          if (slot != null) {
            restarted.restore(slot);
            reborn.restore(reference.slot(t, "h" + h));
          }
        }
      }
      for (String t : TENANTS) {
        restarted.restoreWatch(stage.watchOf(t));
      }
      stage = restarted;
      reference = reborn;
      compareSlots();
    }

    void compareSlots() {
      for (String t : TENANTS) {
        long known = 0;
        for (int h = 0; h < hosts; h++) {
          HostSlot got = stage.slot(t, "h" + h);
          HostSlot want = reference.slot(t, "h" + h);
          assertThat(withoutVersion(got)).as("slot %s/h%d", t, h).isEqualTo(withoutVersion(want));
          known += got == null ? 0 : 1;
        }
        // every slot is linked at most once (a slot waiting for a tick is linked nowhere)
        assertThat(stage.linked(t)).isLessThanOrEqualTo((int) known);
      }
      assertThat(stage.hosts()).isEqualTo(reference.hosts());
    }

    static HostSlot withoutVersion(HostSlot s) {
      return s == null
          ? null
          : new HostSlot(
              s.tenant(),
              s.host(),
              s.lastSeenAt(),
              s.silenceOwn(),
              s.silenceExternal(),
              s.answerPending(),
              s.over(),
              s.overRelease(),
              0);
    }
  }
}
