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
import java.time.Duration;
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
  private HostStage stage;

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.slots = context.getStateStore(LedgerTopology.HOST_SLOTS_STORE);
    this.watches = context.getStateStore(LedgerTopology.HOST_WATCHES_STORE);
    this.stage = new HostStage(evictAfter(context.appConfigs().get(EVICT_AFTER_CONFIG)));
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

  @Override
  public void process(Record<String, SpecificRecord> record) {
    SpecificRecord value = record.value();
    if (value instanceof ClockTick tick) {
      if (tick.getAt() != null) {
        for (HostSilent silent : stage.tick(tick.getAt())) {
          persist(silent.tenant(), silent.host());
          forward(record, AvroMapper.toAvro(silent), silent.tenant(), silent.at());
        }
        for (HostStage.Evicted gone : stage.evicted()) {
          slots.delete(Keys.of(gone.tenant(), gone.host()));
          if (gone.tenantChanged()) {
            persistTenant(gone.tenant());
          }
        }
      }
      return;
    }
    if (value instanceof HostWatch watch) {
      if (stage.watch(HostWatches.toDomain(watch))) {
        // the row before the watch: should only the row be written, restored slots compare as
        // stale (forwarded once more), never as current against a watch they did not see
        persistTenant(watch.getTenant());
      }
      watches.put(watch.getTenant(), watch);
      return;
    }
    LedgerInput input;
    try {
      if (value == null) {
        throw new InvalidFieldException("value", "is null (tombstones are not input events)");
      }
      input = InputChecks.check(AvroMapper.toDomain(value));
      InputChecks.key(record.key(), input);
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

  private void persistTenant(String tenant) {
    HostStage.TenantState state = stage.tenantState(tenant);
    slots.put(
        tenant,
        HostSlotState.newBuilder()
            .setTenant(tenant)
            .setHost("")
            .setWatchVersion(state.watchVersion())
            .setSlotsLetGo(state.evicted())
            .build());
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
