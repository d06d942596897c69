package dev.rolloutledger.schemas.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/** A schema as stored under a subject: its version in the subject and its global id. */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {
  public RegisteredSchema {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1");
    }
  }
}
