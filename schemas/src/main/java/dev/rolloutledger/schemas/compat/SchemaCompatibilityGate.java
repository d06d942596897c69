package dev.rolloutledger.schemas.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;

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
    List<String> problems = new ArrayList<>();
    try (Stream<Path> files = Files.list(sourceDir)) {
      for (Path current : files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList()) {
        Path released = releasedDir.resolve(current.getFileName().toString());
        if (!Files.exists(released)) {
          continue;
        }
        Schema now = new Schema.Parser().parse(current.toFile());
        Schema then = new Schema.Parser().parse(released.toFile());
        for (String p : Compatibility.problems(Compatibility.Level.FULL, now, then)) {
          problems.add(current.getFileName() + " vs released: " + p);
        }
      }
    }
    return problems;
  }
}
