package dev.rolloutledger.domain.hoststage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.Heartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A slot's over-ceiling state is compared with its tenant's watch by a version that counts the
 * watch's changes: two different watches never share one, and a restart keeps the version its
 * tenant's state names.
 */
class HostStageWatchVersionTest {
  static final String T = "acme";
  static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");
  static final Map<String, List<Double>> CPU = Map.of("cpu", List.of(0.9));

  final HostStage stage = new HostStage();

  static HostWatch watching(String... rollouts) {
    return new HostWatch(T, Duration.ofSeconds(14), CPU, List.of(rollouts));
  }

  static Heartbeat hot(long s) {
    return new Heartbeat(T, T0.plusSeconds(s), "hot", "r1", Map.of("cpu", 0.95));
  }

  @Test
  void two_different_watches_with_one_hash_code_are_two_versions() {
    // "Aa" and "BB" have the same String hash code, so these watches have the same hashCode
    HostWatch a = watching("Aa");
    HostWatch b = watching("BB");
    assertThat(a).isNotEqualTo(b);
    assertThat(a.hashCode()).isEqualTo(b.hashCode());

    stage.watch(a);
    assertThat(stage.absorb(hot(1)).news()).hasSize(1);
    assertThat(stage.absorb(hot(2)).news()).isEmpty();
    assertThat(stage.watch(b)).isTrue();
    // rollout BB is another rollout: it gets the host over its ceiling once
    assertThat(stage.absorb(hot(3)).news()).hasSize(1);
    assertThat(stage.absorb(hot(4)).news()).isEmpty();
  }

  @Test
  void the_version_moves_when_the_watch_changes_and_only_then() {
    stage.watch(watching("r1"));
    int v = stage.tenantState(T).watchVersion();
    assertThat(stage.watch(watching("r1"))).isFalse();
    assertThat(stage.tenantState(T).watchVersion()).isEqualTo(v);
    assertThat(stage.watch(watching("r1", "r2"))).isTrue();
    assertThat(stage.tenantState(T).watchVersion()).isEqualTo(v + 1);
    stage.absorb(hot(1));
    assertThat(stage.slot(T, "hot").watchVersion()).isEqualTo(v + 1);
  }

  @Test
  void a_restart_keeps_the_version_so_a_host_over_a_ceiling_is_not_forwarded_again() {
    stage.watch(watching("r1"));
    stage.absorb(hot(1));
    HostStage restarted = restart();
    assertThat(restarted.absorb(hot(2)).news()).isEmpty();
  }

  @Test
  void a_restart_after_a_change_no_slot_has_seen_still_forwards_hosts_over_a_ceiling_once() {
    stage.watch(watching("r1"));
    stage.absorb(hot(1));
    stage.watch(watching("r1", "r2"));
    HostStage restarted = restart();
    assertThat(restarted.absorb(hot(2)).news()).hasSize(1);
    assertThat(restarted.absorb(hot(3)).news()).isEmpty();
    // and versions go on from the restored one: the next change is news again
    restarted.watch(watching("r2"));
    assertThat(restarted.absorb(hot(4)).news()).hasSize(1);
  }

  @Test
  void slots_written_before_versions_were_kept_are_taken_as_stale_forwarded_once() {
    stage.watch(watching("r1"));
    stage.absorb(hot(1));
    HostSlot old = stage.slot(T, "hot");
    HostSlot hashed =
        new HostSlot(
            T,
            "hot",
            old.lastSeenAt(),
            false,
            false,
            false,
            old.over(),
            old.overRelease(),
            watching("r1").hashCode()); // what the stage wrote before
    HostStage upgraded = new HostStage();
    upgraded.restore(hashed); // no tenant state in that changelog
    upgraded.restoreWatch(watching("r1"));
    assertThat(upgraded.absorb(hot(2)).news()).hasSize(1);
    assertThat(upgraded.absorb(hot(3)).news()).isEmpty();
  }

  private HostStage restart() {
    HostStage restarted = new HostStage();
    restarted.restore(stage.tenantState(T));
    restarted.restore(stage.slot(T, "hot"));
    restarted.restoreWatch(stage.watchOf(T));
    return restarted;
  }
}
