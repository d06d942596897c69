package dev.rolloutledger.topology;

import dev.rolloutledger.avro.OwnerPolicySpec;
import dev.rolloutledger.avro.state.HostState;
import dev.rolloutledger.avro.state.RolloutSnapshot;
import dev.rolloutledger.domain.HostRecord;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.RolloutState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads of the topology's state by interactive query: rollouts and their ledgers, hosts, releases,
 * the policy. Answers from the stores of this instance; throws {@link
 * org.apache.kafka.streams.errors.InvalidStateStoreException} while the stores are not queryable
 * (starting, rebalancing), which callers report as 503.
 */
public final class LedgerQueries {
  private final KafkaStreams streams;

  public LedgerQueries(KafkaStreams streams) {
    this.streams = streams;
  }

  /**
   * Which instance holds {@code tenant}'s state: every store of a tenant lives in the task of the
   * tenant's partition of the by-tenant journal (ADR 0001), found from the instances' {@code
   * application.server}. {@link KeyQueryMetadata#NOT_AVAILABLE} while nobody does (rebalancing).
   */
  public KeyQueryMetadata ownerOf(String tenant) {
    return streams.queryMetadataForKey(
        LedgerTopology.ROLLOUTS_STORE, tenant, new TenantPartitioner());
  }

  public Optional<RolloutState> rollout(String tenant, String rollout) {
    return Optional.ofNullable(rollouts().get(StoreKeys.of(tenant, rollout)))
        .map(AvroMapper::toDomain);
  }

  public List<RolloutState> rollouts(String tenant) {
    List<RolloutState> out = new ArrayList<>();
    try (KeyValueIterator<String, RolloutSnapshot> it =
        rollouts().prefixScan(StoreKeys.tenantPrefix(tenant), new StringSerializer())) {
      it.forEachRemaining(kv -> out.add(AvroMapper.toDomain(kv.value)));
    }
    out.sort(Comparator.comparing(RolloutState::rollout));
    return out;
  }

  /**
   * Ledger records (Avro, each with its own hash) of a rollout from {@code fromSeq}, at most {@code
   * limit}.
   */
  public List<SpecificRecord> ledger(String tenant, String rollout, long fromSeq, int limit) {
    ReadOnlyKeyValueStore<String, SpecificRecord> store =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                LedgerTopology.LEDGER_STORE, QueryableStoreTypes.keyValueStore()));
    List<SpecificRecord> out = new ArrayList<>();
    String from = StoreKeys.ledger(tenant, rollout, Math.max(1, fromSeq));
    String to = StoreKeys.ledger(tenant, rollout, Long.MAX_VALUE);
    try (KeyValueIterator<String, SpecificRecord> it = store.range(from, to)) {
      while (it.hasNext() && out.size() < limit) {
        KeyValue<String, SpecificRecord> kv = it.next();
        out.add(kv.value);
      }
    }
    return out;
  }

  /**
   * The evidence path of a rollout ({@code EvidenceSnapshot}s) from point {@code from}, at most
   * {@code limit}.
   */
  public List<dev.rolloutledger.avro.EvidenceSnapshot> evidence(
      String tenant, String rollout, long from, int limit) {
    ReadOnlyKeyValueStore<String, dev.rolloutledger.avro.EvidenceSnapshot> store =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                LedgerTopology.EVIDENCE_STORE, QueryableStoreTypes.keyValueStore()));
    List<dev.rolloutledger.avro.EvidenceSnapshot> out = new ArrayList<>();
    try (KeyValueIterator<String, dev.rolloutledger.avro.EvidenceSnapshot> it =
        store.range(
            StoreKeys.ledger(tenant, rollout, Math.max(0, from)),
            StoreKeys.ledger(tenant, rollout, Long.MAX_VALUE))) {
      while (it.hasNext() && out.size() < limit) {
        out.add(it.next().value);
      }
    }
    return out;
  }

  /** The tenant's policy as the engine enforces it, if the owner set one. */
  public Optional<OwnerPolicy> policy(String tenant) {
    ReadOnlyKeyValueStore<String, OwnerPolicySpec> store =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                LedgerTopology.POLICIES_STORE, QueryableStoreTypes.keyValueStore()));
    return Optional.ofNullable(store.get(tenant)).map(spec -> AvroMapper.policy(tenant, spec));
  }

  /** The tenant's published releases, by release id. */
  public List<dev.rolloutledger.domain.ReleaseInfo> releases(String tenant) {
    List<dev.rolloutledger.domain.ReleaseInfo> out = new ArrayList<>();
    ReadOnlyKeyValueStore<String, dev.rolloutledger.avro.ReleasePublished> store =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                LedgerTopology.RELEASES_STORE, QueryableStoreTypes.keyValueStore()));
    try (KeyValueIterator<String, dev.rolloutledger.avro.ReleasePublished> it =
        store.prefixScan(StoreKeys.tenantPrefix(tenant), new StringSerializer())) {
      it.forEachRemaining(kv -> out.add(AvroMapper.toDomain(kv.value)));
    }
    out.sort(Comparator.comparing(dev.rolloutledger.domain.ReleaseInfo::release));
    return out;
  }

  /** The tenant's host as the engine knows it, if it was registered. */
  public Optional<HostRecord> host(String tenant, String host) {
    return Optional.ofNullable(hosts().get(StoreKeys.of(tenant, host))).map(AvroMapper::toDomain);
  }

  /**
   * The tenant's hosts that {@code keep} accepts, in host-id order, after the host {@code after}
   * (null: from the first), at most {@code max}. Reads the store from {@code after} on, so a page
   * costs the hosts it skips by filter, not those of the pages before it.
   */
  public List<HostRecord> hosts(String tenant, String after, Predicate<HostRecord> keep, int max) {
    String prefix = StoreKeys.tenantPrefix(tenant);
    String from = after == null ? prefix : StoreKeys.of(tenant, after);
    // ids are ASCII without '/' (Checks.doorId): the store's byte order is host-id order, and the
    // character after '/' bounds the tenant's keys
    String to = tenant + (char) ('/' + 1);
    List<HostRecord> out = new ArrayList<>();
    try (KeyValueIterator<String, HostState> it = hosts().range(from, to)) {
      while (it.hasNext() && out.size() < max) {
        KeyValue<String, HostState> kv = it.next();
        if (!kv.key.startsWith(prefix) || kv.key.equals(from)) {
          continue; // the range's end is inclusive; 'after' itself is on the page before
        }
        HostRecord host = AvroMapper.toDomain(kv.value);
        if (keep.test(host)) {
          out.add(host);
        }
      }
    }
    return out;
  }

  private ReadOnlyKeyValueStore<String, HostState> hosts() {
    return streams.store(
        StoreQueryParameters.fromNameAndType(
            LedgerTopology.HOSTS_STORE, QueryableStoreTypes.keyValueStore()));
  }

  private ReadOnlyKeyValueStore<String, RolloutSnapshot> rollouts() {
    return streams.store(
        StoreQueryParameters.fromNameAndType(
            LedgerTopology.ROLLOUTS_STORE, QueryableStoreTypes.keyValueStore()));
  }
}
