package dev.rolloutledger.server.registry;

import dev.rolloutledger.schemas.registry.SchemaRegistryException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.serde.annotation.Serdeable;

/** Confluent's error body, {@code {"error_code": 40401, "message": "..."}}, worded once. */
final class RegistryErrors {
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private RegistryErrors() {}

  @Serdeable
  public record ConfluentError(int error_code, String message) {}

  static MutableHttpResponse<ConfluentError> response(SchemaRegistryException e) {
    return HttpResponse.<ConfluentError>status(HttpStatus.valueOf(e.httpStatus()))
        .contentType(CONTENT_TYPE)
        .body(new ConfluentError(e.errorCode(), e.getMessage()));
  }

  static SchemaRegistryException subjectNotFound(String subject) {
    return new SchemaRegistryException(
        SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
  }

  static SchemaRegistryException versionNotFound(String version) {
    return new SchemaRegistryException(
        SchemaRegistryException.VERSION_NOT_FOUND, "Version " + version + " not found.");
  }

  static SchemaRegistryException invalidVersion(String version) {
    return new SchemaRegistryException(
        SchemaRegistryException.INVALID_VERSION,
        "The specified version '"
            + version
            + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string"
            + " \"latest\"");
  }

  static SchemaRegistryException notPermitted(String message) {
    return new SchemaRegistryException(SchemaRegistryException.OPERATION_NOT_PERMITTED, message);
  }
}
