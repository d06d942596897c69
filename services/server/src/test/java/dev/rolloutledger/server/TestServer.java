package dev.rolloutledger.server;

import static org.awaitility.Awaitility.await;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/** A real server (Micronaut, HTTP on a random loopback port) on the shared test broker. */
public final class TestServer implements AutoCloseable {
  private final ApplicationContext context;
  private final EmbeddedServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  public TestServer(String applicationId, Path stateDir) {
    this.context =
        ApplicationContext.run(
            Map.of(
                "micronaut.server.port",
                -1,
                "ledger.kafka.bootstrap-servers",
                TestKafka.bootstrapServers(),
                "ledger.streams.application-id",
                applicationId,
                "ledger.streams.state-dir",
                stateDir.toString(),
                "ledger.key-dir",
                stateDir.resolve("keys").toString()));
    this.server = context.getBean(EmbeddedServer.class).start();
    KafkaStreams streams = context.getBean(KafkaStreams.class);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> streams.state() == KafkaStreams.State.RUNNING);
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getPort() + path;
  }

  public <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  public HttpResponse<String> post(String path, String json) {
    return send(
        HttpRequest.newBuilder(URI.create(url(path)))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  public HttpResponse<String> put(String path, String json) {
    return send(
        HttpRequest.newBuilder(URI.create(url(path)))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET().build());
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    // the context (streams, producers) closes before the broker, or shutdown waits on it
    context.close();
  }
}
