package dev.rolloutledger.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.serde.annotation.Serdeable;

/**
 * An RFC 9457 problem: every error of the API is {@code application/problem+json} and, for bad
 * input, names the offending field ({@code field}, e.g. {@code plan.waves[1].percent} or {@code
 * [3].host} for the fourth item of a batch).
 */
@Serdeable
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type,
    String title,
    int status,
    @Nullable String detail,
    @Nullable String field,
    @Nullable String instance) {

  public static final MediaType PROBLEM_JSON = MediaType.of("application/problem+json");

  public static MutableHttpResponse<Problem> response(
      HttpStatus status, String detail, @Nullable String field, @Nullable String instance) {
    Problem body =
        new Problem("about:blank", status.getReason(), status.getCode(), detail, field, instance);
    return HttpResponse.<Problem>status(status).contentType(PROBLEM_JSON).body(body);
  }
}
