package dev.rolloutledger.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library as the server finds it on its classpath: in target/classes when tests run, in the
 * server's jar when it is deployed (the build's resources, services/server/pom.xml).
 */
class IncidentLibraryTest {
  /** Surefire runs in services/server. */
  private static final Path LIBRARY = Path.of("../../load-tests/incidents");

  @TempDir Path dir;

  @Test
  void the_build_puts_every_file_of_the_library_on_the_classpath() throws IOException {
    List<String> names = new IncidentLibrary().names();

    assertThat(names).isNotEmpty().isEqualTo(filesOf(LIBRARY));
  }

  @Test
  void in_a_jar_the_library_is_read_as_in_a_folder() throws IOException {
    Path jar = dir.resolve("server.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.list(LIBRARY)) {
      out.putNextEntry(new JarEntry("incidents/"));
      out.closeEntry();
      for (Path f : files.sorted().toList()) {
        out.putNextEntry(new JarEntry("incidents/" + f.getFileName()));
        out.write(Files.readAllBytes(f));
        out.closeEntry();
      }
    }
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      List<IncidentLibrary.Incident> library = IncidentLibrary.load(loader);

      assertThat(library).extracting(IncidentLibrary.Incident::name).isEqualTo(filesOf(LIBRARY));
      assertThat(library).allSatisfy(i -> assertThat(i.description()).isNotBlank());
    }
  }

  @Test
  void a_shipped_scenario_with_its_own_plan_is_a_broken_build_named_by_file_and_field()
      throws IOException {
    Path folder = Files.createDirectories(dir.resolve("classes/incidents"));
    String scenario = Files.readString(LIBRARY.resolve("crowdstrike-2024.json"));
    try (OutputStream out = Files.newOutputStream(folder.resolve("planned.json"))) {
      out.write(
          scenario
              .replaceFirst("\\{", "{\"plan\": {\"waves\": [{\"name\": \"all\"}]},")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.resolve("classes").toUri().toURL()}, null)) {
      assertThatThrownBy(() -> IncidentLibrary.load(loader))
          .hasMessageContaining("incidents/planned.json")
          .hasMessageContaining("invalid plan");
    }
  }

  private static List<String> filesOf(Path library) throws IOException {
    try (Stream<Path> files = Files.list(library)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(f -> f.endsWith(".json"))
          .sorted()
          .map(f -> f.substring(0, f.length() - ".json".length()))
          .toList();
    }
  }
}
