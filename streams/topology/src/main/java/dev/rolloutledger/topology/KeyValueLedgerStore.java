package dev.rolloutledger.topology;

import dev.rolloutledger.avro.OwnerPolicySpec;
import dev.rolloutledger.avro.ReleasePublished;
import dev.rolloutledger.avro.state.HostState;
import dev.rolloutledger.avro.state.RolloutSnapshot;
import dev.rolloutledger.domain.HostRecord;
import dev.rolloutledger.domain.LedgerStore;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.ReleaseInfo;
import dev.rolloutledger.domain.RolloutState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The engine's {@link LedgerStore} port backed by Kafka Streams key-value stores (changelogged).
 */
final class KeyValueLedgerStore implements LedgerStore {
  private static final StringSerializer PREFIX = new StringSerializer();

  private final KeyValueStore<String, HostState> hosts;
  private final KeyValueStore<String, RolloutSnapshot> rollouts;
  private final KeyValueStore<String, ReleasePublished> releases;
  private final KeyValueStore<String, OwnerPolicySpec> policies;

  KeyValueLedgerStore(
      KeyValueStore<String, HostState> hosts,
      KeyValueStore<String, RolloutSnapshot> rollouts,
      KeyValueStore<String, ReleasePublished> releases,
      KeyValueStore<String, OwnerPolicySpec> policies) {
    this.hosts = hosts;
    this.rollouts = rollouts;
    this.releases = releases;
    this.policies = policies;
  }

  @Override
  public Optional<OwnerPolicy> policy(String tenant) {
    return Optional.ofNullable(policies.get(tenant)).map(spec -> AvroMapper.policy(tenant, spec));
  }

  @Override
  public void putPolicy(OwnerPolicy policy) {
    policies.put(policy.tenant(), AvroMapper.policySpec(policy));
  }

  @Override
  public Optional<HostRecord> host(String tenant, String host) {
    return Optional.ofNullable(hosts.get(StoreKeys.of(tenant, host))).map(AvroMapper::toDomain);
  }

  @Override
  public void putHost(HostRecord host) {
    hosts.put(StoreKeys.of(host.tenant(), host.host()), AvroMapper.toAvro(host));
  }

  @Override
  public List<HostRecord> hosts(String tenant) {
    List<HostRecord> out = scan(hosts, tenant, AvroMapper::toDomain);
    out.sort(Comparator.comparing(HostRecord::host));
    return out;
  }

  @Override
  public Optional<ReleaseInfo> release(String tenant, String release) {
    return Optional.ofNullable(releases.get(StoreKeys.of(tenant, release)))
        .map(AvroMapper::toDomain);
  }

  @Override
  public void putRelease(ReleaseInfo release) {
    releases.put(StoreKeys.of(release.tenant(), release.release()), AvroMapper.toAvro(release));
  }

  @Override
  public Optional<RolloutState> rollout(String tenant, String rollout) {
    return Optional.ofNullable(rollouts.get(StoreKeys.of(tenant, rollout)))
        .map(AvroMapper::toDomain);
  }

  @Override
  public void putRollout(RolloutState rollout) {
    rollouts.put(StoreKeys.of(rollout.tenant(), rollout.rollout()), AvroMapper.toAvro(rollout));
  }

  @Override
  public List<RolloutState> rollouts(String tenant) {
    List<RolloutState> out = scan(rollouts, tenant, AvroMapper::toDomain);
    out.sort(Comparator.comparing(RolloutState::rollout));
    return out;
  }

  private static <A, D> List<D> scan(
      KeyValueStore<String, A> store, String tenant, Function<A, D> map) {
    List<D> out = new ArrayList<>();
    // byte order of the prefix scan is not String order for every code point: callers sort
    try (KeyValueIterator<String, A> it =
        store.prefixScan(StoreKeys.tenantPrefix(tenant), PREFIX)) {
      while (it.hasNext()) {
        KeyValue<String, A> kv = it.next();
        out.add(map.apply(kv.value));
      }
    }
    return out;
  }
}
