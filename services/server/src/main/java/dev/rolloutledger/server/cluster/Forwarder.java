package dev.rolloutledger.server.cluster;

import dev.rolloutledger.schemas.tls.PemTrust;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Sends a request on to the instance that owns its tenant and relays the answer as it is (status,
 * body, the headers a client reads). The caller's token goes with it: the owner checks it again.
 */
@Singleton
public class Forwarder {
  /** Marks a forwarded request, so that it is never forwarded twice. */
  public static final String FORWARDED_BY = "X-Ledger-Forwarded-By";

  private static final List<String> REQUEST_HEADERS =
      List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE, HttpHeaders.ACCEPT);
  private static final List<String> RESPONSE_HEADERS =
      List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.LOCATION, HttpHeaders.RETRY_AFTER);

  private final Instances instances;
  private final HttpClient http;

  /**
   * {@code caCert}: with TLS on, the PEM certificate(s) the other instances' certificates are
   * checked against (the deployment's CA, or the self-signed certificate every instance shares);
   * empty: the JVM's trust store.
   */
  public Forwarder(Instances instances, @Value("${ledger.instance.ca-cert:}") String caCert) {
    this.instances = instances;
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2));
    if (caCert != null && !caCert.isBlank()) {
      b.sslContext(trusting(Path.of(caCert)));
    }
    this.http = b.build();
  }

  private static SSLContext trusting(Path pem) {
    try {
      return PemTrust.sslContext(pem);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          "ledger.instance.ca-cert / LEDGER_CA_CERT: " + e.getMessage());
    }
  }

  /** The owner could not be reached: it died, or it is not listening yet. */
  public static final class OwnerUnreachable extends Exception {
    OwnerUnreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public MutableHttpResponse<byte[]> forward(
      HttpRequest<?> request, @Nullable byte[] body, HostInfo owner) throws OwnerUnreachable {
    URI target =
        URI.create(
            instances.scheme()
                + "://"
                + owner.host()
                + ":"
                + owner.port()
                + request.getUri().getRawPath()
                + (request.getUri().getRawQuery() == null
                    ? ""
                    : "?" + request.getUri().getRawQuery()));
    java.net.http.HttpRequest.Builder b =
        java.net.http.HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30));
    for (String name : REQUEST_HEADERS) {
      request.getHeaders().getFirst(name).ifPresent(v -> b.header(name, v));
    }
    b.header(FORWARDED_BY, instances.applicationServer().orElse("unknown"));
    b.method(
        request.getMethodName(),
        body == null || body.length == 0
            ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
    java.net.http.HttpResponse<byte[]> answer;
    try {
      answer = http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new OwnerUnreachable(owner.host() + ":" + owner.port() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OwnerUnreachable("interrupted", e);
    }
    MutableHttpResponse<byte[]> out = HttpResponse.status(HttpStatus.valueOf(answer.statusCode()));
    for (String name : RESPONSE_HEADERS) {
      answer.headers().firstValue(name).ifPresent(v -> out.header(name, v));
    }
    answer.headers().firstValue(HttpHeaders.CONTENT_TYPE).ifPresent(out::contentType);
    return answer.body().length == 0 ? out : out.body(answer.body());
  }
}
