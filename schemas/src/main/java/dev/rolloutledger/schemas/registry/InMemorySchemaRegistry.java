package dev.rolloutledger.schemas.registry;

import dev.rolloutledger.schemas.compat.Compatibility;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * A registry held in memory: for tests, TopologyTestDriver and offline replay. Unlike the embedded
 * {@link KafkaSchemaRegistry}, it judges every subject by its compatibility level alone unless made
 * with {@link #guardingTheTopicContract()}, so a test can hold what a foreign application may
 * register in a registry of its own.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {
  private final RegistryView view;
  private final Compatibility.Level level;

  public InMemorySchemaRegistry() {
    this(Compatibility.Level.BACKWARD);
  }

  public InMemorySchemaRegistry(Compatibility.Level level) {
    this(level, false);
  }

  private InMemorySchemaRegistry(Compatibility.Level level, boolean guardContract) {
    this.level = level;
    this.view = new RegistryView(guardContract);
  }

  /** A BACKWARD registry that guards the topic contract's subjects as the embedded one does. */
  public static InMemorySchemaRegistry guardingTheTopicContract() {
    return new InMemorySchemaRegistry(Compatibility.Level.BACKWARD, true);
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    Optional<RegisteredSchema> existing = view.find(subject, schema);
    if (existing.isPresent() && !view.isDeleted(existing.get())) {
      return existing.get().id();
    }
    Registrations.requireCompatible(subject, view.problems(level, subject, schema));
    if (existing.isPresent()) {
      view.markDeleted(subject, schema, false); // registered again: restored
      return existing.get().id();
    }
    return view.append(subject, schema).id();
  }

  @Override
  public synchronized Schema byId(int id) {
    return view.byId(id).orElseThrow(() -> Registrations.schemaNotFound(id));
  }

  @Override
  public synchronized Optional<RegisteredSchema> latest(String subject) {
    return view.latest(subject);
  }

  @Override
  public synchronized Optional<RegisteredSchema> version(String subject, int version) {
    return view.version(subject, version, false);
  }

  @Override
  public synchronized Optional<RegisteredSchema> version(
      String subject, int version, boolean includeDeleted) {
    return view.version(subject, version, includeDeleted);
  }

  @Override
  public synchronized Optional<RegisteredSchema> lookup(
      String subject, Schema schema, boolean includeDeleted) {
    return view.lookup(subject, schema, includeDeleted);
  }

  @Override
  public synchronized List<String> compatibilityProblems(String subject, Schema schema) {
    return view.problems(level, subject, schema);
  }

  @Override
  public synchronized List<String> subjects() {
    return view.subjects(false);
  }

  @Override
  public synchronized List<String> subjects(boolean includeDeleted) {
    return view.subjects(includeDeleted);
  }

  @Override
  public synchronized List<Integer> versions(String subject) {
    return view.versions(subject, false);
  }

  @Override
  public synchronized List<Integer> versions(String subject, boolean includeDeleted) {
    return view.versions(subject, includeDeleted);
  }

  @Override
  public synchronized List<RegisteredSchema> usages(int id, boolean includeDeleted) {
    return view.usages(id, includeDeleted);
  }

  @Override
  public synchronized int deleteVersion(String subject, int version) {
    RegisteredSchema r = Registrations.deletable(view, subject, version);
    view.markDeleted(subject, r.schema(), true);
    return version;
  }

  @Override
  public Compatibility.Level level() {
    return level;
  }
}
