package dev.rolloutledger.server.registry;

import dev.rolloutledger.schemas.registry.RegisteredSchema;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistryException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The embedded registry's REST facade: the subset of the Confluent Schema Registry API that
 * serializers and operators use, at {@code /registry}. Point a Confluent serializer at {@code
 * http://127.0.0.1:8080/registry}. Errors carry Confluent's {@code error_code}.
 */
@Controller("/registry")
@Produces({"application/vnd.schemaregistry.v1+json", MediaType.APPLICATION_JSON})
@Consumes({
  "application/vnd.schemaregistry.v1+json",
  "application/vnd.schemaregistry+json",
  MediaType.APPLICATION_JSON
})
@ExecuteOn(TaskExecutors.BLOCKING)
public class RegistryController {
  private final SchemaRegistry registry;

  public RegistryController(SchemaRegistry registry) {
    this.registry = registry;
  }

  @Serdeable
  public record SchemaBody(@Nullable String schema, @Nullable String schemaType) {}

  @Serdeable
  public record IdBody(int id) {}

  @Serdeable
  public record SchemaString(String schema) {}

  @Serdeable
  public record Version(String subject, int version, int id, String schema) {}

  @Serdeable
  public record CompatibilityBody(boolean is_compatible, List<String> messages) {}

  @Serdeable
  public record ConfluentError(int error_code, String message) {}

  @Get("/subjects")
  public List<String> subjects() {
    return registry.subjects();
  }

  @Get("/subjects/{subject}/versions")
  public List<Integer> versions(@PathVariable String subject) {
    List<Integer> versions = registry.versions(subject);
    if (versions.isEmpty()) {
      throw subjectNotFound(subject);
    }
    return versions;
  }

  @Post("/subjects/{subject}/versions")
  public IdBody register(@PathVariable String subject, @Body SchemaBody body) {
    return new IdBody(registry.register(subject, parse(body)));
  }

  @Get("/subjects/{subject}/versions/{version}")
  public Version version(@PathVariable String subject, @PathVariable String version) {
    Optional<RegisteredSchema> found =
        "latest".equals(version) || "-1".equals(version)
            ? registry.latest(subject)
            : registry.version(subject, parseVersion(version));
    RegisteredSchema r =
        found.orElseThrow(
            () ->
                registry.versions(subject).isEmpty()
                    ? subjectNotFound(subject)
                    : new SchemaRegistryException(
                        SchemaRegistryException.VERSION_NOT_FOUND,
                        "Version " + version + " not found."));
    return new Version(r.subject(), r.version(), r.id(), r.schema().toString());
  }

  @Get("/schemas/ids/{id}")
  public SchemaString byId(@PathVariable int id) {
    return new SchemaString(registry.byId(id).toString());
  }

  @Post("/compatibility/subjects/{subject}/versions/{version}")
  public CompatibilityBody compatibility(
      @PathVariable String subject, @PathVariable String version, @Body SchemaBody body) {
    if (registry.versions(subject).isEmpty()) {
      throw subjectNotFound(subject);
    }
    List<String> problems = registry.compatibilityProblems(subject, parse(body));
    return new CompatibilityBody(problems.isEmpty(), problems);
  }

  @Get("/config")
  public Map<String, String> config() {
    return Map.of("compatibilityLevel", registry.level().name());
  }

  @Error(exception = SchemaRegistryException.class)
  public HttpResponse<ConfluentError> registryError(
      HttpRequest<?> request, SchemaRegistryException e) {
    return HttpResponse.<ConfluentError>status(HttpStatus.valueOf(e.httpStatus()))
        .contentType("application/vnd.schemaregistry.v1+json")
        .body(new ConfluentError(e.errorCode(), e.getMessage()));
  }

  private static Schema parse(SchemaBody body) {
    if (body == null || body.schema() == null) {
      throw new SchemaRegistryException(
          SchemaRegistryException.INVALID_SCHEMA, "schema is required");
    }
    if (body.schemaType() != null && !"AVRO".equals(body.schemaType())) {
      throw new SchemaRegistryException(
          SchemaRegistryException.INVALID_SCHEMA,
          "only AVRO schemas are supported, got " + body.schemaType());
    }
    try {
      return new Schema.Parser().parse(body.schema());
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException(
          SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage());
    }
  }

  private static int parseVersion(String version) {
    try {
      return Integer.parseInt(version);
    } catch (NumberFormatException e) {
      throw new SchemaRegistryException(
          42202, "The specified version '" + version + "' is not a valid version id.");
    }
  }

  private static SchemaRegistryException subjectNotFound(String subject) {
    return new SchemaRegistryException(
        SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
  }
}
