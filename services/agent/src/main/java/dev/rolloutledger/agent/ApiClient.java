package dev.rolloutledger.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.schemas.tls.PemTrust;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * A small client of the Rollout Ledger HTTP API, shared by {@code ledger agent} and the operator
 * commands of the CLI: bearer token, JSON in and out, and an error that carries the server's
 * problem detail (status, detail, field) instead of a stack trace.
 */
public final class ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI server;
  private final String token;
  private final HttpClient http;
  private final Path caCert;

  /** The environment variable naming the PEM file of the CA (or certificate) to trust. */
  public static final String CA_CERT_ENV = "LEDGER_CA_CERT";

  /** The API answered with an error status; {@link #getMessage()} is its problem detail. */
  public static final class ApiException extends IOException {
    private final int status;
    private final String field;

    ApiException(int status, String detail, String field) {
      super(detail);
      this.status = status;
      this.field = field;
    }

    public int status() {
      return status;
    }

    /** The field the server named, or null. */
    public String field() {
      return field;
    }
  }

  /**
   * A client of {@code server}; an {@code https://} server is trusted by the certificates in the
   * PEM file {@code LEDGER_CA_CERT} names, or by the JVM's default trust store when it is unset.
   */
  public ApiClient(URI server, String token) {
    this(server, token, caCertFromEnvironment());
  }

  /**
   * A client of {@code server} that trusts, for {@code https://}, exactly the certificates in the
   * PEM file {@code caCert} (a CA, or the server's self-signed certificate), or the JVM's default
   * trust store when {@code caCert} is null. The host name is always verified against the
   * certificate: there is no way to trust every server.
   */
  public ApiClient(URI server, String token, Path caCert) {
    String scheme = server.getScheme() == null ? "" : server.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "the server URL must start with http:// or https://, not: " + server);
    }
    this.server = server;
    this.token = token;
    this.caCert = caCert;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (caCert != null) {
      builder.sslContext(trusting(caCert));
    }
    this.http = builder.build();
  }

  /** The PEM file named by {@code LEDGER_CA_CERT}, or null. */
  public static Path caCertFromEnvironment() {
    String env = System.getenv(CA_CERT_ENV);
    return env == null || env.isBlank() ? null : Path.of(env.strip());
  }

  /** An SSL context that trusts exactly the certificates in the PEM file {@code caCert}. */
  public static SSLContext trusting(Path caCert) {
    return PemTrust.sslContext(caCert);
  }

  public URI server() {
    return server;
  }

  public JsonNode get(String path, Duration timeout) throws IOException, InterruptedException {
    return send("GET", path, null, timeout);
  }

  public JsonNode post(String path, Object body) throws IOException, InterruptedException {
    return send("POST", path, body, Duration.ofSeconds(30));
  }

  public JsonNode put(String path, Object body) throws IOException, InterruptedException {
    return send("PUT", path, body, Duration.ofSeconds(30));
  }

  public JsonNode delete(String path) throws IOException, InterruptedException {
    return send("DELETE", path, null, Duration.ofSeconds(30));
  }

  /** {@code body}: a JsonNode, a String of JSON, or any object Jackson writes. */
  public JsonNode send(String method, String path, Object body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.resolve(path))
            .timeout(timeout)
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json");
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      String json = body instanceof String s ? s : JSON.writeValueAsString(body);
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json));
    }
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.net.ConnectException e) {
      throw new IOException("cannot reach " + server + " (is the server up? ./ledger up)", e);
    } catch (SSLHandshakeException e) {
      throw new IOException(
          "the TLS handshake with "
              + server
              + " failed: "
              + e.getMessage()
              + (caCert == null
                  ? " (a self-signed or private CA certificate? give its PEM with --ca-cert or "
                      + CA_CERT_ENV
                      + ")"
                  : " (is " + caCert + " the certificate of this server, issued for this host?)"),
          e);
    }
    JsonNode node = r.body().isBlank() ? JSON.nullNode() : parse(r);
    if (r.statusCode() >= 400) {
      String detail = node.path("detail").asText("");
      String field = node.hasNonNull("field") ? node.get("field").asText() : null;
      throw new ApiException(
          r.statusCode(),
          "HTTP "
              + r.statusCode()
              + " "
              + method
              + " "
              + path
              + (detail.isEmpty() ? "" : ": " + detail),
          field);
    }
    return node;
  }

  private static JsonNode parse(HttpResponse<String> r) throws IOException {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IOException(
          "HTTP " + r.statusCode() + ": the answer is not JSON: " + abbreviate(r.body()), e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
