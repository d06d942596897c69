package dev.rolloutledger.topology;

import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.avro.state.HostSlotState;
import dev.rolloutledger.avro.state.HostWatch;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.hoststage.HostSlot;
import dev.rolloutledger.domain.hoststage.HostStage;
import dev.rolloutledger.schemas.Keys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
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
 * and read back into the stage when the task starts; a slot the stage lets go (reported silent and
 * unseen for {@link #EVICT_AFTER_CONFIG}) is deleted from it.
 *
 * <p>The same store keeps one row per tenant under the key {@code tenant} (no '/', so no host's):
 * the stage's {@link HostStage.TenantState}, written when the tenant's watch changes or its first
 * slot is let go: {@code watchVersion}, the version of the tenant's current watch, and {@code
 * slotsLetGo}, a host the stage does not know is news at its first heartbeat. A tenant row's host
 * is empty and its other fields are unused.
 */
final class HostStageProcessor
    implements Processor<String, SpecificRecord, String, SpecificRecord> {
  /**
   * Streams config (milliseconds): a slot the host stage reported silent and has not seen since is
   * let go once its last sign of life is this old. Default {@link #EVICT_AFTER_DEFAULT}.
   */
  static final String EVICT_AFTER_CONFIG = "ledger.host-stage.evict-after.ms";

  static final Duration EVICT_AFTER_DEFAULT = Duration.ofDays(1);

  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, HostSlotState> slots;
  private KeyValueStore<String, HostWatch> watches;
  private Duration evictAfter;
  private HostStage stage;
  private Sinks sinks;

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.slots = context.getStateStore(LedgerTopology.HOST_SLOTS_STORE);
    this.watches = context.getStateStore(LedgerTopology.HOST_WATCHES_STORE);
    this.evictAfter = evictAfter(context.appConfigs().get(EVICT_AFTER_CONFIG));
    this.sinks = Sinks.of(context.appConfigs());
    load();
  }

  /** The stage as the stores hold it: at start, and after an input that changed nothing. */
  private void load() {
    this.stage = new HostStage(evictAfter).withFirstSightNews(); // a v5 journal's engine
    // slots and tenant rows first: a watch keeps the version its tenant's row names
    try (KeyValueIterator<String, HostSlotState> it = slots.all()) {
      it.forEachRemaining(
          kv -> {
            if (kv.key.indexOf('/') < 0) {
              stage.restore(tenantState(kv.value));
            } else {
              stage.restore(toDomain(kv.value));
            }
          });
    }
    try (KeyValueIterator<String, HostWatch> it = watches.all()) {
      it.forEachRemaining(kv -> stage.restoreWatch(HostWatches.toDomain(kv.value)));
    }
  }

  static Duration evictAfter(Object configured) {
    if (configured == null) {
      return EVICT_AFTER_DEFAULT;
    }
    return Duration.ofMillis(Long.parseLong(configured.toString().strip()));
  }

  /**
   * Atomic or not at all (docs/failures.md): what the stage decides for a record is gathered here,
   * converted and checked against the journal, and only then written to the stores and forwarded.
   * Should gathering fail, the stage is reloaded from the untouched stores.
   */
  @Override
  public void process(Record<String, SpecificRecord> record) {
    SpecificRecord value = record.value();
    LedgerInput input = null;
    if (!(value instanceof ClockTick) && !(value instanceof HostWatch)) {
      try {
        input = checked(record);
      } catch (InvalidFieldException e) {
        deadLetter(record, "invalid field " + e.field() + ": " + e.problem());
        return;
      } catch (RuntimeException e) {
        deadLetter(record, "invalid record: " + e);
        return;
      }
    }
    Changes changes = new Changes();
    try {
      if (value instanceof ClockTick tick) {
        onTick(record, tick, changes);
      } else if (value instanceof HostWatch watch) {
        onWatch(watch, changes);
      } else {
        onTelemetry(record, input, changes);
      }
    } catch (RuntimeException e) {
      // nothing was written: the stores still hold the stage as it was before this record
      load();
      if (!Failures.isRefusal(e)) {
        throw new Failures.FaultException(
            "stopping: a record from "
                + source().topic()
                + "/"
                + source().partition()
                + "/"
                + source().offset()
                + " could not be absorbed and nothing was changed; "
                + Failures.whatToDo(e),
            e);
      }
      deadLetter(
          record,
          "not absorbed, nothing changed: "
              + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return;
    }
    changes.apply();
  }

  /** The telemetry record as a domain input, checked as every Kafka door checks it. */
  private static LedgerInput checked(Record<String, SpecificRecord> record) {
    if (record.value() == null) {
      throw new InvalidFieldException("value", "is null (tombstones are not input events)");
    }
    // no oversized value is mapped (as InputValidator); InputChecks.check refuses a detector
    // other than the fleet's own
    InputChecks.bounded((org.apache.avro.generic.GenericRecord) record.value());
    LedgerInput input = InputChecks.check(AvroMapper.toDomain(record.value()));
    InputChecks.key(record.key(), input);
    return input;
  }

  private void onTick(Record<String, SpecificRecord> record, ClockTick tick, Changes changes) {
    if (tick.getAt() == null) {
      return;
    }
    for (HostSilent silent : stage.tick(tick.getAt())) {
      changes.slot(silent.tenant(), silent.host());
      SpecificRecord avro = AvroMapper.toAvro(silent);
      changes.forward(
          new Record<String, SpecificRecord>(
              silent.tenant(), avro, silent.at().toEpochMilli(), record.headers()));
    }
    for (HostStage.Evicted gone : stage.evicted()) {
      changes.delete(Keys.of(gone.tenant(), gone.host()));
      if (gone.tenantChanged()) {
        changes.tenant(gone.tenant());
      }
    }
  }

  private void onWatch(HostWatch watch, Changes changes) {
    if (stage.watch(HostWatches.toDomain(watch))) {
      // the row before the watch: should only the row be written, restored slots compare as
      // stale (forwarded once more), never as current against a watch they did not see
      changes.tenant(watch.getTenant());
    }
    changes.watch = watch;
  }

  private void onTelemetry(
      Record<String, SpecificRecord> record, LedgerInput input, Changes changes) {
    HostStage.Absorbed absorbed = stage.absorb(input);
    if (absorbed.slotChanged()) {
      changes.slot(input.tenant(), hostOf(input));
    }
    if (!absorbed.news().isEmpty()) {
      // the news is the record itself: forwarded as it came, with its source coordinates
      record.headers().remove(DeadLetters.SOURCE);
      record.headers().add(DeadLetters.SOURCE, source().encode());
      changes.forward(record.withKey(input.tenant()));
    }
  }

  /** One record's writes and forwards, converted and checked; applied together. */
  private final class Changes {
    // in the order the stage decided them; a null value deletes the slot
    private final List<KeyValue<String, HostSlotState>> writes = new ArrayList<>();
    private final List<Record<String, SpecificRecord>> forwards = new ArrayList<>();
    private HostWatch watch;

    void slot(String tenant, String host) {
      HostSlot slot = stage.slot(tenant, host);
      if (slot != null) {
        writes.add(KeyValue.pair(Keys.of(tenant, host), toAvro(slot)));
      }
    }

    void tenant(String tenant) {
      HostStage.TenantState state = stage.tenantState(tenant);
      writes.add(
          KeyValue.pair(
              tenant,
              HostSlotState.newBuilder()
                  .setTenant(tenant)
                  .setHost("")
                  .setWatchVersion(state.watchVersion())
                  .setSlotsLetGo(state.evicted())
                  .build()));
    }

    void delete(String key) {
      writes.add(KeyValue.pair(key, null));
    }

    void forward(Record<String, SpecificRecord> news) {
      sinks.check(Sinks.Sink.JOURNAL, news.key(), news.value(), news.headers());
      forwards.add(news);
    }

    void apply() {
      try {
        for (KeyValue<String, HostSlotState> kv : writes) {
          if (kv.value == null) {
            slots.delete(kv.key);
          } else {
            slots.put(kv.key, kv.value);
          }
        }
        if (watch != null) {
          watches.put(watch.getTenant(), watch);
        }
        for (Record<String, SpecificRecord> news : forwards) {
          context.forward(news);
        }
      } catch (StreamsException e) {
        // a sink failed and its node's handler answered FAIL (DeadLetterHandlers): a fault
        throw e;
      } catch (RuntimeException e) {
        throw new Failures.HalfDoneException(
            "the host stage was writing its slots when it failed; the stream stops and the"
                + " transaction aborts: "
                + Failures.whatToDo(e),
            e);
      }
    }
  }

  /** Where the current record came from (made only for news and dead letters). */
  private DeadLetters.Source source() {
    return context
        .recordMetadata()
        .map(m -> new DeadLetters.Source(m.topic(), m.partition(), m.offset()))
        .orElseGet(() -> new DeadLetters.Source("unknown", -1, -1));
  }

  private void deadLetter(Record<String, SpecificRecord> record, String problem) {
    DeadLetter letter =
        DeadLetters.invalidInput(
            source(), problem, record.key(), record.value(), record.timestamp());
    context.forward(
        record.withValue(DeadLetters.fitted(sinks, letter, record.key(), record.headers())));
  }

  static HostStage.TenantState tenantState(HostSlotState row) {
    return new HostStage.TenantState(row.getTenant(), row.getWatchVersion(), row.getSlotsLetGo());
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
