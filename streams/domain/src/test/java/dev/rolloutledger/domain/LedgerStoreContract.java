package dev.rolloutledger.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LedgerStore} must do. Implement {@link #newStore()} in a test class per
 * implementation (in-memory here; the Kafka-backed store can reuse it).
 */
interface LedgerStoreContract {
  Instant AT = Instant.parse("2025-03-01T10:00:00Z");

  LedgerStore newStore();

  private static HostRecord host(String tenant, String id) {
    return HostRecord.registered(tenant, id, Map.of("env", "prod"));
  }

  private static RolloutState rollout(String tenant, String id) {
    Plan plan = new Plan(List.of(new WavePlan("all", Map.of(), null, null, 0.2, 1)));
    return new RolloutState(
        tenant,
        id,
        "rel",
        plan,
        RolloutStatus.ACTIVE,
        0,
        List.of(WaveCounts.empty("all")),
        0,
        LedgerHash.GENESIS,
        AT,
        AT);
  }

  @Test
  default void returns_what_was_put_and_empty_for_unknown_keys() {
    LedgerStore store = newStore();
    HostRecord h = host("t1", "h1");
    ReleaseInfo rel =
        new ReleaseInfo("t1", "rel", "agent", "1.0", "ab".repeat(32), "ci", Severity.NORMAL, AT);
    RolloutState r = rollout("t1", "r1");

    store.putHost(h);
    store.putRelease(rel);
    store.putRollout(r);

    assertThat(store.host("t1", "h1")).contains(h);
    assertThat(store.release("t1", "rel")).contains(rel);
    assertThat(store.rollout("t1", "r1")).contains(r);
    assertThat(store.host("t1", "h2")).isEmpty();
    assertThat(store.release("t1", "other")).isEmpty();
    assertThat(store.rollout("t1", "r2")).isEmpty();
  }

  @Test
  default void a_put_replaces_the_previous_value() {
    LedgerStore store = newStore();
    store.putHost(host("t1", "h1"));
    HostRecord updated = host("t1", "h1").withLastCommandSeq(7);

    store.putHost(updated);

    assertThat(store.host("t1", "h1")).contains(updated);
    assertThat(store.hosts("t1")).containsExactly(updated);
  }

  @Test
  default void lists_hosts_and_rollouts_of_one_tenant_sorted_by_id() {
    LedgerStore store = newStore();
    for (String id : List.of("h3", "h1", "h2")) {
      store.putHost(host("t1", id));
    }
    store.putHost(host("t0", "h0"));
    store.putHost(host("t1x", "h9"));
    for (String id : List.of("r2", "r1")) {
      store.putRollout(rollout("t1", id));
    }
    store.putRollout(rollout("t2", "r0"));

    assertThat(store.hosts("t1")).extracting(HostRecord::host).containsExactly("h1", "h2", "h3");
    assertThat(store.rollouts("t1")).extracting(RolloutState::rollout).containsExactly("r1", "r2");
    assertThat(store.hosts("nobody")).isEmpty();
    assertThat(store.rollouts("nobody")).isEmpty();
  }

  @Test
  default void keeps_tenants_apart() {
    LedgerStore store = newStore();
    store.putHost(host("t1", "h1"));

    assertThat(store.host("t2", "h1")).isEmpty();
  }
}
