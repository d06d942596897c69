package dev.rolloutledger.topology;

import dev.rolloutledger.schemas.registry.SchemaRegistryException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.StreamsException;

/**
 * Which failures are the input's fault and which the operator must fix (docs/failures.md).
 *
 * <p>A <em>fault</em> is one the operator must fix, found in the exception's causes: the schema
 * registry unreachable or holding a schema this release is incompatible with, the broker, a command
 * signing key that cannot sign ({@link FaultException}), or a processor that failed after it began
 * writing its state ({@link HalfDoneException}, or a sink's {@link StreamsException}).
 * Dead-lettering would throw away a good input (a decision lost) or leave state its outputs do not
 * match, so the stream stops with the error: the task's transaction aborts, its state is restored
 * from the changelog, and the input is processed again once the thread is replaced.
 *
 * <p>Anything else thrown before a processor wrote anything is a <em>refusal</em>: the record's own
 * data (a field the domain refuses, arithmetic it overflows, an output that does not serialize or
 * does not fit its topic, {@link OutputRefusedException}), or a bug this record runs into. The same
 * record would fail again, so retrying it would stop the stream for good: it changes no state and
 * becomes a dead letter with the reason; a poison record never stops the stream.
 */
final class Failures {
  private Failures() {}

  /** True when {@code e} is a refusal (dead-letter the input), false for a fault (stop). */
  static boolean isRefusal(Throwable e) {
    return faultCause(e) == null;
  }

  /**
   * The fault in {@code e}'s cause chain, or null: a registry error other than "no schema with this
   * id" (a record naming an id the registry never gave out is bad input), a Kafka error that is not
   * about serializing one record, or else a Streams error wrapping anything (a sink that failed,
   * work left half done).
   */
  static Throwable faultCause(Throwable e) {
    Throwable wrapper = null;
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof SchemaRegistryException r) {
        if (r.errorCode() != SchemaRegistryException.SCHEMA_NOT_FOUND) {
          return c;
        }
      } else if (c instanceof StreamsException) {
        if (wrapper == null) {
          wrapper = c;
        }
      } else if (c instanceof KafkaException && !(c instanceof SerializationException)) {
        return c;
      }
    }
    return wrapper;
  }

  /** What the operator reads when the stream stops: the cause and what to do about it. */
  static String whatToDo(Throwable e) {
    if (e instanceof FaultException || e instanceof HalfDoneException) {
      return e.getMessage(); // written with what to do
    }
    Throwable fault = faultCause(e);
    if (fault instanceof SchemaRegistryException r) {
      return r.errorCode() == SchemaRegistryException.INCOMPATIBLE
          ? "the schema registry holds a schema this release cannot write after: deploy a"
              + " release whose schemas are compatible, or fix the subject ("
              + r.getMessage()
              + ")"
          : "the schema registry cannot be used ("
              + r.getMessage()
              + "): make it reachable; the input is processed again when it is";
    }
    if (fault instanceof StreamsException) {
      return "a record could not be written after its processor had begun writing its state ("
          + fault.getMessage()
          + (fault.getCause() == null ? "" : ": " + fault.getCause())
          + "): the transaction aborts and the input is processed again when the stream thread"
          + " is replaced";
    }
    if (fault != null) {
      return "Kafka failed ("
          + fault
          + "): check the brokers; the input is processed again once they answer";
    }
    return "unexpected error (" + e + ")";
  }

  /**
   * An output the input produced cannot be written: it does not serialize because of its content,
   * or it is larger than its topic or the producer accepts. A refusal.
   */
  static final class OutputRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutputRefusedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * A processor failed after it began writing its state or forwarding its outputs: never a dead
   * letter (the state and outputs would disagree), always a fault. Under exactly_once_v2 the
   * transaction aborts and the task's stores are restored from their changelogs.
   */
  static final class HalfDoneException extends StreamsException {
    private static final long serialVersionUID = 1L;

    HalfDoneException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A fault found before any state was written: the stream stops with what to do. */
  static final class FaultException extends StreamsException {
    private static final long serialVersionUID = 1L;

    FaultException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
