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
import java.util.Collection;
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
 * The ledger processor does not let the engine write here directly: it writes through a {@link
 * BufferedLedgerStore}, whose writes reach these stores as one {@link Batch} once every output of
 * the input is ready (docs/failures.md).
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

  /**
   * Writes converted to their stored form, to be put together by {@link Batch#apply}. Converting is
   * where a value the stores cannot hold fails, before any store is changed.
   */
  Batch batch(
      Collection<HostRecord> hostWrites,
      Collection<RolloutState> rolloutWrites,
      Collection<ReleaseInfo> releaseWrites,
      Collection<OwnerPolicy> policyWrites) {
    Batch b = new Batch();
    for (HostRecord h : hostWrites) {
      b.hosts.add(KeyValue.pair(StoreKeys.of(h.tenant(), h.host()), AvroMapper.toAvro(h)));
    }
    for (RolloutState r : rolloutWrites) {
      b.rolloutStates.add(r);
      b.rollouts.add(KeyValue.pair(StoreKeys.of(r.tenant(), r.rollout()), AvroMapper.toAvro(r)));
    }
    for (ReleaseInfo r : releaseWrites) {
      b.releases.add(KeyValue.pair(StoreKeys.of(r.tenant(), r.release()), AvroMapper.toAvro(r)));
    }
    for (OwnerPolicy p : policyWrites) {
      b.policies.add(KeyValue.pair(p.tenant(), AvroMapper.policySpec(p)));
    }
    return b;
  }

  /** One input's writes, ready to put. */
  final class Batch {
    private final List<KeyValue<String, HostState>> hosts = new ArrayList<>();
    private final List<KeyValue<String, RolloutSnapshot>> rollouts = new ArrayList<>();
    private final List<RolloutState> rolloutStates = new ArrayList<>();
    private final List<KeyValue<String, ReleasePublished>> releases = new ArrayList<>();
    private final List<KeyValue<String, OwnerPolicySpec>> policies = new ArrayList<>();

    private Batch() {}

    boolean isEmpty() {
      return hosts.isEmpty() && rollouts.isEmpty() && releases.isEmpty() && policies.isEmpty();
    }

    void apply() {
      if (!hosts.isEmpty()) {
        KeyValueLedgerStore.this.hosts.putAll(hosts);
      }
      for (int i = 0; i < rollouts.size(); i++) {
        KeyValue<String, RolloutSnapshot> kv = rollouts.get(i);
        KeyValueLedgerStore.this.rollouts.put(kv.key, kv.value);
        decoded.put(kv.key, rolloutStates.get(i));
      }
      for (KeyValue<String, ReleasePublished> kv : releases) {
        KeyValueLedgerStore.this.releases.put(kv.key, kv.value);
      }
      for (KeyValue<String, OwnerPolicySpec> kv : policies) {
        KeyValueLedgerStore.this.policies.put(kv.key, kv.value);
      }
    }
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
