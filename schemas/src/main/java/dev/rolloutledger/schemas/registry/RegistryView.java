package dev.rolloutledger.schemas.registry;

import dev.rolloutledger.schemas.compat.Compatibility;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The registry's state, derived only from the ordered sequence of (subject, schema) registrations
 * and soft deletions: versions count distinct schemas per subject in log order, and a schema's
 * global id is a 31-bit fingerprint of its JSON (linear probing on the rare collision, in log
 * order). Two processes that read the same log therefore agree on every id, version and deletion
 * without coordinating. A soft-deleted version keeps its number and its id (Confluent's soft
 * delete): reads skip it unless they ask for deleted versions, and {@link #byId} still finds the
 * schema, so records written with it stay readable. Not thread-safe: callers synchronize.
 */
final class RegistryView {
  private final Map<Integer, Schema> byId = new HashMap<>();
  private final Map<String, Integer> idByJson = new HashMap<>();
  private final Map<String, List<RegisteredSchema>> subjects = new TreeMap<>();
  private final Map<String, Set<Integer>> deletedVersions = new HashMap<>();
  private final boolean guardContract;

  /**
   * @param guardContract judge registrations under the topic contract's subjects against the
   *     contract ({@link TopicContract}) rather than against the latest version
   */
  RegistryView(boolean guardContract) {
    this.guardContract = guardContract;
  }

  /** Applies one registration; returns the registered schema (existing if already there). */
  RegisteredSchema append(String subject, Schema schema) {
    String json = schema.toString();
    Integer id = idByJson.get(json);
    if (id == null) {
      id = freeId(json);
      byId.put(id, schema);
      idByJson.put(json, id);
    }
    List<RegisteredSchema> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
    for (RegisteredSchema existing : versions) {
      if (existing.id() == id) {
        return existing;
      }
    }
    RegisteredSchema added = new RegisteredSchema(subject, versions.size() + 1, id, byId.get(id));
    versions.add(added);
    return added;
  }

  /**
   * Marks the version of {@code subject} that holds {@code schema} as soft-deleted (or restores
   * it); a schema never registered under the subject is ignored.
   */
  void markDeleted(String subject, Schema schema, boolean deleted) {
    find(subject, schema)
        .ifPresent(
            r -> {
              Set<Integer> marks = deletedVersions.computeIfAbsent(subject, s -> new HashSet<>());
              if (deleted) {
                marks.add(r.version());
              } else {
                marks.remove(r.version());
              }
            });
  }

  boolean isDeleted(RegisteredSchema r) {
    return deletedVersions.getOrDefault(r.subject(), Set.of()).contains(r.version());
  }

  /** The version of {@code subject} holding {@code schema}, soft-deleted or not. */
  Optional<RegisteredSchema> find(String subject, Schema schema) {
    Integer id = idByJson.get(schema.toString());
    if (id == null) {
      return Optional.empty();
    }
    return subjects.getOrDefault(subject, List.of()).stream().filter(r -> r.id() == id).findFirst();
  }

  /** As {@link #find}, hiding a soft-deleted version unless {@code includeDeleted}. */
  Optional<RegisteredSchema> lookup(String subject, Schema schema, boolean includeDeleted) {
    return find(subject, schema).filter(r -> includeDeleted || !isDeleted(r));
  }

  Optional<Schema> byId(int id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** The latest version that is not soft-deleted. */
  Optional<RegisteredSchema> latest(String subject) {
    List<RegisteredSchema> versions = subjects.getOrDefault(subject, List.of());
    for (int i = versions.size() - 1; i >= 0; i--) {
      if (!isDeleted(versions.get(i))) {
        return Optional.of(versions.get(i));
      }
    }
    return Optional.empty();
  }

  Optional<RegisteredSchema> version(String subject, int version, boolean includeDeleted) {
    List<RegisteredSchema> versions = subjects.getOrDefault(subject, List.of());
    return version >= 1 && version <= versions.size()
        ? Optional.of(versions.get(version - 1)).filter(r -> includeDeleted || !isDeleted(r))
        : Optional.empty();
  }

  /** Subjects with a version that is not soft-deleted (any version if {@code includeDeleted}). */
  List<String> subjects(boolean includeDeleted) {
    return subjects.keySet().stream().filter(s -> !versions(s, includeDeleted).isEmpty()).toList();
  }

  List<Integer> versions(String subject, boolean includeDeleted) {
    return subjects.getOrDefault(subject, List.of()).stream()
        .filter(r -> includeDeleted || !isDeleted(r))
        .map(RegisteredSchema::version)
        .toList();
  }

  /** Every subject version that holds the schema with this id, by subject then version. */
  List<RegisteredSchema> usages(int id, boolean includeDeleted) {
    List<RegisteredSchema> out = new ArrayList<>();
    for (List<RegisteredSchema> versions : subjects.values()) {
      for (RegisteredSchema r : versions) {
        if (r.id() == id && (includeDeleted || !isDeleted(r))) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /**
   * Compatibility of a candidate against the subject's latest version that is not soft-deleted, at
   * the given level; when the view guards the contract, under a subject of the topic contract
   * against the contract instead ({@link TopicContract#problems}): the server reads those topics
   * with the contract's schema whatever was registered last, and a producer may register the one
   * event record it writes (ADR 0003), which BACKWARD against the contract's union would refuse.
   */
  List<String> problems(Compatibility.Level level, String subject, Schema candidate) {
    if (guardContract && TopicContract.schemaOf(subject).isPresent()) {
      return TopicContract.problems(subject, candidate).stream()
          .map(p -> "topic contract: " + p)
          .toList();
    }
    return latest(subject)
        .map(latest -> Compatibility.problems(level, candidate, latest.schema()))
        .orElse(List.of());
  }

  private int freeId(String json) {
    long fingerprint = SchemaNormalization.fingerprint64(json.getBytes(StandardCharsets.UTF_8));
    int id = (int) (fingerprint & 0x7fffffffL);
    while (id == 0 || byId.containsKey(id)) {
      id = (id + 1) & 0x7fffffff;
    }
    return id;
  }
}
