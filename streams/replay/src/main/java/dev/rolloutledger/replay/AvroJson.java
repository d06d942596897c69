package dev.rolloutledger.replay;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.schemas.AvroContract;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The fields of an Avro record as plain JSON, driven by its schema: the log shows the same field
 * names as the topics, without Avro's JSON encoding of unions ({@code {"string": "x"}}).
 *
 * <p>Records are objects, maps are objects with sorted keys (so that the same record always gives
 * the same text), arrays are arrays, an optional field is its value or {@code null}, an enum is its
 * symbol, a {@code timestamp-millis} is an ISO-8601 instant. A union of more than one non-null type
 * is not used by the ledger's events and is refused.
 */
final class AvroJson {
  private AvroJson() {}

  static {
    AvroContract.trust();
  }

  /** Writes the fields of {@code record} into the object the generator is in. */
  static void writeFields(JsonGenerator out, SpecificRecord record) throws IOException {
    for (Schema.Field f : record.getSchema().getFields()) {
      out.writeFieldName(f.name());
      write(out, f.schema(), record.get(f.pos()));
    }
  }

  private static void write(JsonGenerator out, Schema schema, Object value) throws IOException {
    switch (schema.getType()) {
      case NULL -> out.writeNull();
      case UNION -> {
        if (value == null) {
          out.writeNull();
        } else {
          write(out, nonNull(schema), value);
        }
      }
      case STRING -> out.writeString(value.toString());
      case BOOLEAN -> out.writeBoolean((Boolean) value);
      case INT -> out.writeNumber((Integer) value);
      case LONG -> {
        if (isTimestamp(schema)) {
          out.writeString(((Instant) value).toString());
        } else {
          out.writeNumber((Long) value);
        }
      }
      case DOUBLE -> out.writeNumber((Double) value);
      case FLOAT -> out.writeNumber((Float) value);
      case ENUM -> out.writeString(value.toString());
      case ARRAY -> {
        out.writeStartArray();
        for (Object item : (List<?>) value) {
          write(out, schema.getElementType(), item);
        }
        out.writeEndArray();
      }
      case MAP -> {
        out.writeStartObject();
        for (Map.Entry<?, ?> e : new TreeMap<>(toStringKeys((Map<?, ?>) value)).entrySet()) {
          out.writeFieldName(e.getKey().toString());
          write(out, schema.getValueType(), e.getValue());
        }
        out.writeEndObject();
      }
      case RECORD -> {
        out.writeStartObject();
        writeFields(out, (SpecificRecord) value);
        out.writeEndObject();
      }
      default -> throw new IllegalArgumentException("unsupported Avro type " + schema);
    }
  }

  private static Map<String, Object> toStringKeys(Map<?, ?> map) {
    Map<String, Object> m = new HashMap<>();
    map.forEach((k, v) -> m.put(k.toString(), v));
    return m;
  }

  /**
   * Reads the remaining fields of the object the parser is in (after its first field) into a new
   * record of {@code schema}; {@code path} names fields in errors. A field the schema does not have
   * is refused; a missing one takes its schema default or is refused. A log line's {@code "chain"}
   * ends the record.
   */
  static SpecificRecord readFields(JsonParser in, Schema schema, String path) throws IOException {
    SpecificRecord record = (SpecificRecord) SpecificData.get().newRecord(null, schema);
    boolean[] seen = new boolean[schema.getFields().size()];
    while (in.nextToken() == JsonToken.FIELD_NAME) {
      String name = in.currentName();
      if (name.equals(RolloutLog.CHAIN)) {
        break; // the log line's own last field
      }
      Schema.Field f = schema.getField(name);
      if (f == null) {
        return refuse(path + name, "is not a field of " + schema.getName());
      }
      in.nextToken();
      record.put(f.pos(), read(in, f.schema(), path + name));
      seen[f.pos()] = true;
    }
    for (Schema.Field f : schema.getFields()) {
      if (!seen[f.pos()]) {
        if (!f.hasDefaultValue()) {
          return refuse(path + f.name(), "is missing");
        }
        record.put(f.pos(), SpecificData.get().getDefaultValue(f));
      }
    }
    return record;
  }

  private static Object read(JsonParser in, Schema schema, String path) throws IOException {
    JsonToken t = in.currentToken();
    switch (schema.getType()) {
      case NULL:
        expect(t == JsonToken.VALUE_NULL, path, "must be null");
        return null;
      case UNION:
        return t == JsonToken.VALUE_NULL ? null : read(in, nonNull(schema), path);
      case STRING:
        expect(t == JsonToken.VALUE_STRING, path, "must be a string");
        return in.getText();
      case BOOLEAN:
        expect(t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE, path, "must be a boolean");
        return t == JsonToken.VALUE_TRUE;
      case INT:
        expect(t == JsonToken.VALUE_NUMBER_INT, path, "must be an integer");
        return in.getIntValue();
      case LONG:
        if (isTimestamp(schema)) {
          expect(t == JsonToken.VALUE_STRING, path, "must be an ISO-8601 instant");
          return instant(in.getText(), path);
        }
        expect(t == JsonToken.VALUE_NUMBER_INT, path, "must be an integer");
        return in.getLongValue();
      case DOUBLE:
        expect(t.isNumeric(), path, "must be a number");
        return in.getDoubleValue();
      case FLOAT:
        expect(t.isNumeric(), path, "must be a number");
        return in.getFloatValue();
      case ENUM:
        expect(t == JsonToken.VALUE_STRING, path, "must be a string");
        String symbol = in.getText();
        expect(schema.hasEnumSymbol(symbol), path, "must be one of " + schema.getEnumSymbols());
        return SpecificData.get().createEnum(symbol, schema);
      case ARRAY:
        {
          expect(t == JsonToken.START_ARRAY, path, "must be an array");
          List<Object> items = new ArrayList<>();
          while (in.nextToken() != JsonToken.END_ARRAY) {
            items.add(read(in, schema.getElementType(), path + "[" + items.size() + "]"));
          }
          return items;
        }
      case MAP:
        {
          expect(t == JsonToken.START_OBJECT, path, "must be an object");
          Map<String, Object> map = new HashMap<>();
          while (in.nextToken() == JsonToken.FIELD_NAME) {
            String key = in.currentName();
            in.nextToken();
            map.put(key, read(in, schema.getValueType(), path + "." + key));
          }
          return map;
        }
      case RECORD:
        expect(t == JsonToken.START_OBJECT, path, "must be an object");
        return readFields(in, schema, path + ".");
      default:
        throw new IllegalArgumentException("unsupported Avro type " + schema);
    }
  }

  /**
   * Parses an instant as {@link Instant#toString()} writes one at millisecond precision ({@code
   * 2024-07-19T04:09:00Z}, {@code ...00.120Z}) without the general formatter, which costs more than
   * the rest of a log line; any other ISO-8601 instant takes the general path.
   */
  static Instant instant(String text, String path) {
    int n = text.length();
    if ((n == 20 || n == 24)
        && text.charAt(4) == '-'
        && text.charAt(7) == '-'
        && text.charAt(10) == 'T'
        && text.charAt(13) == ':'
        && text.charAt(16) == ':'
        && text.charAt(n - 1) == 'Z'
        && (n == 20 || text.charAt(19) == '.')) {
      int year = digits(text, 0, 4);
      int month = digits(text, 5, 2);
      int day = digits(text, 8, 2);
      int hour = digits(text, 11, 2);
      int minute = digits(text, 14, 2);
      int second = digits(text, 17, 2);
      int millis = n == 24 ? digits(text, 20, 3) : 0;
      if (year >= 0
          && month >= 1
          && month <= 12
          && day >= 1
          && day <= java.time.YearMonth.of(Math.max(year, 1), month).lengthOfMonth()
          && hour >= 0
          && hour <= 23
          && minute >= 0
          && minute <= 59
          && second >= 0
          && second <= 59
          && millis >= 0) {
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(
            days * 86_400 + hour * 3_600L + minute * 60L + second, millis * 1_000_000L);
      }
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return refuse(path, "must be an ISO-8601 instant");
    }
  }

  /** The decimal number in {@code text[from, from + count)}, or -1 if it is not all digits. */
  private static int digits(String text, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static Schema nonNull(Schema union) {
    Schema found = null;
    for (Schema s : union.getTypes()) {
      if (s.getType() != Schema.Type.NULL) {
        if (found != null) {
          throw new IllegalArgumentException("unions of several types are not supported: " + union);
        }
        found = s;
      }
    }
    return found;
  }

  private static boolean isTimestamp(Schema schema) {
    return schema.getLogicalType() instanceof LogicalTypes.TimestampMillis;
  }

  private static void expect(boolean ok, String path, String message) {
    if (!ok) {
      refuse(path, message);
    }
  }

  private static <T> T refuse(String path, String message) {
    throw new InvalidFieldException(path, message);
  }
}
