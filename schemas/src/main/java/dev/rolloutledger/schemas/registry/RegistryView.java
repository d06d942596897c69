package dev.rolloutledger.schemas.registry;

import dev.rolloutledger.schemas.compat.Compatibility;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The registry's state, derived only from the ordered sequence of (subject, schema) registrations:
 * versions count distinct schemas per subject in log order, and a schema's global id is a 31-bit
 * fingerprint of its JSON (linear probing on the rare collision, in log order). Two processes that
 * read the same log therefore agree on every id and version without coordinating. Not thread-safe:
 * callers synchronize.
 */
final class RegistryView {
  private final Map<Integer, Schema> byId = new HashMap<>();
  private final Map<String, Integer> idByJson = new HashMap<>();
  private final Map<String, List<RegisteredSchema>> subjects = new TreeMap<>();

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

  Optional<RegisteredSchema> find(String subject, Schema schema) {
    Integer id = idByJson.get(schema.toString());
    if (id == null) {
      return Optional.empty();
    }
    return subjects.getOrDefault(subject, List.of()).stream().filter(r -> r.id() == id).findFirst();
  }

  Optional<Schema> byId(int id) {
    return Optional.ofNullable(byId.get(id));
  }

  Optional<RegisteredSchema> latest(String subject) {
    List<RegisteredSchema> versions = subjects.get(subject);
    return versions == null || versions.isEmpty()
        ? Optional.empty()
        : Optional.of(versions.get(versions.size() - 1));
  }

  Optional<RegisteredSchema> version(String subject, int version) {
    List<RegisteredSchema> versions = subjects.getOrDefault(subject, List.of());
    return version >= 1 && version <= versions.size()
        ? Optional.of(versions.get(version - 1))
        : Optional.empty();
  }

  List<String> subjects() {
    return List.copyOf(subjects.keySet());
  }

  List<Integer> versions(String subject) {
    return subjects.getOrDefault(subject, List.of()).stream()
        .map(RegisteredSchema::version)
        .toList();
  }

  /** Compatibility of a candidate against the subject's latest version at the given level. */
  List<String> problems(Compatibility.Level level, String subject, Schema candidate) {
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
