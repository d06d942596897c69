package dev.rolloutledger.cli;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A small YAML writer for {@code ledger manifests}: maps (in their own order), lists, strings,
 * integers and booleans, in the block style {@code kubectl} users read. Deterministic: the same
 * objects give the same bytes. A string is written plain only when no YAML reader could take it for
 * anything else (a number, a boolean, null, a key, a comment); otherwise it is double-quoted with
 * JSON's escapes, which YAML's double-quoted style shares. (The CLI carries no YAML library; {@code
 * ManifestsTest} in services/server reads every document back with SnakeYAML.)
 */
public final class ManifestYaml {
  private ManifestYaml() {}

  /** Letters first, then letters, digits and {@code . _ / -}: never a number, never syntax. */
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z/][A-Za-z0-9._/-]*");

  /** Words YAML 1.1 readers (SnakeYAML, Kubernetes' go-yaml v2 paths) take for booleans or null. */
  private static final Pattern RESERVED =
      Pattern.compile("(?i)y|n|yes|no|true|false|on|off|null|nan|inf");

  /** One document per object, each starting with {@code ---}. */
  public static String documents(List<? extends Map<String, ?>> objects) {
    StringBuilder out = new StringBuilder();
    for (Map<String, ?> object : objects) {
      out.append("---\n");
      writeMap(out, object, 0, null);
    }
    return out.toString();
  }

  /** One object as a document of its own. */
  public static String document(Map<String, ?> object) {
    return documents(List.of(object));
  }

  /** A string as YAML: plain when that is unambiguous, else double-quoted. */
  public static String scalar(String s) {
    if (PLAIN.matcher(s).matches() && !RESERVED.matcher(s).matches()) {
      return s;
    }
    StringBuilder q = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        case '\t' -> q.append("\\t");
        case '\r' -> q.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            q.append(String.format("\\u%04x", (int) c));
          } else {
            q.append(c);
          }
        }
      }
    }
    return q.append('"').toString();
  }

  /**
   * The entries of {@code map} at {@code indent}; when {@code firstPrefix} is given (a list item's
   * {@code "- "}), the first entry follows it on its line.
   */
  private static void writeMap(StringBuilder out, Map<String, ?> map, int indent, String first) {
    boolean isFirst = true;
    for (Map.Entry<String, ?> e : map.entrySet()) {
      if (isFirst && first != null) {
        out.append(" ".repeat(indent - first.length())).append(first);
      } else {
        out.append(" ".repeat(indent));
      }
      isFirst = false;
      out.append(scalar(e.getKey())).append(':');
      writeValue(out, e.getValue(), indent);
    }
  }

  /** A value after its key's colon: inline for a scalar or an empty collection, else a block. */
  private static void writeValue(StringBuilder out, Object value, int indent) {
    if (value instanceof Map<?, ?> m && !m.isEmpty()) {
      out.append('\n');
      writeMap(out, cast(m), indent + 2, null);
    } else if (value instanceof List<?> l && !l.isEmpty()) {
      out.append('\n');
      writeList(out, l, indent + 2);
    } else {
      out.append(' ').append(inline(value)).append('\n');
    }
  }

  private static void writeList(StringBuilder out, List<?> list, int indent) {
    for (Object item : list) {
      if (item instanceof Map<?, ?> m && !m.isEmpty()) {
        writeMap(out, cast(m), indent + 2, "- ");
      } else if (item instanceof List<?> l && !l.isEmpty()) {
        out.append(" ".repeat(indent)).append("-\n");
        writeList(out, l, indent + 2);
      } else {
        out.append(" ".repeat(indent)).append("- ").append(inline(item)).append('\n');
      }
    }
  }

  private static String inline(Object value) {
    if (value instanceof Map<?, ?>) {
      return "{}";
    }
    if (value instanceof List<?>) {
      return "[]";
    }
    if (value instanceof String s) {
      return scalar(s);
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Boolean) {
      return value.toString();
    }
    throw new IllegalArgumentException(
        "not a manifest value: " + (value == null ? "null" : value.getClass().getName()));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> cast(Map<?, ?> m) {
    return (Map<String, ?>) m;
  }
}
