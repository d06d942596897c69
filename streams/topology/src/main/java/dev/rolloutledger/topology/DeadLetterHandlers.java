package dev.rolloutledger.topology;

import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Error handling, configured rather than improvised (docs/failures.md): a record that does not
 * deserialize, or whose processing throws before anything was written ({@link Failures#isRefusal}:
 * its data, or a bug it runs into), is written to {@code ledger.dead-letters} (inside the same
 * transaction under exactly_once_v2) with the reason and its source topic, partition and offset,
 * and the stream goes on: a poison record never stops the processor. A fault ({@link
 * Failures#faultCause}: the schema registry or the broker unusable, the signing key, a processor
 * failing after it began writing its state, a sink that cannot write) answers FAIL: dead-lettering
 * would lose a good input or leave state its outputs do not match. The task's transaction aborts,
 * its stores are restored from their changelogs and the stream thread dies with the error; the
 * server's uncaught-exception handler replaces it, which processes the input again.
 */
public final class DeadLetterHandlers {
  private DeadLetterHandlers() {}

  /** Config key under which the {@link SchemaRegistry} instance is passed to the handlers. */
  public static final String REGISTRY_CONFIG = "ledger.schema.registry";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandlers.class);

  abstract static class Base {
    private Serializer<DeadLetter> serializer;

    public void configure(Map<String, ?> configs) {
      Object registry = configs.get(REGISTRY_CONFIG);
      if (!(registry instanceof SchemaRegistry r)) {
        throw new IllegalStateException(REGISTRY_CONFIG + " must hold the SchemaRegistry instance");
      }
      this.serializer = Topics.DEAD_LETTERS.valueSerde(r).serializer();
    }

    List<ProducerRecord<byte[], byte[]>> deadLetter(
        ErrorHandlerContext context, Exception e, String what) {
      String reason = what + ": " + e;
      // after the by-tenant repartition, the header still names the input topic's coordinates
      DeadLetters.Source source =
          DeadLetters.Source.from(
              context.headers(),
              new DeadLetters.Source(context.topic(), context.partition(), context.offset()));
      LOG.warn(
          "dead-lettering record {}/{}/{}: {}",
          source.topic(),
          source.partition(),
          source.offset(),
          reason);
      DeadLetter letter =
          DeadLetters.of(
              source,
              reason,
              null,
              context.sourceRawKey(),
              context.sourceRawValue(),
              Instant.ofEpochMilli(context.timestamp()));
      return List.of(
          new ProducerRecord<>(
              Topics.DEAD_LETTERS.name(),
              null,
              context.sourceRawKey(),
              serializer.serialize(Topics.DEAD_LETTERS.name(), letter)));
    }
  }

  /** Logs why the stream stops; no value is logged (a record may name anything). */
  static void logFault(ErrorHandlerContext context, Exception e, String what) {
    LOG.error(
        "{} record {}/{}/{}; the stream stops for this task, nothing is dead-lettered: {}",
        what,
        context.topic(),
        context.partition(),
        context.offset(),
        Failures.whatToDo(e),
        e);
  }

  /**
   * Records that do not deserialize: wrong magic byte, unknown schema id, truncated Avro, bytes
   * after the record. A registry that cannot be reached is a fault, not the record's.
   */
  public static final class Deserialization extends Base
      implements DeserializationExceptionHandler {
    @Override
    public Response handleError(
        ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
      if (Failures.faultCause(exception) != null) {
        logFault(context, exception, "could not deserialize");
        return Response.fail();
      }
      return Response.resume(deadLetter(context, exception, "does not deserialize"));
    }
  }

  /** Records whose processing throws. */
  public static final class Processing extends Base implements ProcessingExceptionHandler {
    @Override
    public Response handleError(
        ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
      if (!Failures.isRefusal(exception)) {
        logFault(context, exception, "processing failed in " + context.processorNodeId() + " for");
        return Response.fail();
      }
      return Response.resume(
          deadLetter(context, exception, "processing failed in " + context.processorNodeId()));
    }
  }
}
