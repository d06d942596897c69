package dev.rolloutledger.domain;

import dev.rolloutledger.domain.FleetMembers.Slot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the engine would otherwise scan a tenant's whole fleet for, kept up to date as it writes
 * hosts: the hosts bound to each rollout (by id and by wave), the ones still waiting for their
 * Apply, the cohort counts the gate compares, and a time-ordered watch list from which silence is
 * judged. With it, a heartbeat, a crash and a clock tick cost O(log n) instead of O(n) in the
 * tenant's hosts.
 *
 * <p>The index is derived state, never stored: it is built from {@link LedgerStore#hosts} the first
 * time a tenant is touched (after a restart, a rebalance or a replay) and then follows every write
 * the engine makes. Decisions depend only on the store's content, so a rebuilt index yields the
 * same decisions as one that followed the log from the start ({@link #matches} checks it).
 *
 * <p>Not thread-safe: owned by one {@link RolloutEngine}.
 */
final class FleetIndex {

  private static final Comparator<HostRecord> BY_HOST = Comparator.comparing(HostRecord::host);

  /** One tenant: its hosts bound to a rollout, the rollouts' indexes, and its unbound hosts. */
  private static final class Tenant {
    final Map<String, Slot> assigned = new HashMap<>();
    final Map<String, FleetMembers> rollouts = new HashMap<>();
    final TreeMap<String, HostRecord> unbound = new TreeMap<>();

    /** The host's slot ({@code slot}, null if it is not bound) now holds {@code after}. */
    void put(Slot slot, HostRecord after) {
      if (after.rollout() == null) {
        unbound.put(after.host(), after);
      } else if (slot == null) {
        unbound.remove(after.host());
      }
      HostRecord before = slot == null ? null : slot.record;
      if (before != null && before.rollout().equals(after.rollout())) {
        // the common case (a heartbeat, an apply): same binding, the slot changes in place
        slot.record = after;
        rollouts.get(after.rollout()).update(before, after, slot);
        return;
      }
      if (before != null) {
        slot.record = null; // its watches are stale from now on
        assigned.remove(before.host());
        FleetMembers m = rollouts.get(before.rollout());
        m.remove(before);
        if (m.isEmpty()) {
          rollouts.remove(before.rollout());
        }
      }
      if (after.rollout() != null) {
        Slot fresh = new Slot(after);
        assigned.put(after.host(), fresh);
        rollouts
            .computeIfAbsent(after.rollout(), r -> new FleetMembers(r, assigned))
            .add(after, fresh);
      }
    }

    /**
     * The same as {@link #put} of each record in turn, for records of distinct hosts: hosts bound
     * to a rollout the index has no hosts of yet are added to it in one sorted batch.
     */
    void putAll(List<HostRecord> records) {
      Map<String, List<HostRecord>> fresh = new TreeMap<>();
      for (HostRecord after : records) {
        Slot slot = assigned.get(after.host());
        HostRecord before = slot == null ? null : slot.record;
        boolean rebinds = before == null || !before.rollout().equals(after.rollout());
        if (after.rollout() == null
            || !rebinds
            || (rollouts.containsKey(after.rollout()) && !fresh.containsKey(after.rollout()))) {
          put(slot, after);
          continue;
        }
        if (before != null) {
          // unbinds it from its old rollout (the index only: the store has the new record already)
          put(slot, HostRecord.registered(before.tenant(), before.host(), before.labels()));
        }
        fresh.computeIfAbsent(after.rollout(), r -> new ArrayList<>()).add(after);
      }
      for (Map.Entry<String, List<HostRecord>> e : fresh.entrySet()) {
        List<HostRecord> hosts = new ArrayList<>(e.getValue());
        hosts.sort(BY_HOST); // runs sorted per wave: merged in about linear time
        List<Slot> slots = new ArrayList<>(hosts.size());
        for (HostRecord h : hosts) {
          Slot slot = new Slot(h);
          assigned.put(h.host(), slot);
          unbound.remove(h.host());
          slots.add(slot);
        }
        FleetMembers m = new FleetMembers(e.getKey(), assigned);
        rollouts.put(e.getKey(), m);
        m.addAll(hosts, slots);
      }
    }

    boolean sameAssigned(Tenant other) {
      if (!assigned.keySet().equals(other.assigned.keySet()) || !unbound.equals(other.unbound)) {
        return false;
      }
      for (Map.Entry<String, Slot> e : assigned.entrySet()) {
        if (!e.getValue().record.equals(other.assigned.get(e.getKey()).record)) {
          return false;
        }
      }
      return true;
    }
  }

  private static final FleetMembers NONE = new FleetMembers("", Map.of());

  private final LedgerStore store;
  private final Map<String, Tenant> tenants = new HashMap<>();
  private String lastTenantId;
  private Tenant lastTenant;
  private Tenant lastSlotTenant;
  private Slot lastSlot;

  FleetIndex(LedgerStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** The index of a rollout's hosts (empty if it has none). Do not modify. */
  FleetMembers members(String tenant, String rollout) {
    return tenant(tenant).rollouts.getOrDefault(rollout, NONE);
  }

  /** The tenant's hosts bound to no rollout, by host id. Do not modify. */
  NavigableMap<String, HostRecord> unbound(String tenant) {
    return tenant(tenant).unbound;
  }

  /** The rollouts that have hosts bound to them, in no particular order. Do not modify. */
  java.util.Set<String> rolloutsWithHosts(String tenant) {
    return tenant(tenant).rollouts.keySet();
  }

  /** The stored record of a host bound to a rollout, or null if it is not bound to any. */
  HostRecord assigned(String tenant, String host) {
    Tenant t = tenant(tenant);
    Slot slot = t.assigned.get(host);
    if (slot == null) {
      return null;
    }
    lastSlotTenant = t;
    lastSlot = slot;
    return slot.record;
  }

  /**
   * Writes {@code after} to the store and follows the change. What the store held before is the
   * index's own copy when the host was bound to a rollout, and counted nowhere otherwise, so no
   * store read is needed.
   */
  void put(HostRecord after) {
    Tenant t = tenant(after.tenant());
    store.putHost(after);
    t.put(slotOf(t, after), after);
  }

  /**
   * The host's slot in {@code t}, or null. A heartbeat reads its host ({@link #assigned}) and then
   * writes it back: the slot just read is reused without a second lookup when it is still the
   * host's (a slot whose host left its rollout is emptied, and a host has one live slot).
   */
  private Slot slotOf(Tenant t, HostRecord after) {
    Slot last = lastSlot;
    if (last != null
        && lastSlotTenant == t
        && last.record != null
        && last.record.host() == after.host()) {
      return last;
    }
    return t.assigned.get(after.host());
  }

  /**
   * Writes each record to the store and follows the changes, as {@link #put} of each in turn; the
   * records are of distinct hosts. Binding many hosts to a new rollout (a plan) costs linear time
   * in the index, not a tree insertion per host.
   */
  void putAll(String tenant, List<HostRecord> records) {
    Tenant t = tenant(tenant);
    for (HostRecord after : records) {
      store.putHost(after);
    }
    t.putAll(records);
  }

  /** True when this index equals one built afresh from the store: the index's own check. */
  boolean matches(String tenant) {
    Tenant fresh = build(tenant);
    Tenant mine = tenant(tenant);
    if (!fresh.sameAssigned(mine) || !fresh.rollouts.keySet().equals(mine.rollouts.keySet())) {
      return false;
    }
    for (Map.Entry<String, FleetMembers> e : fresh.rollouts.entrySet()) {
      if (!e.getValue().snapshot().equals(mine.rollouts.get(e.getKey()).snapshot())) {
        return false;
      }
    }
    return true;
  }

  private Tenant tenant(String tenant) {
    // most inputs in a row are one tenant's: no hashing of a freshly parsed tenant id for them
    if (tenant.equals(lastTenantId)) {
      return lastTenant;
    }
    Tenant t = tenants.get(tenant); // not computeIfAbsent: no method reference made per lookup
    if (t == null) {
      t = build(tenant);
      tenants.put(tenant, t);
    }
    lastTenantId = tenant;
    lastTenant = t;
    return t;
  }

  private Tenant build(String tenant) {
    Tenant t = new Tenant();
    t.putAll(store.hosts(tenant));
    return t;
  }
}
