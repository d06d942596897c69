package dev.rolloutledger.topology;

import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.avro.OwnerPolicySpec;
import dev.rolloutledger.avro.ReleasePublished;
import dev.rolloutledger.avro.state.HostState;
import dev.rolloutledger.avro.state.HostWatch;
import dev.rolloutledger.avro.state.RolloutSnapshot;
import dev.rolloutledger.avro.state.RolloutStatus;
import dev.rolloutledger.domain.Decision;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.HostCommand;
import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.Rejection;
import dev.rolloutledger.domain.RolloutEngine;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.commands.CommandSignatures;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Runs the domain {@link RolloutEngine} on each input, in log order per tenant, over the state
 * stores, and forwards what it decided: ledger entries (key {@code tenant/rollout}), host commands
 * (key {@code tenant/host}) and rejections as dead letters. Entries are also kept in the ledger
 * store so any instance can answer ledger reads by interactive query. When a tenant's gated
 * rollouts change it also sends the tenant's {@code HostWatch} back to the host stage (ADR 0007).
 */
final class LedgerProcessor implements Processor<String, SpecificRecord, String, SpecificRecord> {
  private final EngineConfig config;
  private final CommandSigningKey signingKey;
  private ProcessorContext<String, SpecificRecord> context;
  private RolloutEngine engine;
  private KeyValueStore<String, SpecificRecord> ledger;
  private KeyValueStore<String, RolloutSnapshot> rollouts;
  private KeyValueLedgerStore store;
  private KeyValueStore<String, HostWatch> watchesSent;

  LedgerProcessor(EngineConfig config, CommandSigningKey signingKey) {
    this.config = config;
    this.signingKey = signingKey;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    KeyValueStore<String, HostState> hosts = context.getStateStore(LedgerTopology.HOSTS_STORE);
    this.rollouts = context.getStateStore(LedgerTopology.ROLLOUTS_STORE);
    KeyValueStore<String, ReleasePublished> releases =
        context.getStateStore(LedgerTopology.RELEASES_STORE);
    this.ledger = context.getStateStore(LedgerTopology.LEDGER_STORE);
    KeyValueStore<String, OwnerPolicySpec> policies =
        context.getStateStore(LedgerTopology.POLICIES_STORE);
    this.watchesSent = context.getStateStore(LedgerTopology.WATCHES_SENT_STORE);
    this.store = new KeyValueLedgerStore(hosts, rollouts, releases, policies);
    this.engine = new RolloutEngine(store, config);
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    if (record.value() instanceof ClockTick tick) {
      // time passed for every tenant of this task that has a rollout in progress
      for (String tenant : tenantsInProgress()) {
        Decision decision =
            engine.apply(new dev.rolloutledger.domain.ClockTick(tenant, tick.getAt()));
        publish(record, decision);
        if (!decision.entries().isEmpty() || watchesSent.get(tenant) == null) {
          sendWatch(record, tenant, tick.getAt().toEpochMilli());
        }
      }
      return;
    }
    // validated upstream (InputValidator, the host stage), so this does not throw for well-formed
    // input
    LedgerInput input = AvroMapper.toDomain(record.value());
    Decision decision = engine.apply(input);
    publish(record, decision);
    if (!decision.entries().isEmpty()) {
      sendWatch(record, input.tenant(), input.at().toEpochMilli());
    }
  }

  /**
   * The host stage's watch of {@code tenant} from its gated rollouts (ADR 0007), sent when it
   * differs from the last one sent: a rollout started, halted, resumed or ended.
   */
  private void sendWatch(Record<String, SpecificRecord> record, String tenant, long at) {
    HostWatch watch =
        HostWatches.toAvro(
            dev.rolloutledger.domain.hoststage.HostWatch.ofGated(tenant, store.rollouts(tenant)));
    if (!watch.equals(watchesSent.get(tenant))) {
      watchesSent.put(tenant, watch);
      context.forward(new Record<String, SpecificRecord>(tenant, watch, at, record.headers()));
    }
  }

  /**
   * The input's headers plus the journal offset of the input, so that an export places each entry
   * right after the input that caused it.
   */
  private Headers inputOffset(Record<String, SpecificRecord> record) {
    Headers headers = new RecordHeaders(record.headers().toArray());
    context
        .recordMetadata()
        .ifPresent(
            m ->
                headers.add(
                    LedgerTopology.INPUT_OFFSET_HEADER,
                    Long.toString(m.offset()).getBytes(StandardCharsets.US_ASCII)));
    return headers;
  }

  /** Tenants with an ACTIVE or PAUSED rollout in this task's store, sorted. */
  private SortedSet<String> tenantsInProgress() {
    SortedSet<String> tenants = new TreeSet<>();
    try (KeyValueIterator<String, RolloutSnapshot> it = rollouts.all()) {
      it.forEachRemaining(
          kv -> {
            RolloutStatus status = kv.value.getStatus();
            if (status == RolloutStatus.ACTIVE || status == RolloutStatus.PAUSED) {
              tenants.add(kv.value.getTenant());
            }
          });
    }
    return tenants;
  }

  private static final int SIGNING_CHUNK = 8192;
  private static final int PARALLEL_SIGNING_MIN = 256;

  private SpecificRecord signed(HostCommand command) {
    return CommandSignatures.sign(
        AvroMapper.toAvro(command), signingKey.keyId(), signingKey.privateKey());
  }

  private void publish(Record<String, SpecificRecord> record, Decision decision) {
    for (LedgerEntry entry : decision.entries()) {
      SpecificRecord avro = AvroMapper.toAvro(entry);
      ledger.put(StoreKeys.ledger(entry.tenant(), entry.rollout(), entry.seq()), avro);
      context.forward(
          new Record<>(
              Keys.of(entry.tenant(), entry.rollout()),
              avro,
              entry.at().toEpochMilli(),
              inputOffset(record)));
    }
    List<HostCommand> commands = decision.commands();
    for (int from = 0; from < commands.size(); from += SIGNING_CHUNK) {
      List<HostCommand> chunk =
          commands.subList(from, Math.min(commands.size(), from + SIGNING_CHUNK));
      // A halt signs a Hold for every host of the rollout (a million: ~50 s of Ed25519 on one
      // core), so large decisions are signed on every core, a chunk at a time (bounded memory).
      // Ed25519 is deterministic and the chunk keeps its order: the same records as one by one.
      List<SpecificRecord> signed =
          (chunk.size() < PARALLEL_SIGNING_MIN ? chunk.stream() : chunk.parallelStream())
              .map(this::signed)
              .toList();
      for (int i = 0; i < chunk.size(); i++) {
        HostCommand command = chunk.get(i);
        context.forward(
            record
                .withKey(Keys.of(command.tenant(), command.host()))
                .withValue(signed.get(i))
                .withTimestamp(command.issuedAt().toEpochMilli()));
      }
    }
    for (dev.rolloutledger.domain.LedgerInput next : decision.continuations()) {
      // into the engine's own journal: the next chunk is decided in its own transaction
      context.forward(
          new Record<String, SpecificRecord>(
              next.tenant(), AvroMapper.toAvro(next), next.at().toEpochMilli(), record.headers()));
    }
    for (Rejection rejection : decision.rejections()) {
      DeadLetters.Source source =
          DeadLetters.Source.from(record.headers(), new DeadLetters.Source("unknown", -1, -1));
      context.forward(
          record.withValue(
              DeadLetters.of(
                  source,
                  "rejected " + rejection.subject() + ": " + rejection.reason(),
                  rejection.tenant(),
                  DeadLetters.utf8(record.key()),
                  DeadLetters.utf8(record.value().toString()),
                  rejection.at())));
    }
  }
}
