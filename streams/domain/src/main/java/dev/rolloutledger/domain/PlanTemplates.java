package dev.rolloutledger.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Named plans an owner can use instead of writing one ({@code "plan": "NAME"} at {@code POST
 * /rollouts}, {@code ledger rollout create --plan NAME}), listed by {@code GET /plans/templates}
 * and {@code ledger plan templates}. Each is the practice of the operators the product is built
 * from; {@link #dba()} is the default plan.
 *
 * <p>Every template keeps the default settings ({@link Plan#DEFAULT_LIMITS}, heartbeat timeout,
 * alpha, beta, dispatch rate) and a failure fraction cap of 20% from the first failing host. Their
 * {@code emergencyCompression} is chosen so that an EMERGENCY release takes the same waves in a few
 * hours: {@value #COMPRESSION} turns a day of bake into 15 minutes, twelve days into three hours.
 */
public final class PlanTemplates {
  private PlanTemplates() {}

  /** The default plan's template. */
  public static final String DEFAULT = "dba";

  /**
   * The EMERGENCY compression of the day-long templates: 96 = the quarter hours of a day, so about
   * 12 days of NORMAL bake become about 3 hours.
   */
  public static final int COMPRESSION = 96;

  /** A named plan and what it is for. */
  public record Template(String name, String description, Plan plan) {}

  private static final List<Template> TEMPLATES =
      List.of(
          new Template(
              "dba",
              "The default. Devbox (env=dev) 1 day; staging (env=staging) and UAT (env=uat) 3 days"
                  + " each; two role=edge systems 1 day; then prod (env=prod) by criticality C, B,"
                  + " A (tier label), replicas before primaries, each in 3 batches; then the rest"
                  + " of prod. NORMAL 9 to 13 days, EMERGENCY 2 to 3 hours.",
              dba()),
          new Template(
              "patch-server",
              "Two prod hosts per branch (spread by the branch label) 2 days; the ring=pilot"
                  + " group 7 days; then prod (env=prod) in three daily batches. NORMAL 12 days,"
                  + " EMERGENCY 3 hours.",
              patchServer()),
          new Template(
              "classic",
              "The default plan before templates: dev, staging, two tier-C replicas, prod C, B, A"
                  + " replicas before primaries, then the rest of prod, with bakes of minutes"
                  + " to hours. NORMAL about 11 hours, EMERGENCY about 1 hour.",
              classic()));

  /** The templates' names, in listing order. */
  public static List<String> names() {
    return TEMPLATES.stream().map(Template::name).toList();
  }

  /** Every template, in listing order. */
  public static List<Template> all() {
    return TEMPLATES;
  }

  /** The plan of the template with this name (exact, lower case), if there is one. */
  public static Optional<Plan> named(String name) {
    return template(name).map(Template::plan);
  }

  /** The template with this name, if there is one. */
  public static Optional<Template> template(String name) {
    for (Template t : TEMPLATES) {
      if (t.name().equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /**
   * The template with this name, or an {@link InvalidFieldException} on {@code field} that lists
   * the known names: what every door answers to an unknown {@code "plan": "NAME"}.
   */
  public static Plan require(String field, String name) {
    return named(name)
        .orElseThrow(
            () ->
                new InvalidFieldException(
                    field,
                    "names no plan template: '"
                        + name
                        + "' is none of "
                        + String.join(", ", names())));
  }

  /**
   * A DBA's practice: devbox, then staging or UAT "for days without issues", then one or two edge
   * business systems, then criticality C, B, A with replicas before primaries, in batches.
   *
   * <pre>
   *   wave               selector                              bake  batches (batchBake)
   *   devbox             env=dev                               1 d
   *   staging            env=staging                           3 d
   *   uat                env=uat                               3 d
   *   edge               role=edge, hosts 2                    1 d
   *   prod-c-replicas    env=prod tier=C role=replica          8 h   3 (2 h)   = 12 h
   *   prod-c-primaries   env=prod tier=C role=primary          8 h   3 (2 h)   = 12 h
   *   prod-b-replicas    env=prod tier=B role=replica         12 h   3 (2 h)   = 16 h
   *   prod-b-primaries   env=prod tier=B role=primary         12 h   3 (2 h)   = 16 h
   *   prod-a-replicas    env=prod tier=A role=replica         12 h   3 (4 h)   = 20 h
   *   prod-a-primaries   env=prod tier=A role=primary         12 h   3 (4 h)   = 20 h
   *   prod-other         env=prod                              8 h
   * </pre>
   *
   * NORMAL: 8 days before prod with staging and UAT both populated (5 with one of them: an empty
   * wave passes at once) plus 104 h of prod = 296 h = 12.3 days (224 h = 9.3 days with one of
   * them). EMERGENCY divides by {@value #COMPRESSION}: 296 h / 96 = 3 h 5 min (2 h 20 min), a day
   * becoming 15 minutes.
   */
  public static Plan dba() {
    List<WavePlan> waves = new ArrayList<>();
    waves.add(wave("devbox", Map.of("env", "dev"), null, days(1)));
    waves.add(wave("staging", Map.of("env", "staging"), null, days(3)));
    waves.add(wave("uat", Map.of("env", "uat"), null, days(3)));
    waves.add(wave("edge", Map.of("role", "edge"), 2, days(1)));
    for (String tier : List.of("C", "B", "A")) {
      Duration bake = tier.equals("C") ? hours(8) : hours(12);
      Duration batchBake = tier.equals("A") ? hours(4) : hours(2);
      for (String role : List.of("replica", "primary")) {
        waves.add(wave(prodName(tier, role), prod(tier, role), null, bake).inBatches(3, batchBake));
      }
    }
    waves.add(wave("prod-other", Map.of("env", "prod"), null, hours(8)));
    return plan(waves, COMPRESSION);
  }

  /**
   * A securities firm's patch server: one or two machines per branch office for a day or two, a
   * large pilot group for a full week, then production in three waves, one a day.
   *
   * <pre>
   *   wave               selector                              bake  batches (batchBake)
   *   branch-canaries    env=prod, spread 2 per branch         2 d
   *   pilot              ring=pilot                            7 d
   *   production         env=prod                              1 d   3 (1 d)   = 3 d
   * </pre>
   *
   * NORMAL: 2 + 7 + 3 = 12 days. EMERGENCY divides by {@value #COMPRESSION}: 288 h / 96 = 3 h.
   */
  public static Plan patchServer() {
    List<WavePlan> waves = new ArrayList<>();
    waves.add(wave("branch-canaries", Map.of("env", "prod"), null, days(2)).spreadBy("branch", 2));
    waves.add(wave("pilot", Map.of("ring", "pilot"), null, days(7)));
    waves.add(wave("production", Map.of("env", "prod"), null, days(1)).inBatches(3, days(1)));
    return plan(waves, COMPRESSION);
  }

  /**
   * The default plan before templates: dev, staging, then prod from the least to the most critical
   * tier, replicas before primaries, the first prod wave small (two tier-C replicas); last, prod
   * hosts that carry no tier or role label. Bakes grow with criticality: 10 min, 30 min, 30 min, 1
   * h per tier-C and -B wave, 2 h for A and for the rest: 11 h 10 min in all; an EMERGENCY divides
   * by {@link Plan#DEFAULT_EMERGENCY_COMPRESSION} (67 min).
   */
  public static Plan classic() {
    List<WavePlan> waves = new ArrayList<>();
    waves.add(wave("dev", Map.of("env", "dev"), null, Duration.ofMinutes(10)));
    waves.add(wave("staging", Map.of("env", "staging"), null, Duration.ofMinutes(30)));
    waves.add(wave("prod-canary", prod("C", "replica"), 2, Duration.ofMinutes(30)));
    for (String tier : List.of("C", "B", "A")) {
      Duration bake = tier.equals("A") ? hours(2) : hours(1);
      for (String role : List.of("replica", "primary")) {
        waves.add(wave(prodName(tier, role), prod(tier, role), null, bake));
      }
    }
    waves.add(wave("prod-other", Map.of("env", "prod"), null, hours(2)));
    return plan(waves, Plan.DEFAULT_EMERGENCY_COMPRESSION);
  }

  /**
   * Default settings; heartbeat limits {@link Plan#DEFAULT_LIMITS}: a host that stays up with its
   * CPU pegged or one request in twenty failing is failing (the Cloudflare 2019 and Fastly 2021
   * shapes).
   */
  private static Plan plan(List<WavePlan> waves, int emergencyCompression) {
    return new Plan(
        waves,
        Plan.DEFAULT_HEARTBEAT_TIMEOUT,
        Plan.DEFAULT_ALPHA,
        Plan.DEFAULT_BETA,
        Plan.DEFAULT_TOLERATED_RATIO,
        Plan.DEFAULT_MAX_DISPATCH_PER_MINUTE,
        Plan.DEFAULT_LIMITS,
        emergencyCompression);
  }

  private static String prodName(String tier, String role) {
    return "prod-"
        + tier.toLowerCase(Locale.ROOT)
        + "-"
        + (role.equals("replica") ? "replicas" : "primaries");
  }

  private static Map<String, String> prod(String tier, String role) {
    return Map.of("env", "prod", "tier", tier, "role", role);
  }

  /** Failure fraction cap 20%, from the first failing host. */
  private static WavePlan wave(
      String name, Map<String, String> selector, Integer hosts, Duration bake) {
    return new WavePlan(name, selector, hosts, null, 0.2, 1, bake);
  }

  private static Duration days(int n) {
    return Duration.ofDays(n);
  }

  private static Duration hours(int n) {
    return Duration.ofHours(n);
  }
}
