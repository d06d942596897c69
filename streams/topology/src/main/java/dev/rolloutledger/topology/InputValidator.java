package dev.rolloutledger.topology;

import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.domain.InvalidFieldException;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * First step after the input topics: maps each record to the domain to validate it, with the checks
 * of every door ({@link InputChecks}: ids, names, texts, counts, times, finite numbers, the key's
 * tenant). A valid record passes unchanged, stamped with its source coordinates ({@link
 * DeadLetters#SOURCE}); an invalid one becomes a {@code DeadLetter} naming the field, and the
 * stream goes on.
 */
final class InputValidator implements FixedKeyProcessor<String, SpecificRecord, SpecificRecord> {
  private FixedKeyProcessorContext<String, SpecificRecord> context;

  @Override
  public void init(FixedKeyProcessorContext<String, SpecificRecord> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, SpecificRecord> record) {
    DeadLetters.Source source =
        context
            .recordMetadata()
            .map(m -> new DeadLetters.Source(m.topic(), m.partition(), m.offset()))
            .orElse(new DeadLetters.Source("unknown", -1, -1));
    SpecificRecord value = record.value();
    String problem = null;
    if (value == null) {
      problem = "value is null (tombstones are not input events)";
    } else {
      try {
        if (value instanceof ClockTick tick) {
          if (tick.getAt() == null) {
            problem = "invalid field at: must not be null";
          } else {
            InputChecks.time("at", tick.getAt());
          }
        } else {
          // no oversized value is mapped; then the rules the HTTP API applies too, then the key
          // the topic's contract requires
          InputChecks.bounded((GenericRecord) value);
          InputChecks.key(record.key(), InputChecks.check(AvroMapper.toDomain(value)));
        }
      } catch (InvalidFieldException e) {
        problem = "invalid field " + e.field() + ": " + e.problem();
      } catch (RuntimeException e) {
        problem = "invalid record: " + e;
      }
    }
    if (problem != null) {
      context.forward(
          record.withValue(
              DeadLetters.invalidInput(source, problem, record.key(), value, record.timestamp())));
      return;
    }
    record.headers().remove(DeadLetters.SOURCE);
    record.headers().add(DeadLetters.SOURCE, source.encode());
    context.forward(record);
  }
}
