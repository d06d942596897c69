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
    Map<String, HostRecord> tenantHosts = hosts.get(tenant);
    return Optional.ofNullable(tenantHosts == null ? null : tenantHosts.get(host));
  }

  @Override
  public void putHost(HostRecord host) {
    // at every heartbeat: no lambda, no second lookup
    Map<String, HostRecord> tenantHosts = hosts.get(host.tenant());
    if (tenantHosts == null) {
      tenantHosts = new HashMap<>();
      hosts.put(host.tenant(), tenantHosts);
    }
    tenantHosts.put(host.host(), host);
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
    return Optional.ofNullable(read(rollouts, tenant).get(rollout));
  }

  @Override
  public void putRollout(RolloutState rollout) {
    of(rollouts, rollout.tenant()).put(rollout.rollout(), rollout);
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
