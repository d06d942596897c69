package dev.rolloutledger.schemas.compat;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Avro compatibility with messages that name the offending field. Used by the build-time gate and
 * by the schema registries, so both judge a schema change the same way.
 */
public final class Compatibility {
  private Compatibility() {}

  /** What a new schema must stay compatible with, as in Confluent's compatibility levels. */
  public enum Level {
    NONE,
    /** Readers of the new schema read data written with the old one. */
    BACKWARD,
    /** Readers of the old schema read data written with the new one. */
    FORWARD,
    /** Both. */
    FULL
  }

  /**
   * Problems that keep {@code candidate} from being compatible with {@code existing} at {@code
   * level}; empty when compatible.
   */
  public static List<String> problems(Level level, Schema candidate, Schema existing) {
    List<String> out = new ArrayList<>();
    if (level == Level.BACKWARD || level == Level.FULL) {
      out.addAll(readProblems("backward", candidate, existing));
    }
    if (level == Level.FORWARD || level == Level.FULL) {
      out.addAll(readProblems("forward", existing, candidate));
    }
    return out;
  }

  private static List<String> readProblems(String direction, Schema reader, Schema writer) {
    SchemaPairCompatibility pair =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    List<String> out = new ArrayList<>();
    for (Incompatibility inc : pair.getResult().getIncompatibilities()) {
      out.add(
          direction
              + " incompatible at field '"
              + fieldPath(reader, inc.getLocation())
              + "' ("
              + inc.getType()
              + ": "
              + inc.getMessage()
              + ")");
    }
    return out;
  }

  /**
   * Turns Avro's JSON-pointer location ({@code /fields/2/type/fields/0}) into a dotted field path
   * ({@code plan.waves}) by walking the reader schema.
   */
  static String fieldPath(Schema root, String location) {
    String[] parts = location.split("/");
    List<String> names = new ArrayList<>();
    Schema current = root;
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i];
      if (current == null) {
        break;
      }
      switch (part) {
        case "fields" -> {
          if (i + 1 < parts.length && current.getType() == Schema.Type.RECORD) {
            int index = Integer.parseInt(parts[++i]);
            if (index < current.getFields().size()) {
              Schema.Field field = current.getFields().get(index);
              names.add(field.name());
              current = field.schema();
            } else {
              current = null;
            }
          }
        }
        case "type", "name", "size", "symbols" -> {
          // stays on the same schema
        }
        case "items" ->
            current = current.getType() == Schema.Type.ARRAY ? current.getElementType() : null;
        case "values" ->
            current = current.getType() == Schema.Type.MAP ? current.getValueType() : null;
        default -> {
          if (current.getType() == Schema.Type.UNION && part.chars().allMatch(Character::isDigit)) {
            int index = Integer.parseInt(part);
            current = index < current.getTypes().size() ? current.getTypes().get(index) : null;
          }
        }
      }
    }
    return names.isEmpty() ? "<root " + root.getFullName() + ">" : String.join(".", names);
  }
}
