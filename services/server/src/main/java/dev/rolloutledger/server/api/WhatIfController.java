package dev.rolloutledger.server.api;

import static dev.rolloutledger.server.auth.Permission.READ;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PlanTemplates;
import dev.rolloutledger.domain.sim.IncidentComparison;
import dev.rolloutledger.replay.LogException;
import dev.rolloutledger.replay.RolloutExport;
import dev.rolloutledger.replay.RolloutLogReader;
import dev.rolloutledger.replay.ScenarioJson;
import dev.rolloutledger.replay.WhatIf;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.LedgerSettings;
import dev.rolloutledger.server.auth.Allowed;
import dev.rolloutledger.server.kafka.KafkaBeans.InstalledTopics;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /api/v1/tenants/{tenant}/whatif}: a recorded rollout replayed under another plan or
 * policy, beside what happened ({@link WhatIf}, as {@code ledger replay --plan}), or an incident of
 * the library run under a plan beside how it historically went ({@link IncidentComparison}, as
 * {@code ledger incidents}). The rollout is one of the tenant's, exported from the journal here
 * ({@code "rollout": ID}), or an exported log the caller sends ({@code "log": TEXT}, at most the
 * server's request size); the incident is named ({@code "incident": NAME}, {@code GET /incidents}).
 * The plan is a template's name or a plan object, as at {@code POST /rollouts}. It changes nothing,
 * so a viewer may run it; one runs at a time per instance (429 with Retry-After otherwise), and an
 * incident's outcomes are cached ({@link WhatIfRuns}).
 */
@Controller("/api/v1/tenants/{tenant}/whatif")
@ExecuteOn(TaskExecutors.BLOCKING)
public class WhatIfController {
  static final Duration DEFAULT_HORIZON = Duration.ofDays(30);
  private static final Set<String> FIELDS =
      Set.of("rollout", "log", "incident", "plan", "policy", "horizon");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final InstalledTopics topics;
  private final SchemaRegistry registry;
  private final String applicationId;
  private final IncidentLibrary incidents;
  private final WhatIfRuns runs;

  public WhatIfController(
      InstalledTopics topics,
      SchemaRegistry registry,
      LedgerSettings settings,
      IncidentLibrary incidents,
      WhatIfRuns runs) {
    this.topics = topics;
    this.registry = registry;
    this.applicationId = settings.getStreams().getApplicationId();
    this.incidents = incidents;
    this.runs = runs;
  }

  @Post(consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
  @Allowed(READ)
  public HttpResponse<String> whatIf(@PathVariable String tenant, @Body String body) {
    Ids.require("tenant", tenant);
    JsonNode request = parse(body);
    String rollout = text(request, "rollout");
    String log = text(request, "log");
    String incident = text(request, "incident");
    int sources = (rollout == null ? 0 : 1) + (log == null ? 0 : 1) + (incident == null ? 0 : 1);
    if (sources != 1) {
      throw ApiProblemException.badField(
          sources == 0 ? "rollout" : incident != null ? "incident" : "log",
          "name one recorded rollout (\"rollout\"), send one exported log (\"log\") or name"
              + " one incident of the library (\"incident\")");
    }
    if (incident != null) {
      return incident(request, incident);
    }
    if (rollout != null) {
      Ids.require("rollout", rollout);
    }
    Plan plan = plan(request);
    OwnerPolicy policy = object(request, "policy", json -> ScenarioJson.policy(json, tenant));
    Duration horizon = horizon(text(request, "horizon"));
    return runs.exclusively(() -> replay(tenant, rollout, log, plan, policy, horizon));
  }

  /** An incident of the library under the plan (a template's name or an object; none: dba). */
  private HttpResponse<String> incident(JsonNode request, String name) {
    for (String field : List.of("policy", "horizon")) {
      if (request.hasNonNull(field)) {
        throw ApiProblemException.badField(
            field, "an incident runs with its own " + field + "; omit it");
      }
    }
    IncidentLibrary.Incident incident =
        incidents
            .named(name)
            .orElseThrow(
                () ->
                    ApiProblemException.badField(
                        "incident",
                        "no incident named '"
                            + name
                            + "' in the library; one of "
                            + String.join(", ", incidents.names())));
    JsonNode v = request.get("plan");
    String template =
        v == null || v.isNull() ? PlanTemplates.DEFAULT : v.isTextual() ? v.asText() : null;
    Plan plan = v == null || v.isNull() ? Plan.defaultPlan() : plan(request);
    return HttpResponse.ok(runs.incident(incident, template, plan));
  }

  /** {@code plan}: a template's name, a plan object, or absent (null). */
  private static Plan plan(JsonNode request) {
    JsonNode v = request.get("plan");
    if (v != null && v.isTextual()) {
      try {
        return PlanTemplates.require("plan", v.asText());
      } catch (InvalidFieldException e) {
        throw ApiProblemException.badField("plan", e.getMessage());
      }
    }
    if (v != null && !v.isNull() && !v.isObject()) {
      throw ApiProblemException.badField(
          "plan", "plan must be a template's name (GET /plans/templates) or a JSON object");
    }
    return object(request, "plan", json -> ScenarioJson.plan(json));
  }

  private HttpResponse<String> replay(
      String tenant, String rollout, String log, Plan plan, OwnerPolicy policy, Duration horizon) {
    Path file = null;
    try {
      byte[] logBytes;
      if (log != null) {
        logBytes = log.getBytes(StandardCharsets.UTF_8);
      } else {
        file = Files.createTempFile("whatif-", ".log");
        try (OutputStream out = Files.newOutputStream(file)) {
          RolloutExport.export(
              new RolloutExport.Source(topics.kafka(), registry, applicationId),
              tenant,
              rollout,
              out,
              (offset, end) -> {});
        }
        logBytes = null;
      }
      String logTenant;
      try (InputStream in = open(logBytes, file)) {
        logTenant = new RolloutLogReader(in).header().tenant();
      }
      if (!tenant.equals(logTenant)) {
        throw ApiProblemException.badField(
            "log", "the log is a rollout of another tenant than '" + tenant + "'");
      }
      WhatIf.Result result;
      try (InputStream in = open(logBytes, file)) {
        result = WhatIf.run(in, plan, policy, horizon, (elapsed, total) -> {});
      }
      return HttpResponse.ok(result.toJson());
    } catch (LogException e) {
      throw ApiProblemException.badField("log", e.getMessage());
    } catch (InvalidFieldException e) {
      throw ApiProblemException.badField(rollout != null ? "rollout" : "log", e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a temporary file
        }
      }
    }
  }

  private static InputStream open(byte[] bytes, Path file) throws IOException {
    return bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file);
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      throw ApiProblemException.badField("body", "a JSON object is required");
    }
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiProblemException.badField("body", "not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiProblemException.badField("body", "a JSON object is required");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw ApiProblemException.badField(field, "unknown field; expected one of " + FIELDS);
      }
    }
    return node;
  }

  private static String text(JsonNode request, String field) {
    JsonNode v = request.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw ApiProblemException.badField(field, field + " must be a string");
    }
    return v.asText();
  }

  private static <T> T object(
      JsonNode request, String field, java.util.function.Function<String, T> read) {
    JsonNode v = request.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw ApiProblemException.badField(field, field + " must be a JSON object");
    }
    try {
      return read.apply(v.toString());
    } catch (InvalidFieldException e) {
      throw ApiProblemException.badField(field + "." + e.field(), e.getMessage());
    } catch (RuntimeException e) {
      throw ApiProblemException.badField(field, e.getMessage());
    }
  }

  private static Duration horizon(String text) {
    if (text == null) {
      return DEFAULT_HORIZON;
    }
    try {
      Duration d = Duration.parse(text);
      if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(366)) > 0) {
        throw ApiProblemException.badField("horizon", "horizon must be in (PT0S, P366D]");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw ApiProblemException.badField("horizon", "an ISO-8601 duration such as P7D expected");
    }
  }
}
