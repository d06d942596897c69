package dev.rolloutledger.schemas.serde;

import dev.rolloutledger.schemas.AvroContract;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro in the Confluent wire format: magic byte 0, the 4-byte big-endian schema id, then Avro
 * binary. Serializing registers the topic's declared schema under {@code <topic>-value} (or {@code
 * -key}, TopicNameStrategy) once and caches its id. Deserializing resolves the writer's schema by
 * id against the declared reader schema, so a producer that registered a single record type (e.g.
 * only {@code CrashReport}) is read correctly from a topic whose schema is a union.
 */
public final class ConfluentAvroSerde<T> implements Serde<T> {
  public static final byte MAGIC_BYTE = 0;

  static {
    AvroContract.trust();
  }

  private final Ser<T> serializer;
  private final De<T> deserializer;

  private ConfluentAvroSerde(SchemaRegistry registry, Schema schema, Class<T> type, boolean isKey) {
    this.serializer = new Ser<>(registry, schema, isKey);
    this.deserializer = new De<>(registry, schema, type);
  }

  /** A value serde for records of the declared schema (a record or a union of records). */
  public static <T> ConfluentAvroSerde<T> of(
      SchemaRegistry registry, Schema schema, Class<T> type) {
    return new ConfluentAvroSerde<>(registry, schema, type, false);
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }

  static final class Ser<T> implements Serializer<T> {
    private final SchemaRegistry registry;
    private final Schema schema;
    private final String suffix;
    private final DatumWriter<Object> writer;
    private final Map<String, Integer> idBySubject = new ConcurrentHashMap<>();

    Ser(SchemaRegistry registry, Schema schema, boolean isKey) {
      this.registry = registry;
      this.schema = schema;
      this.suffix = isKey ? "-key" : "-value";
      this.writer = new SpecificDatumWriter<>(schema, SpecificData.get());
    }

    @Override
    public byte[] serialize(String topic, T data) {
      if (data == null) {
        return null;
      }
      int id;
      try {
        id = idBySubject.computeIfAbsent(topic + suffix, s -> registry.register(s, schema));
      } catch (SchemaRegistryException e) {
        throw new SerializationException(
            "could not register schema for " + topic + suffix + ": " + e.getMessage(), e);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(128);
      out.write(MAGIC_BYTE);
      out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      try {
        writer.write(data, encoder);
        encoder.flush();
      } catch (IOException | RuntimeException e) {
        throw new SerializationException(
            "could not write "
                + data.getClass().getSimpleName()
                + " to "
                + topic
                + ": "
                + e.getMessage(),
            e);
      }
      return out.toByteArray();
    }
  }

  static final class De<T> implements Deserializer<T> {
    private final SchemaRegistry registry;
    private final Schema readerSchema;
    private final Class<T> type;
    private final Map<Integer, Reading> readers = new ConcurrentHashMap<>();

    /** How records of one writer schema id are read. */
    private record Reading(Schema writer, DatumReader<Object> reader) {}

    De(SchemaRegistry registry, Schema readerSchema, Class<T> type) {
      this.registry = registry;
      this.readerSchema = readerSchema;
      this.type = type;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
      if (data == null) {
        return null;
      }
      if (data.length < 5) {
        throw new SerializationException(
            "record on "
                + topic
                + " is "
                + data.length
                + " bytes: too short for the Confluent wire format");
      }
      if (data[0] != MAGIC_BYTE) {
        throw new SerializationException(
            String.format(
                "record on %s starts with byte 0x%02x, not the Confluent wire format's magic byte 0",
                topic, data[0]));
      }
      int id = ByteBuffer.wrap(data, 1, 4).getInt();
      Reading reading;
      try {
        reading = readers.computeIfAbsent(id, this::readerFor);
      } catch (SchemaRegistryException e) {
        throw new SerializationException(
            "record on " + topic + " has schema id " + id + ": " + e.getMessage(), e);
      }
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null);
      Object value;
      try {
        value = reading.reader().read(null, decoder);
      } catch (IOException | RuntimeException e) {
        throw new SerializationException(
            "record on " + topic + " does not decode with schema id " + id + ": " + e, e);
      }
      // a record is the whole payload: bytes after it were not written by an Avro serializer of
      // this schema, and a reader that ignored them would accept a record other readers refuse
      int left = trailing(decoder);
      if (left > 0) {
        throw new SerializationException(
            "record on "
                + topic
                + " has "
                + left
                + " bytes after the record of schema id "
                + id
                + ": a record must be the whole payload");
      }
      sameType(topic, reading.writer(), data, value);
      if (!type.isInstance(value)) {
        throw new SerializationException(
            "record on "
                + topic
                + " decoded to "
                + value.getClass().getName()
                + ", expected "
                + type.getName());
      }
      return type.cast(value);
    }

    private static int trailing(BinaryDecoder decoder) {
      try {
        return decoder.isEnd() ? 0 : decoder.inputStream().available();
      } catch (IOException e) {
        throw new SerializationException("could not read past the record: " + e, e);
      }
    }

    private Reading readerFor(int id) {
      Schema writer = registry.byId(id);
      return new Reading(
          writer, new SpecificDatumReader<>(writer, readerSchema, SpecificData.get()));
    }

    /**
     * The record written is the type read. Avro resolves a record to the first branch of the
     * reader's union its fields fit when no branch has its name (a HostRegistered reads as a
     * HostBack, any record with an {@code at} as a ClockTick), and a record to a record of another
     * name: one event type would be accepted as another.
     */
    private static void sameType(String topic, Schema writer, byte[] data, Object value) {
      Schema written = writer;
      if (writer.getType() == Schema.Type.UNION) {
        written = writer.getTypes().get(unionIndex(data, 5));
      }
      if (written.getType() != Schema.Type.RECORD || !(value instanceof GenericContainer read)) {
        return;
      }
      Schema readAs = read.getSchema();
      if (!written.getName().equals(readAs.getName())
          && !readAs.getAliases().contains(written.getFullName())) {
        throw new SerializationException(
            "record on "
                + topic
                + " is a "
                + written.getFullName()
                + ", a type the topic does not carry (Avro would read it as a "
                + readAs.getFullName()
                + ")");
      }
    }

    /** The branch index a union value starts with: a zig-zag varint. */
    private static int unionIndex(byte[] data, int offset) {
      long n = 0;
      int shift = 0;
      int b;
      do {
        b = data[offset++] & 0xff;
        n |= (long) (b & 0x7f) << shift;
        shift += 7;
      } while ((b & 0x80) != 0 && shift < 64);
      return (int) ((n >>> 1) ^ -(n & 1));
    }
  }
}
