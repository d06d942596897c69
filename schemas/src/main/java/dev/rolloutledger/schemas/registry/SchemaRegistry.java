package dev.rolloutledger.schemas.registry;

import dev.rolloutledger.schemas.compat.Compatibility;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry that serializers and operators use. Implementations:
 * {@link InMemorySchemaRegistry} (tests), {@link KafkaSchemaRegistry} (the embedded default,
 * durable in a compacted topic) and {@link HttpSchemaRegistryClient} (a user's own
 * Confluent-compatible registry: Confluent, Apicurio's ccompat API, Redpanda). One contract suite
 * runs against all.
 */
public interface SchemaRegistry extends AutoCloseable {

  /**
   * Registers a schema under a subject and returns its global id. Registering a schema already in
   * the subject returns its existing id. A schema that breaks the subject's compatibility level
   * throws {@link SchemaRegistryException} with {@link SchemaRegistryException#INCOMPATIBLE}.
   */
  int register(String subject, Schema schema);

  /**
   * The schema with this global id; throws with {@link SchemaRegistryException#SCHEMA_NOT_FOUND}.
   */
  Schema byId(int id);

  /** The latest version of a subject, if the subject exists. */
  Optional<RegisteredSchema> latest(String subject);

  /** A given version of a subject, if present. */
  Optional<RegisteredSchema> version(String subject, int version);

  /** Problems that would make registering this schema fail; empty if compatible or new. */
  List<String> compatibilityProblems(String subject, Schema schema);

  /** Subjects, sorted. */
  List<String> subjects();

  /** Versions of a subject, ascending; empty if the subject does not exist. */
  List<Integer> versions(String subject);

  /** The compatibility level this registry applies to new versions. */
  Compatibility.Level level();

  /**
   * The version of {@code subject} that holds {@code schema} (Confluent's {@code POST
   * /subjects/{subject}}), hiding a soft-deleted version unless {@code includeDeleted}.
   */
  default Optional<RegisteredSchema> lookup(String subject, Schema schema, boolean includeDeleted) {
    String json = schema.toString();
    for (int v : versions(subject, includeDeleted)) {
      Optional<RegisteredSchema> r = version(subject, v, includeDeleted);
      if (r.isPresent() && r.get().schema().toString().equals(json)) {
        return r;
      }
    }
    return Optional.empty();
  }

  /** Versions of a subject, soft-deleted ones too if {@code includeDeleted}. */
  default List<Integer> versions(String subject, boolean includeDeleted) {
    return versions(subject);
  }

  /** A given version, found even when soft-deleted if {@code includeDeleted}. */
  default Optional<RegisteredSchema> version(String subject, int version, boolean includeDeleted) {
    return version(subject, version);
  }

  /** Subjects, sorted; with {@code includeDeleted} also those whose every version is deleted. */
  default List<String> subjects(boolean includeDeleted) {
    return subjects();
  }

  /** Every subject version that holds the schema with this id (empty for an unknown id). */
  default List<RegisteredSchema> usages(int id, boolean includeDeleted) {
    List<RegisteredSchema> out = new java.util.ArrayList<>();
    for (String subject : subjects(includeDeleted)) {
      for (int v : versions(subject, includeDeleted)) {
        version(subject, v, includeDeleted).filter(r -> r.id() == id).ifPresent(out::add);
      }
    }
    return out;
  }

  /**
   * Soft-deletes a version (Confluent's {@code DELETE /subjects/{s}/versions/{v}}): reads no longer
   * show it, its id still resolves. Returns the version. Throws with {@link
   * SchemaRegistryException#SUBJECT_NOT_FOUND} or {@link
   * SchemaRegistryException#VERSION_NOT_FOUND}.
   */
  default int deleteVersion(String subject, int version) {
    throw new SchemaRegistryException(
        SchemaRegistryException.OPERATION_NOT_PERMITTED, "this registry does not delete versions");
  }

  @Override
  default void close() {}
}
