package dev.rolloutledger.server.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;

/** A request the API refuses, with the status to answer and the field at fault. */
public final class ApiProblemException extends RuntimeException {
  private final HttpStatus status;
  private final String field;
  private final long retryAfterSeconds;

  public ApiProblemException(HttpStatus status, String detail, @Nullable String field) {
    this(status, detail, field, 0);
  }

  private ApiProblemException(
      HttpStatus status, String detail, @Nullable String field, long retryAfterSeconds) {
    super(detail);
    this.status = status;
    this.field = field;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 429, with the seconds after which the same request would be taken (Retry-After). */
  public static ApiProblemException tooManyRequests(String detail, long retryAfterSeconds) {
    return new ApiProblemException(
        HttpStatus.TOO_MANY_REQUESTS, detail, null, Math.max(1, retryAfterSeconds));
  }

  /** Seconds for a Retry-After header; 0: none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
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
