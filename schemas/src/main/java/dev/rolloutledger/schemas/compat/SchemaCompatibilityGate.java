package dev.rolloutledger.schemas.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Build-time gate: every schema in the source directory must stay backward AND forward compatible
 * with its last released version (same file name) in the released directory. Run by the build at
 * process-classes; a breaking change fails the build with a message naming the field.
 *
 * <p>To release a new version of a schema, copy it into {@code schemas/released/} in the same
 * change. A schema with no released version is new and passes.
 */
public final class SchemaCompatibilityGate {
  private SchemaCompatibilityGate() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: SchemaCompatibilityGate SOURCE_DIR RELEASED_DIR");
    }
    List<String> problems = check(Path.of(args[0]), Path.of(args[1]));
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "Schema compatibility gate failed:\n  " + String.join("\n  ", problems));
    }
    System.out.println("[schema-gate] every schema is fully compatible with its released version");
  }

  /** Problems found, one line each naming the file and the field; empty when all pass. */
  public static List<String> check(Path sourceDir, Path releasedDir) throws IOException {
    Map<Path, Schema> current = parseAll(sourceDir);
    Map<Path, Schema> released = parseAll(releasedDir);
    List<String> problems = new ArrayList<>();
    for (Map.Entry<Path, Schema> e : current.entrySet()) {
      Schema then = released.get(e.getKey());
      if (then == null) {
        continue; // new schema: nothing released to stay compatible with
      }
      for (String p : Compatibility.problems(Compatibility.Level.FULL, e.getValue(), then)) {
        problems.add(e.getKey() + " vs released: " + p);
      }
    }
    return problems;
  }

  /**
   * Parses every .avsc under a directory (relative path to schema) with one parser, retrying files
   * that name a type defined in another file until no more progress is made.
   */
  static Map<Path, Schema> parseAll(Path dir) throws IOException {
    List<Path> pending;
    try (Stream<Path> files = Files.walk(dir)) {
      pending =
          new ArrayList<>(files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList());
    }
    Map<Path, Schema> out = new TreeMap<>();
    Schema.Parser parser = new Schema.Parser();
    while (!pending.isEmpty()) {
      List<Path> failed = new ArrayList<>();
      SchemaParseException last = null;
      for (Path file : pending) {
        try {
          out.put(dir.relativize(file), parser.parse(file.toFile()));
        } catch (SchemaParseException e) {
          failed.add(file);
          last = e;
        }
      }
      if (failed.size() == pending.size()) {
        throw new IllegalStateException("cannot parse " + failed + ": " + last.getMessage(), last);
      }
      pending = failed;
    }
    return out;
  }
}
