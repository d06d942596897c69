package dev.rolloutledger.server;

import static org.awaitility.Awaitility.await;

import dev.rolloutledger.server.auth.Role;
import dev.rolloutledger.server.auth.TokenStore;
import io.micronaut.context.ApplicationContext;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A real server (Micronaut, HTTP on a random loopback port) on the shared test broker, or on the
 * one {@code ledger.kafka.bootstrap-servers} names.
 */
public final class TestServer implements AutoCloseable {
  private final ApplicationContext context;
  private final EmbeddedServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  public TestServer(String applicationId, Path stateDir) {
    this(applicationId, stateDir, Map.of());
  }

  /** {@code settings} add to or override the test defaults (no bootstrap token by default). */
  public TestServer(String applicationId, Path stateDir, Map<String, Object> settings) {
    Map<String, Object> properties = new HashMap<>();
    properties.put("micronaut.server.port", -1);
    if (!settings.containsKey("ledger.kafka.bootstrap-servers")) {
      properties.put("ledger.kafka.bootstrap-servers", TestKafka.bootstrapServers());
    }
    properties.put("ledger.streams.application-id", applicationId);
    properties.put("ledger.streams.state-dir", stateDir.toString());
    properties.put("ledger.key-dir", stateDir.resolve("keys").toString());
    properties.put("ledger.auth.bootstrap-tenant", "");
    properties.putAll(settings);
    this.context = ApplicationContext.builder().properties(properties).build();
    try {
      context.start();
      this.server = context.getBean(EmbeddedServer.class).start();
    } catch (RuntimeException e) {
      context.close(); // no producer left retrying a broker the test has closed
      throw e;
    }
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

  /**
   * A new token of {@code tenant} with {@code role} (agents: bound to {@code host}); its secret.
   */
  public String token(String tenant, Role role, @Nullable String host) {
    String name = role.id() + "-" + UUID.randomUUID().toString().substring(0, 8);
    return bean(TokenStore.class).create(tenant, name, role, host).secret();
  }

  public String token(String tenant, Role role) {
    return token(tenant, role, null);
  }

  public HttpResponse<String> post(String token, String path, String json) {
    return send("POST", token, path, json);
  }

  public HttpResponse<String> put(String token, String path, String json) {
    return send("PUT", token, path, json);
  }

  public HttpResponse<String> get(String token, String path) {
    return send("GET", token, path, null);
  }

  /** Without a token: /health, or to see the API refuse. */
  public HttpResponse<String> get(String path) {
    return send("GET", null, path, null);
  }

  /** Any method; {@code token} and {@code json} may be null (no Authorization, no body). */
  public HttpResponse<String> send(
      String method, @Nullable String token, String path, @Nullable String json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(
        method,
        json == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json));
    return send(b.build());
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

  /**
   * Hosts of {@code tenant} in the engine's hosts store (interactive query): registrations and a
   * plan come through different topics, so a test that plans right after registering awaits this.
   */
  public int hostsKnown(String tenant) {
    org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, Object> hosts =
        bean(KafkaStreams.class)
            .store(
                org.apache.kafka.streams.StoreQueryParameters.fromNameAndType(
                    dev.rolloutledger.topology.LedgerTopology.HOSTS_STORE,
                    org.apache.kafka.streams.state.QueryableStoreTypes.keyValueStore()));
    int n = 0;
    try (org.apache.kafka.streams.state.KeyValueIterator<String, Object> it =
        hosts.prefixScan(
            dev.rolloutledger.topology.StoreKeys.tenantPrefix(tenant),
            new org.apache.kafka.common.serialization.StringSerializer())) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  /**
   * The hosts' agents beat once (release {@code cf-290}) and the engine has heard them: a host
   * never heard from is sent no Apply (journals of version 5), and the heartbeat and a plan come
   * through different topics, so a test that plans right after awaits this. {@code token} needs the
   * telemetry and read permissions (operator, admin).
   */
  public void reachable(String token, String tenant, String... hosts) {
    StringBuilder items = new StringBuilder("[");
    for (String h : hosts) {
      if (items.length() > 1) {
        items.append(',');
      }
      items.append(
          "{\"type\": \"heartbeat\", \"host\": \"%s\", \"release\": \"cf-290\"}".formatted(h));
    }
    String base = "/api/v1/tenants/" + tenant;
    HttpResponse<String> posted = post(token, base + "/telemetry", items.append(']').toString());
    if (posted.statusCode() != 202) {
      throw new AssertionError("heartbeats refused: " + posted.statusCode() + " " + posted.body());
    }
    java.util.Set<String> wanted = java.util.Set.of(hosts);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(
            () -> {
              java.util.Set<String> alive = new java.util.HashSet<>();
              String after = null;
              do {
                String page = base + "/hosts?liveness=alive&limit=1000";
                HttpResponse<String> r =
                    get(token, after == null ? page : page + "&after=" + after);
                if (r.statusCode() != 200) {
                  // 503 while the tenant's state moves between instances: asked again
                  return false;
                }
                com.fasterxml.jackson.databind.JsonNode body =
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
                body.get("hosts").forEach(h -> alive.add(h.get("host").asText()));
                after = body.get("next").isNull() ? null : body.get("next").asText();
              } while (after != null);
              return alive.containsAll(wanted);
            });
  }
}
