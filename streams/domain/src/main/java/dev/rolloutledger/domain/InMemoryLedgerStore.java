package dev.rolloutledger.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link LedgerStore} in maps, for tests, replay and what-if runs (the simulator's engine). Hosts
 * are in a hash map, sorted when listed: the engine writes a host at every sign of life but lists
 * them only when it plans a rollout or rebuilds its index. Not thread-safe.
 */
public final class InMemoryLedgerStore implements LedgerStore {
  private static final Comparator<HostRecord> BY_HOST = Comparator.comparing(HostRecord::host);

  private final Map<String, Map<String, HostRecord>> hosts = new HashMap<>();
  // Keyed by tenant and only ever read by tenant, so hash maps; a tenant's rollouts and releases
  // stay sorted because they are listed.
  private final Map<String, TreeMap<String, ReleaseInfo>> releases = new HashMap<>();
  private final Map<String, TreeMap<String, RolloutState>> rollouts = new HashMap<>();
  private final Map<String, OwnerPolicy> policies = new HashMap<>();
  // Nearly every input of a replay or simulation is one tenant's heartbeat, which reads its host's
  // rollout: the last tenant's host map and the last rollout read are kept, so a heartbeat hashes
  // no freshly parsed tenant id and walks no tree. Every write goes through the maps and the memo.
  private String lastTenant;
  private Map<String, HostRecord> lastTenantHosts;
  private RolloutState lastRollout;

  @Override
  public Optional<OwnerPolicy> policy(String tenant) {
    return Optional.ofNullable(policies.get(tenant));
  }

  @Override
  public void putPolicy(OwnerPolicy policy) {
    policies.put(policy.tenant(), policy);
  }

  @Override
  public Optional<HostRecord> host(String tenant, String host) {
    Map<String, HostRecord> tenantHosts = tenantHosts(tenant, false);
    return Optional.ofNullable(tenantHosts == null ? null : tenantHosts.get(host));
  }

  @Override
  public void putHost(HostRecord host) {
    // at every heartbeat: no lambda, no second lookup
    tenantHosts(host.tenant(), true).put(host.host(), host);
  }

  /** The tenant's host map (made when {@code create}), or null. */
  private Map<String, HostRecord> tenantHosts(String tenant, boolean create) {
    if (tenant.equals(lastTenant)) {
      return lastTenantHosts;
    }
    Map<String, HostRecord> tenantHosts = hosts.get(tenant);
    if (tenantHosts == null) {
      if (!create) {
        return null;
      }
      tenantHosts = new HashMap<>();
      hosts.put(tenant, tenantHosts);
    }
    lastTenant = tenant;
    lastTenantHosts = tenantHosts;
    return tenantHosts;
  }

  @Override
  public List<HostRecord> hosts(String tenant) {
    List<HostRecord> sorted = new ArrayList<>(hosts.getOrDefault(tenant, Map.of()).values());
    sorted.sort(BY_HOST);
    return List.copyOf(sorted);
  }

  @Override
  public Optional<ReleaseInfo> release(String tenant, String release) {
    return Optional.ofNullable(read(releases, tenant).get(release));
  }

  @Override
  public void putRelease(ReleaseInfo release) {
    of(releases, release.tenant()).put(release.release(), release);
  }

  @Override
  public Optional<RolloutState> rollout(String tenant, String rollout) {
    RolloutState last = lastRollout;
    if (last != null && last.rollout().equals(rollout) && last.tenant().equals(tenant)) {
      return Optional.of(last);
    }
    RolloutState found = read(rollouts, tenant).get(rollout);
    if (found != null) {
      lastRollout = found;
    }
    return Optional.ofNullable(found);
  }

  @Override
  public void putRollout(RolloutState rollout) {
    of(rollouts, rollout.tenant()).put(rollout.rollout(), rollout);
    lastRollout = rollout;
  }

  @Override
  public List<RolloutState> rollouts(String tenant) {
    return List.copyOf(read(rollouts, tenant).values());
  }

  private static <V> Map<String, V> read(Map<String, TreeMap<String, V>> byTenant, String t) {
    TreeMap<String, V> values = byTenant.get(t);
    return values == null ? Map.of() : values;
  }

  private static <V> TreeMap<String, V> of(Map<String, TreeMap<String, V>> byTenant, String t) {
    return byTenant.computeIfAbsent(t, k -> new TreeMap<>());
  }
}
