package dev.rolloutledger.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaCompatibilityGateTest {
  @TempDir Path dir;

  private static final String RELEASED =
      """
      {"type": "record", "name": "CrashReport", "namespace": "t", "fields": [
        {"name": "host", "type": "string"},
        {"name": "kind", "type": "string"},
        {"name": "plan", "type": {"type": "record", "name": "P", "fields": [
          {"name": "cap", "type": "double", "default": 0.2}]}}]}
      """;

  private List<String> gate(String current) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src"));
    Path released = Files.createDirectories(dir.resolve("released"));
    Files.writeString(released.resolve("CrashReport.avsc"), RELEASED);
    Files.writeString(src.resolve("CrashReport.avsc"), current);
    return SchemaCompatibilityGate.check(src, released);
  }

  @Test
  void passes_an_unchanged_schema() throws IOException {
    assertThat(gate(RELEASED)).isEmpty();
  }

  @Test
  void passes_a_field_added_with_a_default() throws IOException {
    assertThat(
            gate(
                RELEASED.replace(
                    "{\"name\": \"kind\", \"type\": \"string\"}",
                    "{\"name\": \"kind\", \"type\": \"string\"}, {\"name\": \"os\", \"type\": [\"null\", \"string\"], \"default\": null}")))
        .isEmpty();
  }

  @Test
  void fails_a_field_added_without_a_default_naming_it() throws IOException {
    List<String> problems =
        gate(
            RELEASED.replace(
                "{\"name\": \"kind\", \"type\": \"string\"}",
                "{\"name\": \"kind\", \"type\": \"string\"}, {\"name\": \"os\", \"type\": \"string\"}"));
    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p).contains("CrashReport.avsc").contains("backward").contains("'os'");
            });
  }

  @Test
  void fails_a_removed_field_without_a_default_naming_it() throws IOException {
    List<String> problems =
        gate(RELEASED.replace("{\"name\": \"kind\", \"type\": \"string\"},", ""));
    assertThat(problems)
        .singleElement()
        .satisfies(p -> assertThat(p).contains("forward").contains("'kind'"));
  }

  @Test
  void fails_a_changed_type_of_a_nested_field_naming_its_path() throws IOException {
    List<String> problems =
        gate(
            RELEASED.replace(
                "\"type\": \"double\", \"default\": 0.2",
                "\"type\": \"string\", \"default\": \"x\""));
    assertThat(problems).isNotEmpty().allSatisfy(p -> assertThat(p).contains("plan.cap"));
  }

  @Test
  void the_repository_schemas_pass_against_their_released_versions() throws IOException {
    assertThat(SchemaCompatibilityGate.check(Path.of("src/main/avro"), Path.of("released")))
        .isEmpty();
  }
}
