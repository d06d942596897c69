package dev.rolloutledger.server.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;

/** A request the API refuses, with the status to answer and the field at fault. */
public final class ApiProblemException extends RuntimeException {
  private final HttpStatus status;
  private final String field;

  public ApiProblemException(HttpStatus status, String detail, @Nullable String field) {
    super(detail);
    this.status = status;
    this.field = field;
  }

  public static ApiProblemException notFound(String what) {
    return new ApiProblemException(HttpStatus.NOT_FOUND, what + " not found", null);
  }

  public static ApiProblemException badField(String field, String detail) {
    return new ApiProblemException(HttpStatus.BAD_REQUEST, detail, field);
  }

  public HttpStatus status() {
    return status;
  }

  @Nullable
  public String field() {
    return field;
  }
}
