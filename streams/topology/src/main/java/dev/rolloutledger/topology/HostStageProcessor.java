package dev.rolloutledger.topology;

import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.avro.state.HostSlotState;
import dev.rolloutledger.avro.state.HostWatch;
import dev.rolloutledger.domain.Detector;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.hoststage.HostSlot;
import dev.rolloutledger.domain.hoststage.HostStage;
import dev.rolloutledger.schemas.Keys;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The host stage's processor (ADR 0007): one {@link HostStage} per task over the task's share of
 * {@code ledger.telemetry} (key {@code tenant/host}) and of {@code ledger.host-watch} (the tenants'
 * watches and clock ticks, on every partition). It validates each telemetry record (an invalid one
 * becomes a dead letter naming the field), absorbs it, and forwards only news, keyed by tenant, to
 * the journal. Slots are written to the {@link LedgerTopology#HOST_SLOTS_STORE} at transitions only
 * and read back into the stage when the task starts.
 */
final class HostStageProcessor
    implements Processor<String, SpecificRecord, String, SpecificRecord> {
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, HostSlotState> slots;
  private KeyValueStore<String, HostWatch> watches;
  private HostStage stage;

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.slots = context.getStateStore(LedgerTopology.HOST_SLOTS_STORE);
    this.watches = context.getStateStore(LedgerTopology.HOST_WATCHES_STORE);
    this.stage = new HostStage();
    try (KeyValueIterator<String, HostWatch> it = watches.all()) {
      it.forEachRemaining(kv -> stage.watch(HostWatches.toDomain(kv.value)));
    }
    try (KeyValueIterator<String, HostSlotState> it = slots.all()) {
      it.forEachRemaining(kv -> stage.restore(toDomain(kv.value)));
    }
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    SpecificRecord value = record.value();
    if (value instanceof ClockTick tick) {
      if (tick.getAt() != null) {
        for (HostSilent silent : stage.tick(tick.getAt())) {
          persist(silent.tenant(), silent.host());
          forward(record, AvroMapper.toAvro(silent), silent.tenant(), silent.at());
        }
      }
      return;
    }
    if (value instanceof HostWatch watch) {
      watches.put(watch.getTenant(), watch);
      stage.watch(HostWatches.toDomain(watch));
      return;
    }
    LedgerInput input;
    try {
      if (value == null) {
        throw new InvalidFieldException("value", "is null (tombstones are not input events)");
      }
      input = AvroMapper.toDomain(value);
      if (input instanceof HostSilent s && s.detector() != Detector.EXTERNAL) {
        throw new InvalidFieldException(
            "detector", "only the host stage reports as '" + s.detector().wireName() + "'");
      }
    } catch (InvalidFieldException e) {
      deadLetter(record, source(), "invalid field " + e.field() + ": " + e.problem());
      return;
    } catch (RuntimeException e) {
      deadLetter(record, source(), "invalid record: " + e);
      return;
    }
    HostStage.Absorbed absorbed = stage.absorb(input);
    if (absorbed.slotChanged()) {
      persist(input.tenant(), hostOf(input));
    }
    if (!absorbed.news().isEmpty()) {
      // the news is the record itself: forwarded as it came, with its source coordinates
      record.headers().remove(DeadLetters.SOURCE);
      record.headers().add(DeadLetters.SOURCE, source().encode());
      context.forward(record.withKey(input.tenant()));
    }
  }

  /** Where the current record came from (made only for news and dead letters). */
  private DeadLetters.Source source() {
    return context
        .recordMetadata()
        .map(m -> new DeadLetters.Source(m.topic(), m.partition(), m.offset()))
        .orElseGet(() -> new DeadLetters.Source("unknown", -1, -1));
  }

  private void forward(
      Record<String, SpecificRecord> cause, SpecificRecord value, String tenant, Instant at) {
    context.forward(
        new Record<String, SpecificRecord>(tenant, value, at.toEpochMilli(), cause.headers()));
  }

  private void deadLetter(
      Record<String, SpecificRecord> record, DeadLetters.Source source, String problem) {
    context.forward(
        record.withValue(
            DeadLetters.invalidInput(
                source, problem, record.key(), record.value(), record.timestamp())));
  }

  private void persist(String tenant, String host) {
    HostSlot slot = stage.slot(tenant, host);
    if (slot != null) {
      slots.put(Keys.of(tenant, host), toAvro(slot));
    }
  }

  private static String hostOf(LedgerInput input) {
    if (input instanceof dev.rolloutledger.domain.Heartbeat e) {
      return e.host();
    } else if (input instanceof dev.rolloutledger.domain.UpdateApplied e) {
      return e.host();
    } else if (input instanceof dev.rolloutledger.domain.CrashReport e) {
      return e.host();
    } else if (input instanceof HostSilent e) {
      return e.host();
    } else if (input instanceof dev.rolloutledger.domain.HostBack e) {
      return e.host();
    }
    throw new IllegalArgumentException("not telemetry: " + input.getClass().getSimpleName());
  }

  static HostSlotState toAvro(HostSlot s) {
    return HostSlotState.newBuilder()
        .setTenant(s.tenant())
        .setHost(s.host())
        .setLastSeenAt(s.lastSeenAt())
        .setSilenceOwn(s.silenceOwn())
        .setSilenceExternal(s.silenceExternal())
        .setAnswerPending(s.answerPending())
        .setOver(s.over())
        .setOverRelease(s.overRelease())
        .setWatchVersion(s.watchVersion())
        .build();
  }

  static HostSlot toDomain(HostSlotState s) {
    return new HostSlot(
        s.getTenant(),
        s.getHost(),
        s.getLastSeenAt(),
        s.getSilenceOwn(),
        s.getSilenceExternal(),
        s.getAnswerPending(),
        s.getOver(),
        s.getOverRelease(),
        s.getWatchVersion());
  }
}
