package dev.rolloutledger.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.avro.MaintenanceWindowSpec;
import dev.rolloutledger.avro.OwnerPolicySpec;
import dev.rolloutledger.avro.TrustedPublisherSpec;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PlanTemplates;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.Spread;
import dev.rolloutledger.domain.WavePlan;
import dev.rolloutledger.domain.sim.Scenario;
import dev.rolloutledger.domain.sim.Simulator;
import dev.rolloutledger.topology.AvroMapper;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a simulation scenario, a plan and an owner's policy from JSON (the shapes of
 * docs/simulation.md and of the HTTP API). Every refusal is an {@link InvalidFieldException} naming
 * the field by its path, e.g. {@code behavior.failDelay.p95} or {@code plan.waves[2].bake}; a field
 * the format does not know is refused too, so that a typo never silently falls back to a default.
 */
public final class ScenarioJson {
  private ScenarioJson() {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Defaults of the optional behaviour fields. */
  static final String DEFAULT_BACKGROUND_OUTAGE = "PT10M";

  public static Scenario scenario(String json) {
    return scenario(json, PlanTemplates::named);
  }

  /**
   * {@link #scenario(String)} with plan templates found by {@code templates}: {@code "plan":
   * "NAME"} is {@code templates.apply(NAME)}, and a name it does not know is refused.
   */
  static Scenario scenario(String json, Function<String, Optional<Plan>> templates) {
    JsonNode root = parse(json);
    Obj s = new Obj(root, "");
    s.only(
        "name",
        "seed",
        "horizon",
        "fleet",
        "release",
        "behavior",
        "policy",
        "plan",
        "historical",
        "approvals",
        "description");
    Obj fleet = s.obj("fleet");
    fleet.only("hosts", "heartbeatInterval", "labels", "liveness", "detectorDelay", "offline");
    Liveness liveness =
        Liveness.parse(fleet.path("liveness"), fleet.text("liveness", "heartbeats"));
    if (s.has("plan") && s.node.get("plan").isObject() && s.obj("plan").has("liveness")) {
      Obj plan = s.obj("plan");
      if (Liveness.parse(plan.path("liveness"), plan.text("liveness", null)) != liveness) {
        throw new InvalidFieldException(
            plan.path("liveness"),
            "must be fleet.liveness ('"
                + liveness.wireName()
                + "'): the plan judges what the fleet sends");
      }
    }
    Obj release = s.obj("release");
    release.only("id", "severity");
    Obj behavior = s.obj("behavior");
    behavior.only(
        "failProbability",
        "failDelay",
        "silentFraction",
        "hotFraction",
        "recoverAfter",
        "backgroundFailurePerHostHour",
        "backgroundOutage",
        "shocks",
        "regressionRatio",
        "diesBeforeReport");
    Obj delay =
        behavior.has("failDelay")
            ? behavior.obj("failDelay")
            : new Obj(MAPPER.createObjectNode(), "behavior.failDelay.");
    delay.only("median", "p95");

    List<Scenario.Shock> shocks =
        behavior.list(
            "shocks",
            shock -> {
              shock.only("at", "duration", "selector", "fraction");
              return new Scenario.Shock(
                  shock.duration("at", null),
                  shock.duration("duration", null),
                  shock.strings("selector"),
                  shock.number("fraction", null));
            });
    Scenario.Behavior b =
        new Scenario.Behavior(
            behavior.number("failProbability", 0.0),
            delay.duration("median", "PT0S"),
            delay.duration("p95", "PT0S"),
            behavior.number("silentFraction", 0.0),
            behavior.number("hotFraction", 0.0),
            behavior.has("recoverAfter") ? behavior.duration("recoverAfter", null) : null,
            behavior.number("backgroundFailurePerHostHour", 0.0),
            behavior.duration("backgroundOutage", DEFAULT_BACKGROUND_OUTAGE),
            shocks,
            behavior.number("regressionRatio", 1.0),
            behavior.number("diesBeforeReport", 0.0));
    Scenario.Historical historical = s.has("historical") ? historical(s.obj("historical")) : null;
    List<Scenario.Approval> approvals =
        s.list(
            "approvals",
            a -> {
              a.only("wave", "at");
              return new Scenario.Approval(a.text("wave", null), a.duration("at", null));
            });
    return s.within(
        () ->
            new Scenario(
                s.text("name", null),
                s.integer("seed", 1L),
                s.duration("horizon", "P14D"),
                new Scenario.Fleet(
                    (int) fleet.integer("hosts", null),
                    fleet.duration("heartbeatInterval", "PT10S"),
                    labels(fleet),
                    liveness,
                    fleet.has("detectorDelay") ? fleet.duration("detectorDelay", null) : null,
                    fleet.has("offline") ? offline(fleet.obj("offline")) : null),
                new Scenario.Release(
                    release.text("id", null),
                    severity(release.path("severity"), release.text("severity", "NORMAL"))),
                b,
                s.has("policy") ? policy(s.obj("policy"), Simulator.TENANT) : null,
                s.has("plan") ? scenarioPlan(s, templates) : null,
                historical,
                approvals));
  }

  /** {@code fleet.offline}: {@code fraction}, and {@code back} ({@code median}, {@code p95}). */
  private static Scenario.Offline offline(Obj o) {
    o.only("fraction", "back");
    if (!o.has("back")) {
      return o.within(() -> new Scenario.Offline(o.number("fraction", null)));
    }
    Obj back = o.obj("back");
    back.only("median", "p95");
    return o.within(
        () ->
            new Scenario.Offline(
                o.number("fraction", null),
                back.duration("median", null),
                back.duration("p95", null)));
  }

  /** The scenario's plan: an object, or the name of a plan template. */
  private static Plan scenarioPlan(Obj s, Function<String, Optional<Plan>> templates) {
    if (!s.node.get("plan").isTextual()) {
      return plan(s.obj("plan"));
    }
    String name = s.text("plan", null);
    return templates
        .apply(name)
        .orElseThrow(
            () ->
                new InvalidFieldException(
                    s.path("plan"),
                    "must be a plan object or the name of a plan template: '"
                        + name
                        + "' is none of "
                        + String.join(", ", PlanTemplates.names())));
  }

  private static Scenario.Historical historical(Obj h) {
    h.only("propagation");
    return new Scenario.Historical(h.duration("propagation", null));
  }

  /**
   * A plan on its own (e.g. {@code ledger replay --plan PLAN.json}); fields named from the root.
   */
  public static Plan plan(String json) {
    return plan(new Obj(parse(json), ""));
  }

  /**
   * An owner's policy on its own, for {@code tenant}. Its fields: pin, paused, windows (days,
   * start, end), delay, allowedPublishers, by.
   */
  public static OwnerPolicy policy(String json, String tenant) {
    return policy(new Obj(parse(json), ""), tenant);
  }

  private static Plan plan(Obj p) {
    p.only(
        "waves",
        "heartbeatTimeout",
        "alpha",
        "beta",
        "toleratedRatio",
        "maxDispatchPerMinute",
        "limits",
        "emergencyCompression",
        "liveness",
        "maxUnreachableFraction");
    List<WavePlan> waves =
        p.list(
            "waves",
            w -> {
              w.only(
                  "name",
                  "selector",
                  "hosts",
                  "percent",
                  "maxCrashFraction",
                  "minCrashes",
                  "bake",
                  "approval",
                  "maxFailureRate",
                  "batches",
                  "batchSize",
                  "batchBake",
                  "spread");
              return w.within(
                  () ->
                      new WavePlan(
                          w.text("name", null),
                          w.strings("selector"),
                          w.has("hosts") ? (int) w.integer("hosts", null) : null,
                          w.has("percent") ? (int) w.integer("percent", null) : null,
                          w.number("maxCrashFraction", 0.2),
                          (int) w.integer("minCrashes", 1L),
                          w.duration("bake", "PT5M"),
                          w.bool("approval", false),
                          w.has("maxFailureRate") ? w.number("maxFailureRate", null) : null,
                          w.has("batches") ? (int) w.integer("batches", null) : null,
                          w.has("batchSize") ? (int) w.integer("batchSize", null) : null,
                          w.duration("batchBake", "PT0S"),
                          w.has("spread") ? spread(w.obj("spread")) : null));
            });
    if (!p.has("waves")) {
      throw new InvalidFieldException(p.path("waves"), "must be set");
    }
    Map<String, Double> limits = new LinkedHashMap<>();
    if (p.has("limits")) {
      Obj l = p.obj("limits");
      for (String key : l.keys()) {
        limits.put(key, l.number(key, null));
      }
    }
    return p.within(
        () ->
            new Plan(
                waves,
                p.duration("heartbeatTimeout", Plan.DEFAULT_HEARTBEAT_TIMEOUT.toString()),
                p.number("alpha", Plan.DEFAULT_ALPHA),
                p.number("beta", Plan.DEFAULT_BETA),
                p.number("toleratedRatio", Plan.DEFAULT_TOLERATED_RATIO),
                (int)
                    p.integer("maxDispatchPerMinute", (long) Plan.DEFAULT_MAX_DISPATCH_PER_MINUTE),
                limits,
                (int) p.integer("emergencyCompression", (long) Plan.DEFAULT_EMERGENCY_COMPRESSION),
                Liveness.parse(p.path("liveness"), p.text("liveness", "heartbeats")),
                p.number("maxUnreachableFraction", Plan.DEFAULT_MAX_UNREACHABLE_FRACTION)));
  }

  /** A wave's {@code spread}: {@code by} (a label) and {@code hosts} per value of it. */
  private static Spread spread(Obj spread) {
    spread.only("by", "hosts");
    return spread.within(
        () -> new Spread(spread.text("by", null), (int) spread.integer("hosts", null)));
  }

  private static OwnerPolicy policy(Obj p, String tenant) {
    p.only("pin", "paused", "windows", "delay", "allowedPublishers", "by", "trustedPublishers");
    List<MaintenanceWindowSpec> windows =
        p.list(
            "windows",
            w -> {
              w.only("days", "start", "end", "zone");
              return new MaintenanceWindowSpec(
                  w.texts("days"),
                  w.text("start", null),
                  w.text("end", null),
                  w.text("zone", "UTC"));
            });
    OwnerPolicySpec spec =
        OwnerPolicySpec.newBuilder()
            .setPin(p.has("pin") ? p.text("pin", null) : null)
            .setPaused(p.bool("paused", false))
            .setWindows(windows)
            .setDelay(p.text("delay", "PT0S"))
            .setAllowedPublishers(p.texts("allowedPublishers"))
            .setBy(p.text("by", "owner"))
            .setTrustedPublishers(
                p.list(
                    "trustedPublishers",
                    t -> {
                      t.only("name", "publicKey");
                      return new TrustedPublisherSpec(
                          t.text("name", null), t.text("publicKey", null));
                    }))
            .build();
    // the same validation as PUT /policy, naming the field
    return p.within(() -> AvroMapper.policy(tenant, spec));
  }

  private static Map<String, Map<String, Double>> labels(Obj fleet) {
    Map<String, Map<String, Double>> labels = new LinkedHashMap<>();
    if (fleet.has("labels")) {
      Obj all = fleet.obj("labels");
      for (String label : all.keys()) {
        Obj shares = all.obj(label);
        Map<String, Double> m = new LinkedHashMap<>();
        for (String value : shares.keys()) {
          m.put(value, shares.number(value, null));
        }
        labels.put(label, m);
      }
    }
    return labels;
  }

  private static Severity severity(String field, String value) {
    try {
      return Severity.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidFieldException(field, "must be NORMAL or EMERGENCY");
    }
  }

  private static JsonNode parse(String json) {
    try {
      JsonNode root = MAPPER.readTree(json);
      if (root == null || !root.isObject()) {
        throw new InvalidFieldException("(root)", "must be a JSON object");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new InvalidFieldException(
          "(json)",
          "is not valid JSON at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ": "
              + e.getOriginalMessage());
    }
  }

  /** A JSON object at a path, with typed getters that name the field they refuse. */
  private static final class Obj {
    final JsonNode node;
    final String prefix;

    Obj(JsonNode node, String prefix) {
      this.node = node;
      this.prefix = prefix;
    }

    String path(String field) {
      return prefix + field;
    }

    boolean has(String field) {
      return node.has(field) && !node.get(field).isNull();
    }

    Iterable<String> keys() {
      List<String> keys = new ArrayList<>();
      node.fieldNames().forEachRemaining(keys::add);
      return keys;
    }

    void only(String... fields) {
      Set<String> known = Set.of(fields);
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!known.contains(f)) {
          throw new InvalidFieldException(path(f), "is not a known field (known: " + known + ")");
        }
      }
    }

    Obj obj(String field) {
      JsonNode n = node.get(field);
      if (n == null || n.isNull()) {
        throw new InvalidFieldException(path(field), "must be set");
      }
      if (!n.isObject()) {
        throw new InvalidFieldException(path(field), "must be an object");
      }
      return new Obj(n, path(field) + ".");
    }

    <T> List<T> list(String field, Function<Obj, T> item) {
      List<T> out = new ArrayList<>();
      if (!has(field)) {
        return out;
      }
      JsonNode n = node.get(field);
      if (!n.isArray()) {
        throw new InvalidFieldException(path(field), "must be an array");
      }
      for (int i = 0; i < n.size(); i++) {
        String at = path(field) + "[" + i + "]";
        if (!n.get(i).isObject()) {
          throw new InvalidFieldException(at, "must be an object");
        }
        out.add(item.apply(new Obj(n.get(i), at + ".")));
      }
      return out;
    }

    String text(String field, String fallback) {
      if (!has(field)) {
        return required(field, fallback);
      }
      JsonNode n = node.get(field);
      if (!n.isTextual()) {
        throw new InvalidFieldException(path(field), "must be a string");
      }
      return n.asText();
    }

    double number(String field, Double fallback) {
      if (!has(field)) {
        return required(field, fallback);
      }
      JsonNode n = node.get(field);
      if (!n.isNumber()) {
        throw new InvalidFieldException(path(field), "must be a number");
      }
      return n.asDouble();
    }

    long integer(String field, Long fallback) {
      if (!has(field)) {
        return required(field, fallback);
      }
      JsonNode n = node.get(field);
      if (!n.isIntegralNumber() || !n.canConvertToInt()) {
        throw new InvalidFieldException(path(field), "must be an integer");
      }
      return n.asLong();
    }

    boolean bool(String field, boolean fallback) {
      if (!has(field)) {
        return fallback;
      }
      JsonNode n = node.get(field);
      if (!n.isBoolean()) {
        throw new InvalidFieldException(path(field), "must be true or false");
      }
      return n.asBoolean();
    }

    Duration duration(String field, String fallback) {
      String iso = has(field) ? text(field, null) : fallback;
      if (iso == null) {
        return required(field, null);
      }
      try {
        return Duration.parse(iso);
      } catch (DateTimeParseException e) {
        // days as P14D are durations too
        throw new InvalidFieldException(
            path(field), "must be an ISO-8601 duration such as PT30S or P14D, not '" + iso + "'");
      }
    }

    List<String> texts(String field) {
      List<String> out = new ArrayList<>();
      if (has(field)) {
        JsonNode n = node.get(field);
        if (!n.isArray()) {
          throw new InvalidFieldException(path(field), "must be an array of strings");
        }
        for (int i = 0; i < n.size(); i++) {
          if (!n.get(i).isTextual()) {
            throw new InvalidFieldException(path(field) + "[" + i + "]", "must be a string");
          }
          out.add(n.get(i).asText());
        }
      }
      return out;
    }

    Map<String, String> strings(String field) {
      Map<String, String> m = new LinkedHashMap<>();
      if (has(field)) {
        Obj o = obj(field);
        for (String key : o.keys()) {
          m.put(key, o.text(key, null));
        }
      }
      return m;
    }

    private <T> T required(String field, T fallback) {
      if (fallback == null) {
        throw new InvalidFieldException(path(field), "must be set");
      }
      return fallback;
    }

    /** Runs a domain constructor, naming its refused field under this object's path. */
    <T> T within(java.util.function.Supplier<T> build) {
      try {
        return build.get();
      } catch (InvalidFieldException e) {
        if (e.field().startsWith(prefix) || prefix.isEmpty()) {
          throw e;
        }
        throw e.within(prefix.substring(0, prefix.length() - 1));
      }
    }
  }
}
