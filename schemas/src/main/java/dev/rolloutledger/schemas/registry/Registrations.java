package dev.rolloutledger.schemas.registry;

import java.util.List;

/** Errors shared by the registry implementations, worded once. */
final class Registrations {
  private Registrations() {}

  static void requireCompatible(String subject, List<String> problems) {
    if (!problems.isEmpty()) {
      throw new SchemaRegistryException(
          SchemaRegistryException.INCOMPATIBLE,
          "Schema being registered is incompatible with the latest version of subject '"
              + subject
              + "': "
              + String.join("; ", problems));
    }
  }

  static SchemaRegistryException schemaNotFound(int id) {
    return new SchemaRegistryException(
        SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
  }
}
