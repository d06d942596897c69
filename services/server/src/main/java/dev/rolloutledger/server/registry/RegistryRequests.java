package dev.rolloutledger.server.registry;

import dev.rolloutledger.schemas.registry.RegisteredSchema;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistryException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/** Request bodies and path values of the registry routes, parsed as Confluent parses them. */
final class RegistryRequests {
  private RegistryRequests() {}

  /** {@code {"schema": "...", "schemaType": "AVRO", "references": []}}. */
  @Serdeable
  public record SchemaBody(
      @Nullable String schema,
      @Nullable String schemaType,
      @Nullable List<Map<String, Object>> references) {}

  static Schema parse(@Nullable SchemaBody body) {
    if (body == null || body.schema() == null || body.schema().isBlank()) {
      throw invalid("Invalid schema: schema is required");
    }
    if (body.schemaType() != null && !"AVRO".equals(body.schemaType())) {
      throw invalid("Invalid schema: only AVRO schemas are supported, got " + body.schemaType());
    }
    if (body.references() != null && !body.references().isEmpty()) {
      throw invalid("Invalid schema: schema references are not supported");
    }
    try {
      return new Schema.Parser().parse(body.schema());
    } catch (SchemaParseException | IllegalArgumentException e) {
      throw invalid("Invalid schema: " + e.getMessage());
    }
  }

  /**
   * The version a path names: {@code latest} or {@code -1} for the latest (of the versions {@code
   * includeDeleted} shows), else a number from 1; 40401 / 40402 / 42202 as Confluent answers.
   */
  static RegisteredSchema version(
      SchemaRegistry registry, String subject, String version, boolean includeDeleted) {
    List<Integer> versions = registry.versions(subject, includeDeleted);
    int number;
    if ("latest".equals(version) || "-1".equals(version)) {
      if (versions.isEmpty()) {
        throw RegistryErrors.subjectNotFound(subject);
      }
      number = versions.get(versions.size() - 1);
    } else {
      number = number(version);
    }
    return registry
        .version(subject, number, includeDeleted)
        .orElseThrow(
            () ->
                versions.isEmpty()
                    ? RegistryErrors.subjectNotFound(subject)
                    : RegistryErrors.versionNotFound(version));
  }

  private static int number(String version) {
    try {
      int n = Integer.parseInt(version);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // falls through to the error
    }
    throw RegistryErrors.invalidVersion(version);
  }

  private static SchemaRegistryException invalid(String message) {
    return new SchemaRegistryException(SchemaRegistryException.INVALID_SCHEMA, message);
  }
}
