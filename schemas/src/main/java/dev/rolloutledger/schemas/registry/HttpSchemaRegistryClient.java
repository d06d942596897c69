package dev.rolloutledger.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.schemas.compat.Compatibility;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Client of a Confluent-compatible registry over its REST API (Confluent Schema Registry,
 * Apicurio's {@code /apis/ccompat/v7}, Redpanda). Ids and schemas are cached: a schema id never
 * changes its meaning. Credentials given as {@code user:password} go in a Basic header and are
 * never logged or put in exception messages.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistry {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final Optional<String> authorization;
  private final HttpClient http;
  private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
  private final Map<String, Integer> idBySubjectAndSchema = new ConcurrentHashMap<>();

  /**
   * @param baseUrl e.g. {@code http://127.0.0.1:8081} or {@code http://apicurio/apis/ccompat/v7}
   * @param basicCredentials {@code user:password}, or null
   */
  public HttpSchemaRegistryClient(String baseUrl, String basicCredentials) {
    this(
        baseUrl,
        Optional.ofNullable(basicCredentials)
            .filter(c -> !c.isBlank())
            .map(
                c ->
                    "Basic "
                        + Base64.getEncoder().encodeToString(c.getBytes(StandardCharsets.UTF_8))));
  }

  private HttpSchemaRegistryClient(String baseUrl, Optional<String> authorization) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.authorization = authorization;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  /**
   * A client that sends {@code Authorization: Bearer <token>}, e.g. a Rollout Ledger API token to
   * the server's {@code /registry}.
   */
  public static HttpSchemaRegistryClient withBearerToken(String baseUrl, String token) {
    return new HttpSchemaRegistryClient(baseUrl, Optional.of("Bearer " + token));
  }

  @Override
  public int register(String subject, Schema schema) {
    String cacheKey = subject + "\u0000" + schema;
    Integer cached = idBySubjectAndSchema.get(cacheKey);
    if (cached != null) {
      return cached;
    }
    JsonNode body = call("POST", "/subjects/" + enc(subject) + "/versions", schemaBody(schema));
    int id = body.get("id").asInt();
    schemaById.putIfAbsent(id, schema);
    idBySubjectAndSchema.put(cacheKey, id);
    return id;
  }

  @Override
  public Schema byId(int id) {
    return schemaById.computeIfAbsent(
        id, i -> parse(call("GET", "/schemas/ids/" + i, null).get("schema").asText()));
  }

  @Override
  public Optional<RegisteredSchema> latest(String subject) {
    return getVersion(subject, "latest");
  }

  @Override
  public Optional<RegisteredSchema> version(String subject, int version) {
    return getVersion(subject, Integer.toString(version));
  }

  @Override
  public List<String> compatibilityProblems(String subject, Schema schema) {
    JsonNode body;
    try {
      body =
          call(
              "POST",
              "/compatibility/subjects/" + enc(subject) + "/versions/latest?verbose=true",
              schemaBody(schema));
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
          || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
        return List.of(); // a new subject accepts any schema
      }
      throw e;
    }
    if (body.path("is_compatible").asBoolean(false)) {
      return List.of();
    }
    List<String> messages = new ArrayList<>();
    body.path("messages").forEach(m -> messages.add(m.asText()));
    return messages.isEmpty() ? List.of("registry reports the schema is incompatible") : messages;
  }

  @Override
  public List<String> subjects() {
    return subjects(false);
  }

  @Override
  public List<Integer> versions(String subject) {
    return versions(subject, false);
  }

  @Override
  public Compatibility.Level level() {
    try {
      String level = call("GET", "/config", null).path("compatibilityLevel").asText("BACKWARD");
      return Compatibility.Level.valueOf(level.replace("_TRANSITIVE", ""));
    } catch (IllegalArgumentException e) {
      return Compatibility.Level.BACKWARD;
    }
  }

  @Override
  public Optional<RegisteredSchema> version(String subject, int version, boolean includeDeleted) {
    return getVersion(subject, version + (includeDeleted ? "?deleted=true" : ""));
  }

  @Override
  public Optional<RegisteredSchema> lookup(String subject, Schema schema, boolean includeDeleted) {
    try {
      JsonNode body =
          call(
              "POST",
              "/subjects/" + enc(subject) + (includeDeleted ? "?deleted=true" : ""),
              schemaBody(schema));
      int id = body.get("id").asInt();
      schemaById.putIfAbsent(id, schema);
      return Optional.of(new RegisteredSchema(subject, body.get("version").asInt(), id, schema));
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
          || e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public List<String> subjects(boolean includeDeleted) {
    List<String> out = new ArrayList<>();
    call("GET", "/subjects" + (includeDeleted ? "?deleted=true" : ""), null)
        .forEach(n -> out.add(n.asText()));
    return out.stream().sorted().toList();
  }

  @Override
  public List<Integer> versions(String subject, boolean includeDeleted) {
    try {
      List<Integer> out = new ArrayList<>();
      call(
              "GET",
              "/subjects/" + enc(subject) + "/versions" + (includeDeleted ? "?deleted=true" : ""),
              null)
          .forEach(n -> out.add(n.asInt()));
      return out;
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND) {
        return List.of();
      }
      throw e;
    }
  }

  @Override
  public List<RegisteredSchema> usages(int id, boolean includeDeleted) {
    JsonNode body;
    try {
      body =
          call(
              "GET",
              "/schemas/ids/" + id + "/versions" + (includeDeleted ? "?deleted=true" : ""),
              null);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
        return List.of();
      }
      throw e;
    }
    Schema schema = byId(id);
    List<RegisteredSchema> out = new ArrayList<>();
    body.forEach(
        n ->
            out.add(
                new RegisteredSchema(
                    n.get("subject").asText(), n.get("version").asInt(), id, schema)));
    return out;
  }

  @Override
  public int deleteVersion(String subject, int version) {
    idBySubjectAndSchema.keySet().removeIf(k -> k.startsWith(subject + "\u0000"));
    return call("DELETE", "/subjects/" + enc(subject) + "/versions/" + version, null).asInt();
  }

  private Optional<RegisteredSchema> getVersion(String subject, String version) {
    try {
      JsonNode body = call("GET", "/subjects/" + enc(subject) + "/versions/" + version, null);
      int id = body.get("id").asInt();
      Schema schema = schemaById.computeIfAbsent(id, i -> parse(body.get("schema").asText()));
      return Optional.of(new RegisteredSchema(subject, body.get("version").asInt(), id, schema));
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
          || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private JsonNode call(String method, String path, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(30))
            .header("Accept", CONTENT_TYPE + ", application/json");
    authorization.ifPresent(a -> request.header("Authorization", a));
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", CONTENT_TYPE);
      request.method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new SchemaRegistryException(
          SchemaRegistryException.UNAVAILABLE,
          "schema registry unreachable: " + method + " " + path,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException(SchemaRegistryException.UNAVAILABLE, "interrupted", e);
    }
    JsonNode json;
    try {
      json = response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new SchemaRegistryException(
          SchemaRegistryException.UNAVAILABLE,
          "schema registry answered " + response.statusCode() + " with a body that is not JSON",
          e);
    }
    if (response.statusCode() >= 300) {
      int code = json.path("error_code").asInt(response.statusCode());
      String message = json.path("message").asText("HTTP " + response.statusCode());
      throw new SchemaRegistryException(code, message);
    }
    return json;
  }

  private static String schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString()).toString();
  }

  private static Schema parse(String schema) {
    return new Schema.Parser().parse(schema);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
