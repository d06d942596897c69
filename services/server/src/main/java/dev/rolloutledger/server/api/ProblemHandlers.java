package dev.rolloutledger.server.api;

import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.server.kafka.EventPublisher;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.stream.Collectors;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/** Maps every error to application/problem+json; 4xx for the caller's mistakes, never 5xx. */
public final class ProblemHandlers {
  private ProblemHandlers() {}

  /** Micronaut's own errors (unparseable JSON, wrong types, unknown route, bad method, ...). */
  @Singleton
  @Replaces(ErrorResponseProcessor.class)
  public static class ProblemErrorResponseProcessor implements ErrorResponseProcessor<Problem> {
    @Override
    public MutableHttpResponse<Problem> processResponse(
        ErrorContext context, MutableHttpResponse<?> base) {
      HttpStatus status = base.getStatus();
      String detail =
          context.getErrors().stream().map(Error::getMessage).collect(Collectors.joining("; "));
      String field =
          context.getErrors().stream()
              .map(e -> e.getPath().orElse(null))
              .filter(p -> p != null && !p.isBlank())
              .findFirst()
              .orElse(null);
      Problem body =
          new Problem(
              "about:blank",
              status.getReason(),
              status.getCode(),
              detail.isBlank() ? status.getReason() : detail,
              field,
              context.getRequest().getPath());
      return base.contentType(Problem.PROBLEM_JSON).body(body);
    }
  }

  @Produces
  @Singleton
  @Requires(classes = {ApiProblemException.class, ExceptionHandler.class})
  public static class ApiProblems
      implements ExceptionHandler<ApiProblemException, HttpResponse<Problem>> {
    @Override
    public HttpResponse<Problem> handle(HttpRequest request, ApiProblemException e) {
      MutableHttpResponse<Problem> response =
          Problem.response(e.status(), e.getMessage(), e.field(), request.getPath());
      return e.retryAfterSeconds() > 0
          ? response.header("Retry-After", Long.toString(e.retryAfterSeconds()))
          : response;
    }
  }

  @Produces
  @Singleton
  @Requires(classes = {InvalidFieldException.class, ExceptionHandler.class})
  public static class InvalidFields
      implements ExceptionHandler<InvalidFieldException, HttpResponse<Problem>> {
    @Override
    public HttpResponse<Problem> handle(HttpRequest request, InvalidFieldException e) {
      return Problem.response(
          HttpStatus.BAD_REQUEST, e.field() + " " + e.problem(), e.field(), request.getPath());
    }
  }

  /** The stores are being restored or rebalanced: try again shortly. */
  @Produces
  @Singleton
  @Requires(classes = {InvalidStateStoreException.class, ExceptionHandler.class})
  public static class StoresNotReady
      implements ExceptionHandler<InvalidStateStoreException, HttpResponse<Problem>> {
    @Override
    public HttpResponse<Problem> handle(HttpRequest request, InvalidStateStoreException e) {
      org.slf4j.LoggerFactory.getLogger(StoresNotReady.class)
          .debug("{}: stores not queryable: {}", request.getPath(), e.getMessage());
      return Problem.response(
              HttpStatus.SERVICE_UNAVAILABLE,
              "state is not queryable yet (starting or rebalancing); retry shortly",
              null,
              request.getPath())
          .header("Retry-After", "1");
    }
  }

  @Produces
  @Singleton
  @Requires(classes = {EventPublisher.PublishFailedException.class, ExceptionHandler.class})
  public static class PublishFailed
      implements ExceptionHandler<EventPublisher.PublishFailedException, HttpResponse<Problem>> {
    @Override
    public HttpResponse<Problem> handle(
        HttpRequest request, EventPublisher.PublishFailedException e) {
      return Problem.response(
              HttpStatus.SERVICE_UNAVAILABLE, e.getMessage(), null, request.getPath())
          .header("Retry-After", "1");
    }
  }
}
