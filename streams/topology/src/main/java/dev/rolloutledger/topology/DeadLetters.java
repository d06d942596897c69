package dev.rolloutledger.topology;

import dev.rolloutledger.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Dead letters: a record that could not be processed, with the reason and its source coordinates.
 * Records keep their original coordinates through the repartition step in the {@link #SOURCE}
 * header, so a rejection found by the engine still names the input topic, partition and offset.
 */
public final class DeadLetters {
  private DeadLetters() {}

  /** Header carrying {@code topic/partition/offset} of the input record. */
  public static final String SOURCE = "ledger.source";

  /** Where a record came from. */
  public record Source(String topic, int partition, long offset) {
    byte[] encode() {
      return (topic + "/" + partition + "/" + offset).getBytes(StandardCharsets.UTF_8);
    }

    /** The source named by the header, or the given fallback when the header is absent. */
    static Source from(Headers headers, Source fallback) {
      Header h = headers.lastHeader(SOURCE);
      if (h == null) {
        return fallback;
      }
      String s = new String(h.value(), StandardCharsets.UTF_8);
      int b = s.lastIndexOf('/');
      int a = s.lastIndexOf('/', b - 1);
      try {
        return new Source(
            s.substring(0, a),
            Integer.parseInt(s.substring(a + 1, b)),
            Long.parseLong(s.substring(b + 1)));
      } catch (RuntimeException e) {
        return fallback;
      }
    }
  }

  public static DeadLetter of(
      Source source, String reason, String tenant, byte[] key, byte[] value, Instant at) {
    return DeadLetter.newBuilder()
        .setAt(at)
        .setTenant(tenant)
        .setSourceTopic(source.topic())
        .setPartition(source.partition())
        .setOffset(source.offset())
        .setReason(reason)
        .setKey(key == null ? null : ByteBuffer.wrap(key))
        .setValue(value == null ? null : ByteBuffer.wrap(value))
        .build();
  }

  /**
   * A dead letter for an input record that failed validation: its tenant when the value names one,
   * its key and value as text.
   */
  static DeadLetter invalidInput(
      Source source, String problem, String key, SpecificRecord value, long timestamp) {
    String tenant = null;
    try {
      tenant = value == null ? null : AvroMapper.tenantOf(value);
    } catch (RuntimeException ignored) {
      // no usable tenant: the dead letter carries none
    }
    return of(
        source,
        problem,
        tenant,
        utf8(key),
        value == null ? null : utf8(value.toString()),
        Instant.ofEpochMilli(timestamp));
  }

  /**
   * {@code letter}, or the same without the record's text when it would be larger than the
   * dead-letter topic takes: the reason and coordinates always get through.
   */
  static DeadLetter fitted(Sinks sinks, DeadLetter letter, String key, Headers headers) {
    try {
      sinks.check(Sinks.Sink.DEAD_LETTERS, key, letter, headers);
      return letter;
    } catch (Failures.OutputRefusedException tooLarge) {
      DeadLetter shorter =
          DeadLetter.newBuilder(letter)
              .setValue(null)
              .setReason(
                  letter.getReason()
                      + " (the record's text is left out: "
                      + tooLarge.getMessage()
                      + ")")
              .build();
      sinks.check(Sinks.Sink.DEAD_LETTERS, key, shorter, headers);
      return shorter;
    }
  }

  static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }
}
