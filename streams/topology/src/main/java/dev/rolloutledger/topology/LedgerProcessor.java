package dev.rolloutledger.topology;

import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.avro.DeadLetter;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the domain {@link RolloutEngine} on each input, in log order per tenant, over the state
 * stores, and forwards what it decided: ledger entries (key {@code tenant/rollout}), host commands
 * (key {@code tenant/host}) and rejections as dead letters. Entries are also kept in the ledger
 * store so any instance can answer ledger reads by interactive query. When a tenant's gated
 * rollouts change it also sends the tenant's {@code HostWatch} back to the host stage (ADR 0007).
 *
 * <p>Atomic or not at all (docs/failures.md): the engine writes into a {@link BufferedLedgerStore};
 * every output is converted, signed and checked against its sink ({@link Sinks}) before any store
 * is written. An input whose outputs cannot all be produced because of its data leaves every store
 * as it was and becomes a dead letter with the reason; any other failure stops the stream (the
 * transaction aborts) instead of losing the input. A clock tick is decided tenant by tenant, each
 * tenant's share on its own.
 */
final class LedgerProcessor implements Processor<String, SpecificRecord, String, SpecificRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerProcessor.class);

  private final EngineConfig config;
  private final java.util.function.Supplier<CommandSigningKey> signingKeys;
  private ProcessorContext<String, SpecificRecord> context;
  private RolloutEngine engine;
  private KeyValueStore<String, SpecificRecord> ledger;
  private KeyValueStore<String, RolloutSnapshot> rollouts;
  private BufferedLedgerStore store;
  private KeyValueStore<String, HostWatch> watchesSent;
  private EvidenceRecorder evidence;
  private Sinks sinks;

  LedgerProcessor(EngineConfig config, java.util.function.Supplier<CommandSigningKey> signingKeys) {
    this.config = config;
    this.signingKeys = signingKeys;
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
    this.evidence = new EvidenceRecorder(context.getStateStore(LedgerTopology.EVIDENCE_STORE));
    this.store =
        new BufferedLedgerStore(new KeyValueLedgerStore(hosts, rollouts, releases, policies));
    this.engine = new RolloutEngine(store, config);
    this.sinks = Sinks.of(context.appConfigs());
  }

  /** The engine, for tests: its derived index must match the stores after every input. */
  RolloutEngine engine() {
    return engine;
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    if (record.value() instanceof ClockTick tick) {
      // time passed for every tenant of this task that has a rollout in progress
      for (String tenant : tenantsInProgress()) {
        decide(record, new dev.rolloutledger.domain.ClockTick(tenant, tick.getAt()), true);
      }
      return;
    }
    // validated upstream (InputValidator, the host stage), so this does not throw for well-formed
    // input
    LedgerInput input;
    try {
      input = AvroMapper.toDomain(record.value());
    } catch (RuntimeException e) {
      if (!Failures.isRefusal(e)) {
        throw fault(record, e);
      }
      refuse(record, null, Instant.ofEpochMilli(record.timestamp()), e);
      return;
    }
    decide(record, input, false);
  }

  /**
   * Decides {@code input} and publishes the decision whole: its outputs are all ready before the
   * first store is written, or nothing of it is.
   */
  private void decide(Record<String, SpecificRecord> record, LedgerInput input, boolean tick) {
    Outputs outputs;
    try {
      Decision decision = engine.apply(input);
      // a tick sends a tenant's first watch even without news (a restarted host stage)
      boolean watch =
          !decision.entries().isEmpty() || (tick && watchesSent.get(input.tenant()) == null);
      outputs = prepare(record, input, tick, decision, watch ? input.at().toEpochMilli() : -1);
    } catch (RuntimeException e) {
      // forget what the engine wrote, and what it derived from it: its index rebuilds lazily
      store.discard();
      engine = new RolloutEngine(store, config);
      if (!Failures.isRefusal(e)) {
        throw fault(record, e);
      }
      refuse(record, input.tenant(), input.at(), e);
      return;
    }
    try {
      outputs.apply();
    } catch (StreamsException e) {
      // a sink failed and its node's handler answered FAIL (DeadLetterHandlers): already a fault
      throw e;
    } catch (RuntimeException e) {
      throw new Failures.HalfDoneException(
          "the stores were being written for "
              + describe(record)
              + " when it failed; the stream stops and the transaction aborts: "
              + Failures.whatToDo(e),
          e);
    }
  }

  /** What one input changes and sends, all of it converted and checked. */
  private final class Outputs {
    final List<Record<String, SpecificRecord>> records = new ArrayList<>();
    final List<KeyValue<String, SpecificRecord>> ledgerEntries = new ArrayList<>();
    EvidenceRecorder.Batch evidencePoints = EvidenceRecorder.Batch.NONE;
    KeyValueLedgerStore.Batch state;
    String watchTenant;
    HostWatch watch;

    void apply() {
      state.apply();
      if (!ledgerEntries.isEmpty()) {
        ledger.putAll(ledgerEntries);
      }
      if (watch != null) {
        watchesSent.put(watchTenant, watch);
      }
      evidence.recorded(evidencePoints);
      for (Record<String, SpecificRecord> r : records) {
        context.forward(r);
      }
    }
  }

  private Outputs prepare(
      Record<String, SpecificRecord> record,
      LedgerInput input,
      boolean tick,
      Decision decision,
      long watchAt) {
    String tenant = input.tenant();
    Outputs out = new Outputs();
    // per rollout, the types of the entries this input wrote, in ledger order (a promotion is
    // WavePromoted then WaveStarted): its evidence point names all of them
    java.util.Map<String, List<String>> decided = new java.util.HashMap<>();
    for (LedgerEntry entry : decision.entries()) {
      SpecificRecord avro = AvroMapper.toAvro(entry);
      String key = Keys.of(entry.tenant(), entry.rollout());
      decided
          .computeIfAbsent(StoreKeys.of(entry.tenant(), entry.rollout()), k -> new ArrayList<>())
          .add(avro.getClass().getSimpleName());
      Headers headers = inputOffset(record);
      sinks.check(Sinks.Sink.LEDGER, key, avro, headers);
      out.ledgerEntries.add(
          KeyValue.pair(StoreKeys.ledger(entry.tenant(), entry.rollout(), entry.seq()), avro));
      out.records.add(new Record<>(key, avro, entry.at().toEpochMilli(), headers));
    }
    List<HostCommand> commands = decision.commands();
    for (int from = 0; from < commands.size(); from += SIGNING_CHUNK) {
      List<HostCommand> chunk =
          commands.subList(from, Math.min(commands.size(), from + SIGNING_CHUNK));
      // A halt signs a Hold for every host of the rollout (a million: ~50 s of Ed25519 on one
      // core), so large decisions are signed on every core, a chunk at a time (bounded memory).
      // Ed25519 is deterministic and the chunk keeps its order: the same records as one by one.
      // Each is checked against its sink where it is signed (the serializer is thread-safe).
      List<SpecificRecord> signed =
          (chunk.size() < PARALLEL_SIGNING_MIN ? chunk.stream() : chunk.parallelStream())
              .map(c -> checkedCommand(c, record.headers()))
              .toList();
      for (int i = 0; i < chunk.size(); i++) {
        HostCommand command = chunk.get(i);
        out.records.add(
            record
                .withKey(Keys.of(command.tenant(), command.host()))
                .withValue(signed.get(i))
                .withTimestamp(command.issuedAt().toEpochMilli()));
      }
    }
    for (LedgerInput next : decision.continuations()) {
      // into the engine's own journal: the next chunk is decided in its own transaction
      SpecificRecord avro = AvroMapper.toAvro(next);
      sinks.check(Sinks.Sink.JOURNAL, next.tenant(), avro, record.headers());
      out.records.add(
          new Record<String, SpecificRecord>(
              next.tenant(), avro, next.at().toEpochMilli(), record.headers()));
    }
    for (Rejection rejection : decision.rejections()) {
      out.records.add(
          record.withValue(
              deadLetter(
                  record,
                  "rejected " + rejection.subject() + ": " + rejection.reason(),
                  rejection.tenant(),
                  rejection.at())));
    }
    if (watchAt >= 0) {
      HostWatch watch =
          HostWatches.toAvro(
              dev.rolloutledger.domain.hoststage.HostWatch.ofGated(tenant, store.rollouts(tenant)));
      if (!watch.equals(watchesSent.get(tenant))) {
        sinks.check(Sinks.Sink.HOST_WATCH, tenant, watch, record.headers());
        out.watchTenant = tenant;
        out.watch = watch;
        out.records.add(
            new Record<String, SpecificRecord>(tenant, watch, watchAt, record.headers()));
      }
    }
    // the evidence path (outside the hash chain): rollouts the input touched, decided, or held back
    SortedSet<String> touched = store.touchedRollouts();
    touched.addAll(decided.keySet());
    if (tick) {
      touched.addAll(evidence.heldBack(tenant));
    }
    if (!touched.isEmpty()) {
      out.evidencePoints = evidence.points(engine, touched, decided, input.at());
      for (dev.rolloutledger.avro.EvidenceSnapshot point : out.evidencePoints.points()) {
        String key = Keys.of(point.getTenant(), point.getRollout());
        sinks.check(Sinks.Sink.EVIDENCE, key, point, record.headers());
        out.records.add(
            new Record<String, SpecificRecord>(
                key, point, point.getAt().toEpochMilli(), record.headers()));
      }
    }
    // last: converting the engine's writes to their stored form empties the buffer
    out.state = store.prepare();
    return out;
  }

  private SpecificRecord checkedCommand(HostCommand command, Headers headers) {
    SpecificRecord unsigned = AvroMapper.toAvro(command);
    SpecificRecord signed;
    // the deployment's active key (docs/keys.md): a rotation switches between two commands
    CommandSigningKey signingKey = signingKeys.get();
    try {
      signed = CommandSignatures.sign(unsigned, signingKey.keyId(), signingKey.privateKey());
    } catch (RuntimeException e) {
      // the key, not the input: every command would fail alike
      throw new Failures.FaultException(
          "the command signing key "
              + signingKey.keyId()
              + " cannot sign ("
              + e.getMessage()
              + "): replace it, or restore the key directory",
          e);
    }
    sinks.check(Sinks.Sink.COMMANDS, Keys.of(command.tenant(), command.host()), signed, headers);
    return signed;
  }

  /** Forwards the dead letter of an input that changed nothing. */
  private void refuse(
      Record<String, SpecificRecord> record, String tenant, Instant at, RuntimeException e) {
    String reason =
        "not decided, nothing changed: " + (e.getMessage() == null ? e.toString() : e.getMessage());
    LOG.warn("dead-lettering {}: {}", describe(record), reason);
    context.forward(record.withValue(deadLetter(record, reason, tenant, at)));
  }

  /**
   * The dead letter of {@code record}, checked against its topic: without the value's text when
   * that would make it too large.
   */
  private DeadLetter deadLetter(
      Record<String, SpecificRecord> record, String reason, String tenant, Instant at) {
    DeadLetters.Source source =
        DeadLetters.Source.from(record.headers(), new DeadLetters.Source("unknown", -1, -1));
    DeadLetter letter =
        DeadLetters.of(
            source,
            reason,
            tenant,
            DeadLetters.utf8(record.key()),
            DeadLetters.utf8(textOf(record)),
            at);
    return DeadLetters.fitted(sinks, letter, record.key(), record.headers());
  }

  private static String textOf(Record<String, SpecificRecord> record) {
    return record.value() == null ? null : record.value().toString();
  }

  private StreamsException fault(Record<String, SpecificRecord> record, RuntimeException e) {
    String message =
        "stopping: "
            + describe(record)
            + " could not be decided and nothing was changed; "
            + Failures.whatToDo(e);
    // logged once, with the stack, by DeadLetterHandlers.Processing when it answers FAIL
    return new Failures.FaultException(message, e);
  }

  /** The record's type and where it came from, for logs (no values: they may name anything). */
  private String describe(Record<String, SpecificRecord> record) {
    DeadLetters.Source source =
        DeadLetters.Source.from(
            record.headers(),
            context
                .recordMetadata()
                .map(m -> new DeadLetters.Source(m.topic(), m.partition(), m.offset()))
                .orElseGet(() -> new DeadLetters.Source("unknown", -1, -1)));
    String type = record.value() == null ? "null" : record.value().getClass().getSimpleName();
    return type + " from " + source.topic() + "/" + source.partition() + "/" + source.offset();
  }

  /**
   * The input's headers plus the journal offset of the input, so that an export places each entry
   * right after the input that caused it, and the input's timestamp (decision latency).
   */
  private Headers inputOffset(Record<String, SpecificRecord> record) {
    Headers headers = new RecordHeaders(record.headers().toArray());
    headers.remove(LedgerTopology.INPUT_TIMESTAMP_HEADER);
    headers.add(
        LedgerTopology.INPUT_TIMESTAMP_HEADER,
        Long.toString(record.timestamp()).getBytes(StandardCharsets.US_ASCII));
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
}
