package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * How a command prints what the server answered: {@code -o table} (the default: aligned columns of
 * the main fields), {@code -o wide} (more columns) or {@code -o json} (the server's JSON, indented:
 * the stable form for scripts).
 */
final class Output {
  private Output() {}

  enum Format {
    TABLE,
    WIDE,
    JSON
  }

  /** Mixed into every command that prints server data. */
  static final class Options {
    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        completionCandidates = FormatNames.class,
        description =
            "table (default): the main fields in columns; wide: more columns; json: the server's"
                + " JSON, for scripts.")
    Format format;

    /** Kept for scripts written before {@code -o}: the same as {@code -o json}. */
    @Option(names = "--json", hidden = true, description = "The same as -o json.")
    boolean json;

    Format format() {
      if (json && format != null && format != Format.JSON) {
        throw new LedgerCli.UsageProblem(
            "--json and -o " + format.name().toLowerCase(Locale.ROOT) + " disagree: give one");
      }
      if (json) {
        return Format.JSON;
      }
      return format == null ? Format.TABLE : format;
    }

    boolean isJson() {
      return format() == Format.JSON;
    }
  }

  /** What completion offers for {@code -o}: the formats' names as they are typed. */
  static final class FormatNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      List<String> names = new ArrayList<>();
      for (Format f : Format.values()) {
        names.add(f.name().toLowerCase(Locale.ROOT));
      }
      return names.iterator();
    }
  }

  /**
   * A column: its header, how a row's cell is made ({@code wideCell} with {@code -o wide}), and
   * whether only {@code -o wide} shows it.
   */
  record Column(
      String header,
      Function<JsonNode, String> cell,
      Function<JsonNode, String> wideCell,
      boolean wideOnly) {
    /** A column of the field {@code field} ("-" when absent or null). */
    static Column of(String header, String field) {
      return of(header, row -> text(row, field));
    }

    static Column of(String header, Function<JsonNode, String> cell) {
      return new Column(header, cell, cell, false);
    }

    /** A hash or digest: its first 12 characters in a table, whole with {@code -o wide}. */
    static Column digest(String header, String field) {
      return new Column(
          header, row -> shortened(text(row, field), 12), row -> text(row, field), false);
    }

    static Column wide(String header, String field) {
      return wide(header, row -> text(row, field));
    }

    static Column wide(String header, Function<JsonNode, String> cell) {
      return new Column(header, cell, cell, true);
    }
  }

  /**
   * Prints {@code answer}: as JSON, or a table of {@code rows} (usually the answer itself or one of
   * its arrays) in {@code columns}, the wide-only ones with {@code -o wide}.
   */
  static void print(
      PrintWriter out, Format format, JsonNode answer, JsonNode rows, List<Column> columns)
      throws IOException {
    if (format == Format.JSON) {
      json(out, answer);
      return;
    }
    List<Column> shown = new ArrayList<>();
    for (Column c : columns) {
      if (!c.wideOnly() || format == Format.WIDE) {
        shown.add(c);
      }
    }
    List<List<String>> cells = new ArrayList<>();
    for (JsonNode row : rows) {
      List<String> line = new ArrayList<>();
      for (Column c : shown) {
        line.add((format == Format.WIDE ? c.wideCell() : c.cell()).apply(row));
      }
      cells.add(line);
    }
    table(out, shown.stream().map(Column::header).toList(), cells);
  }

  /** Prints {@code node} as indented JSON. */
  static void json(PrintWriter out, JsonNode node) throws IOException {
    out.println(Api.JSON.writeValueAsString(node));
  }

  /** A plain table: a header row, then the rows, columns padded to their widest cell. */
  static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    int[] width = new int[header.size()];
    for (List<String> row : all) {
      for (int i = 0; i < row.size(); i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), width[i] + 2));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }

  /** The field's text, "-" when it is absent or null. */
  static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? "-" : v.asText();
  }

  /** The first {@code n} characters (of a hash: enough to tell entries apart). */
  static String shortened(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n);
  }
}
