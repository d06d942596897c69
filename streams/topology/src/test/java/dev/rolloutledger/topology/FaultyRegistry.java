package dev.rolloutledger.topology;

import dev.rolloutledger.schemas.compat.Compatibility;
import dev.rolloutledger.schemas.registry.InMemorySchemaRegistry;
import dev.rolloutledger.schemas.registry.RegisteredSchema;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistryException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * An in-memory registry that can be made unreachable for chosen subjects, as a registry behind a
 * network partition answers: {@link SchemaRegistryException#UNAVAILABLE}.
 */
final class FaultyRegistry implements SchemaRegistry {
  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final Set<String> unreachable = ConcurrentHashMap.newKeySet();

  void cutOff(String subject) {
    unreachable.add(subject);
  }

  void heal() {
    unreachable.clear();
  }

  @Override
  public int register(String subject, Schema schema) {
    if (unreachable.contains(subject)) {
      throw new SchemaRegistryException(
          SchemaRegistryException.UNAVAILABLE, "connection refused registering " + subject);
    }
    return registry.register(subject, schema);
  }

  @Override
  public Schema byId(int id) {
    return registry.byId(id);
  }

  @Override
  public Optional<RegisteredSchema> latest(String subject) {
    return registry.latest(subject);
  }

  @Override
  public Optional<RegisteredSchema> version(String subject, int version) {
    return registry.version(subject, version);
  }

  @Override
  public List<String> compatibilityProblems(String subject, Schema schema) {
    return registry.compatibilityProblems(subject, schema);
  }

  @Override
  public List<String> subjects() {
    return registry.subjects();
  }

  @Override
  public List<Integer> versions(String subject) {
    return registry.versions(subject);
  }

  @Override
  public Compatibility.Level level() {
    return registry.level();
  }
}
