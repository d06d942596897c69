package dev.rolloutledger.server.registry;

import dev.rolloutledger.schemas.compat.Compatibility;
import dev.rolloutledger.schemas.registry.RegisteredSchema;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistryException;
import dev.rolloutledger.schemas.registry.TopicContract;
import dev.rolloutledger.server.registry.RegistryErrors.ConfluentError;
import dev.rolloutledger.server.registry.RegistryRequests.SchemaBody;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The embedded registry's REST facade, continued: schemas by id, the schema types, the
 * compatibility level and the compatibility check (Confluent's routes and error codes). One level
 * for the whole registry: a subject has no level of its own (40408).
 */
@Controller("/registry")
@Produces({RegistryErrors.CONTENT_TYPE, MediaType.APPLICATION_JSON})
@Consumes({
  RegistryErrors.CONTENT_TYPE,
  "application/vnd.schemaregistry+json",
  MediaType.APPLICATION_JSON,
  "application/octet-stream"
})
@ExecuteOn(TaskExecutors.BLOCKING)
public class RegistrySchemasController {
  private final SchemaRegistry registry;

  public RegistrySchemasController(SchemaRegistry registry) {
    this.registry = registry;
  }

  @Serdeable
  public record SchemaString(String schema) {}

  @Serdeable
  public record SubjectVersion(String subject, int version) {}

  @Serdeable
  public record CompatibilityBody(boolean is_compatible, List<String> messages) {}

  @Serdeable
  public record Config(String compatibilityLevel) {}

  @Get("/schemas/types")
  public List<String> types() {
    return List.of("AVRO");
  }

  /** The schema of an id; with {@code subject}, only if that subject holds it. */
  @Get("/schemas/ids/{id}")
  public SchemaString byId(@PathVariable int id, @QueryValue @Nullable String subject) {
    if (subject != null
        && registry.usages(id, true).stream().noneMatch(r -> r.subject().equals(subject))) {
      throw schemaNotFound(id);
    }
    return new SchemaString(registry.byId(id).toString());
  }

  /** Every subject and version that holds the schema of this id. */
  @Get("/schemas/ids/{id}/versions")
  public List<SubjectVersion> usages(
      @PathVariable int id, @QueryValue(defaultValue = "false") boolean deleted) {
    registry.byId(id); // 40403 for an unknown id
    return registry.usages(id, deleted).stream()
        .map(r -> new SubjectVersion(r.subject(), r.version()))
        .toList();
  }

  @Post("/compatibility/subjects/{subject}/versions/{version}")
  public CompatibilityBody compatibility(
      @PathVariable String subject,
      @PathVariable String version,
      @QueryValue(defaultValue = "false") boolean verbose,
      @Body SchemaBody body) {
    RegisteredSchema against = RegistryRequests.version(registry, subject, version, false);
    Schema candidate = RegistryRequests.parse(body);
    List<String> problems;
    if (TopicContract.schemaOf(subject).isPresent()) {
      // a contract subject takes what the contract reads, whichever version is named
      problems = TopicContract.problems(subject, candidate);
    } else if ("latest".equals(version) || "-1".equals(version)) {
      problems = registry.compatibilityProblems(subject, candidate);
    } else {
      problems = Compatibility.problems(registry.level(), candidate, against.schema());
    }
    return new CompatibilityBody(problems.isEmpty(), problems);
  }

  @Get("/config")
  public Config config() {
    return new Config(registry.level().name());
  }

  /** No subject has a level of its own: 40408, or the global level with {@code defaultToGlobal}. */
  @Get("/config/{subject}")
  public Config subjectConfig(
      @PathVariable String subject, @QueryValue(defaultValue = "false") boolean defaultToGlobal) {
    if (!defaultToGlobal) {
      throw new SchemaRegistryException(
          SchemaRegistryException.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
          "Subject '" + subject + "' does not have subject-level compatibility configured");
    }
    return config();
  }

  /** {@code {"compatibility": "BACKWARD"}}, the body of a configuration change. */
  @Serdeable
  public record ConfigChange(@Nullable String compatibility) {}

  /**
   * A configuration change. The level is fixed: a change to the level in force is answered as done
   * to any token (Node's client sends one on a subject's first registration), any other is refused:
   * 40301 to a token that is not an admin's, 42205 to an admin; an unknown level is 42203.
   */
  @Put("/config")
  public ConfigChange setConfig(HttpRequest<?> request, @Body ConfigChange change) {
    return sameLevel(request, change);
  }

  @Put("/config/{subject}")
  public ConfigChange setSubjectConfig(
      HttpRequest<?> request, @PathVariable String subject, @Body ConfigChange change) {
    return sameLevel(request, change);
  }

  private ConfigChange sameLevel(HttpRequest<?> request, ConfigChange change) {
    String asked = change == null || change.compatibility() == null ? "" : change.compatibility();
    if (!java.util.Set.of(
            "NONE",
            "BACKWARD",
            "BACKWARD_TRANSITIVE",
            "FORWARD",
            "FORWARD_TRANSITIVE",
            "FULL",
            "FULL_TRANSITIVE")
        .contains(asked)) {
      throw new SchemaRegistryException(
          SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL,
          "Invalid compatibility level. Valid values are none, backward, forward, full,"
              + " backward_transitive, forward_transitive, and full_transitive");
    }
    if (!asked.equals(registry.level().name())) {
      RegistryAuthFilter.requireWrite(request);
      throw RegistryErrors.notPermitted(
          "the compatibility level is fixed at "
              + registry.level().name()
              + " for the whole registry (subjects of the topic contract are judged against the"
              + " contract)");
    }
    return new ConfigChange(asked);
  }

  @Error(exception = SchemaRegistryException.class)
  public HttpResponse<ConfluentError> registryError(SchemaRegistryException e) {
    return RegistryErrors.response(e);
  }

  private static SchemaRegistryException schemaNotFound(int id) {
    return new SchemaRegistryException(
        SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
  }
}
