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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * Decoded rollouts, read through and written through: a heartbeat reads its host's rollout, and
   * decoding the Avro snapshot on each one was an eighth of the stream thread's time
   * (load-tests/RESULTS.md). RolloutState is immutable; the cache lives as long as this store,
   * which the processor makes in {@code init}, so a task restored from its changelog starts with an
   * empty one, like the engine's fleet index.
   */
  private final Map<String, RolloutState> decoded = new HashMap<>();

  @Override
  public Optional<RolloutState> rollout(String tenant, String rollout) {
    String key = StoreKeys.of(tenant, rollout);
    RolloutState cached = decoded.get(key);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<RolloutState> read = Optional.ofNullable(rollouts.get(key)).map(AvroMapper::toDomain);
    read.ifPresent(r -> decoded.put(key, r));
    return read;
  }

  @Override
  public void putRollout(RolloutState rollout) {
    String key = StoreKeys.of(rollout.tenant(), rollout.rollout());
    rollouts.put(key, AvroMapper.toAvro(rollout));
    decoded.put(key, rollout);
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
