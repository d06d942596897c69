package dev.rolloutledger.schemas.registry;

import java.util.List;

/** Errors shared by the registry implementations, worded once. */
final class Registrations {
  private Registrations() {}

  static void requireCompatible(String subject, List<String> problems) {
    if (!problems.isEmpty()) {
      throw new SchemaRegistryException(
          SchemaRegistryException.INCOMPATIBLE,
          "Schema being registered is incompatible with an earlier schema for subject '"
              + subject
              + "': "
              + String.join("; ", problems));
    }
  }

  /**
   * The version a soft delete applies to, or Confluent's error: 40401 for a subject with no
   * version, 40406 for a version already deleted, 40402 for none of that number.
   */
  static RegisteredSchema deletable(RegistryView view, String subject, int version) {
    if (view.versions(subject, true).isEmpty()) {
      throw subjectNotFound(subject);
    }
    RegisteredSchema r =
        view.version(subject, version, true).orElseThrow(() -> versionNotFound(version));
    if (view.isDeleted(r)) {
      throw new SchemaRegistryException(
          SchemaRegistryException.VERSION_SOFT_DELETED,
          "Subject '" + subject + "' Version " + version + " was soft deleted.");
    }
    return r;
  }

  static SchemaRegistryException subjectNotFound(String subject) {
    return new SchemaRegistryException(
        SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
  }

  static SchemaRegistryException versionNotFound(int version) {
    return new SchemaRegistryException(
        SchemaRegistryException.VERSION_NOT_FOUND, "Version " + version + " not found.");
  }

  static SchemaRegistryException schemaNotFound(int id) {
    return new SchemaRegistryException(
        SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
  }
}
