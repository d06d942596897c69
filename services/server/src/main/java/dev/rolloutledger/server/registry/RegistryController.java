package dev.rolloutledger.server.registry;

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
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The embedded registry's REST facade, subjects and their versions: the routes of the Confluent
 * Schema Registry API that serializers and operators call, at {@code /registry} (schemas by id,
 * configuration and compatibility are in {@link RegistrySchemasController}). Point a Confluent
 * client at {@code http://127.0.0.1:8080/registry} with an API token ({@link RegistryAuthFilter}).
 * Errors carry Confluent's {@code error_code}. Whatever the token, a registration under a subject
 * of the topic contract must be a compatible evolution of the contract ({@link TopicContract}), and
 * the contract's own schema cannot be deleted from its subject. See docs/registry.md.
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
public class RegistryController {
  private final SchemaRegistry registry;

  public RegistryController(SchemaRegistry registry) {
    this.registry = registry;
  }

  @Serdeable
  public record IdBody(int id) {}

  @Serdeable
  public record Version(String subject, int version, int id, String schema) {
    static Version of(RegisteredSchema r) {
      return new Version(r.subject(), r.version(), r.id(), r.schema().toString());
    }
  }

  @Get("/subjects")
  public List<String> subjects(@QueryValue(defaultValue = "false") boolean deleted) {
    return registry.subjects(deleted);
  }

  @Get("/subjects/{subject}/versions")
  public List<Integer> versions(
      @PathVariable String subject, @QueryValue(defaultValue = "false") boolean deleted) {
    List<Integer> versions = registry.versions(subject, deleted);
    if (versions.isEmpty()) {
      throw RegistryErrors.subjectNotFound(subject);
    }
    return versions;
  }

  /**
   * Registers a schema, or answers the id of the same schema already registered under the subject
   * (which any token may ask: it writes nothing). {@code normalize} is accepted and changes
   * nothing: schemas are always kept in Avro's parsed form, so texts that differ only in layout
   * share an id.
   */
  @Post("/subjects/{subject}/versions")
  public IdBody register(
      HttpRequest<?> request,
      @PathVariable String subject,
      @QueryValue @Nullable Boolean normalize,
      @Body SchemaBody body) {
    Schema schema = RegistryRequests.parse(body);
    Optional<RegisteredSchema> existing = registry.lookup(subject, schema, false);
    if (existing.isPresent()) {
      return new IdBody(existing.get().id());
    }
    RegistryAuthFilter.requireWrite(request);
    List<String> problems = TopicContract.problems(subject, schema);
    if (!problems.isEmpty()) {
      throw new SchemaRegistryException(
          SchemaRegistryException.INCOMPATIBLE,
          "Schema being registered is incompatible with the topic contract of subject '"
              + subject
              + "': "
              + String.join("; ", problems));
    }
    return new IdBody(registry.register(subject, schema));
  }

  /** Is this schema registered under the subject? Its version and id, or 40401 / 40403. */
  @Post("/subjects/{subject}")
  public Version lookup(
      @PathVariable String subject,
      @QueryValue(defaultValue = "false") boolean deleted,
      @QueryValue @Nullable Boolean normalize,
      @Body SchemaBody body) {
    Schema schema = RegistryRequests.parse(body);
    if (registry.versions(subject, deleted).isEmpty()) {
      throw RegistryErrors.subjectNotFound(subject);
    }
    return registry
        .lookup(subject, schema, deleted)
        .map(Version::of)
        .orElseThrow(
            () ->
                new SchemaRegistryException(
                    SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found"));
  }

  @Get("/subjects/{subject}/versions/{version}")
  public Version version(
      @PathVariable String subject,
      @PathVariable String version,
      @QueryValue(defaultValue = "false") boolean deleted) {
    return Version.of(RegistryRequests.version(registry, subject, version, deleted));
  }

  /** The schema alone, as its JSON, not wrapped in a string. */
  @Get("/subjects/{subject}/versions/{version}/schema")
  public HttpResponse<String> rawSchema(
      @PathVariable String subject,
      @PathVariable String version,
      @QueryValue(defaultValue = "false") boolean deleted) {
    return HttpResponse.ok(
            RegistryRequests.version(registry, subject, version, deleted).schema().toString())
        .contentType(RegistryErrors.CONTENT_TYPE);
  }

  /** Soft delete: the version disappears from reads, its id keeps resolving. */
  @Delete("/subjects/{subject}/versions/{version}")
  public int deleteVersion(
      @PathVariable String subject,
      @PathVariable String version,
      @QueryValue(defaultValue = "false") boolean permanent) {
    refusePermanent(permanent);
    // a number finds a deleted version too, so deleting it again is 40406 as in Confluent
    boolean latest = "latest".equals(version) || "-1".equals(version);
    RegisteredSchema r = RegistryRequests.version(registry, subject, version, !latest);
    protectContract(r);
    return registry.deleteVersion(subject, r.version());
  }

  /** Soft-deletes every version of the subject; answers their numbers. */
  @Delete("/subjects/{subject}")
  public List<Integer> deleteSubject(
      @PathVariable String subject, @QueryValue(defaultValue = "false") boolean permanent) {
    refusePermanent(permanent);
    List<Integer> versions = registry.versions(subject, false);
    if (versions.isEmpty()) {
      throw RegistryErrors.subjectNotFound(subject);
    }
    List<RegisteredSchema> doomed = new ArrayList<>();
    for (int v : versions) {
      RegisteredSchema r = registry.version(subject, v).orElseThrow();
      protectContract(r);
      doomed.add(r);
    }
    for (RegisteredSchema r : doomed) {
      registry.deleteVersion(subject, r.version());
    }
    return versions;
  }

  @Error(exception = SchemaRegistryException.class)
  public HttpResponse<ConfluentError> registryError(SchemaRegistryException e) {
    return RegistryErrors.response(e);
  }

  private static void refusePermanent(boolean permanent) {
    if (permanent) {
      throw RegistryErrors.notPermitted(
          "permanent deletion is not supported: ids and versions are derived from the registry's"
              + " log (ADR 0002); a soft delete hides a version");
    }
  }

  /** The schema the server itself writes and reads a topic with stays in its subject. */
  private static void protectContract(RegisteredSchema r) {
    Optional<Schema> contract = TopicContract.schemaOf(r.subject());
    if (contract.isPresent() && contract.get().toString().equals(r.schema().toString())) {
      throw RegistryErrors.notPermitted(
          "version "
              + r.version()
              + " of '"
              + r.subject()
              + "' is the topic contract's own schema, which the server writes and reads that"
              + " topic with; it cannot be deleted");
    }
  }
}
