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

  @Override
  default void close() {}
}
