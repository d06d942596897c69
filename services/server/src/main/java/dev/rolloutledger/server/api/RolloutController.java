package dev.rolloutledger.server.api;

import static dev.rolloutledger.server.auth.Permission.APPROVE;
import static dev.rolloutledger.server.auth.Permission.OPERATE;
import static dev.rolloutledger.server.auth.Permission.READ;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.rolloutledger.domain.ApprovalGranted;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.ManualHalt;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PlanTemplates;
import dev.rolloutledger.domain.PublisherSignatures;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RollbackRequested;
import dev.rolloutledger.domain.RolloutPaused;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.RolloutResumed;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.Spread;
import dev.rolloutledger.domain.WavePlan;
import dev.rolloutledger.server.api.Requests.ActionBody;
import dev.rolloutledger.server.api.Requests.ApprovalBody;
import dev.rolloutledger.server.api.Requests.HostBody;
import dev.rolloutledger.server.api.Requests.ReleaseBody;
import dev.rolloutledger.server.api.Requests.RolloutBody;
import dev.rolloutledger.server.api.Requests.WaveBody;
import dev.rolloutledger.server.api.Views.Accepted;
import dev.rolloutledger.server.api.Views.LedgerEntryView;
import dev.rolloutledger.server.api.Views.LedgerPage;
import dev.rolloutledger.server.api.Views.RolloutView;
import dev.rolloutledger.server.auth.Allowed;
import dev.rolloutledger.server.auth.Caller;
import dev.rolloutledger.server.cluster.OwnerAnswers;
import dev.rolloutledger.server.kafka.EventPublisher;
import dev.rolloutledger.topology.AvroMapper;
import dev.rolloutledger.topology.InputChecks;
import dev.rolloutledger.topology.LedgerQueries;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * The control plane of the first slice: hosts, releases, rollouts and their ledgers, per tenant.
 * Every change passes the rules of every door ({@link InputChecks}, docs/api.md), is published as
 * an event (a list of hosts in one transaction, all or none) and answered 202; the topology
 * decides, and reads come from its state stores. Each route names the permission its caller's token
 * needs ({@link Allowed}).
 */
@Controller("/api/v1/tenants/{tenant}")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RolloutController {
  static final int MAX_PAGE = 500;

  /** Bake of a wave whose plan names none. */
  static final String DEFAULT_BAKE = "PT5M";

  private final EventPublisher publisher;
  private final LedgerQueries queries;
  private final Clock clock;

  public RolloutController(EventPublisher publisher, LedgerQueries queries) {
    this.publisher = publisher;
    this.queries = queries;
    this.clock = Clock.systemUTC();
  }

  @Post("/hosts")
  @Allowed(OPERATE)
  public HttpResponse<Accepted> registerHosts(
      @PathVariable String tenant,
      @Body
          @RequestBody(
              content =
                  @Content(array = @ArraySchema(schema = @Schema(implementation = HostBody.class))))
          String body) {
    Ids.require("tenant", tenant);
    List<HostBody> hosts = StrictJson.readList(body, new TypeReference<List<HostBody>>() {});
    Instant at = clock.instant();
    List<LedgerInput> inputs = new ArrayList<>(hosts.size());
    List<String> ids = new ArrayList<>(hosts.size());
    for (int i = 0; i < hosts.size(); i++) {
      HostBody h = hosts.get(i);
      String item = "[" + i + "]";
      if (h == null) {
        throw ApiProblemException.badField(item, item + " must be an object");
      }
      Ids.require(item + ".host", h.host());
      // every item is checked before anything is published: a bad one names itself, [i].field
      inputs.add(
          within(
              item,
              () ->
                  InputChecks.check(
                      new HostRegistered(
                          tenant, at, h.host(), h.labels() == null ? Map.of() : h.labels()))));
      ids.add(h.host());
    }
    publisher.publishAtomically(inputs); // all the hosts or none
    return HttpResponse.accepted().body(new Accepted(inputs.size(), ids));
  }

  @Post("/releases")
  @Allowed(OPERATE)
  public HttpResponse<Accepted> publishRelease(
      @PathVariable String tenant,
      @Body @RequestBody(content = @Content(schema = @Schema(implementation = ReleaseBody.class)))
          String body) {
    Ids.require("tenant", tenant);
    ReleaseBody r = StrictJson.read(body, ReleaseBody.class);
    Ids.require("release", r.release());
    Severity severity = parseSeverity(r.severity());
    // a signed release needs no name: the engine shows it under the name its key has in the policy
    String claimed =
        r.publisher() == null && r.publisherKey() != null && r.signature() != null
            ? "key-" + PublisherSignatures.keyId(r.publisherKey())
            : r.publisher();
    publisher.publish(
        InputChecks.check(
            new ReleasePublished(
                tenant,
                clock.instant(),
                r.release(),
                r.artifact(),
                r.version(),
                r.sha256(),
                claimed,
                severity,
                r.publisherKey(),
                r.signature())));
    return HttpResponse.accepted().body(new Accepted(1, List.of(r.release())));
  }

  @Post("/rollouts")
  @Allowed(OPERATE)
  public HttpResponse<Accepted> createRollout(
      @PathVariable String tenant,
      @Body @RequestBody(content = @Content(schema = @Schema(implementation = RolloutBody.class)))
          String json) {
    Ids.require("tenant", tenant);
    RolloutBody body = StrictJson.read(json, RolloutBody.class);
    String rollout =
        body.rollout() == null ? "r-" + UUID.randomUUID() : Ids.require("rollout", body.rollout());
    Ids.require("release", body.release());
    Plan plan = rolloutPlan(body.plan());
    publisher.publish(
        InputChecks.check(
            new RolloutPlanned(tenant, clock.instant(), rollout, body.release(), plan)));
    return HttpResponse.<Accepted>status(HttpStatus.ACCEPTED)
        .header("Location", "/api/v1/tenants/" + tenant + "/rollouts/" + rollout)
        .body(new Accepted(1, List.of(rollout)));
  }

  @OwnerAnswers
  @Get("/releases")
  @Allowed(READ)
  public List<Views.ReleaseView> listReleases(@PathVariable String tenant) {
    Ids.require("tenant", tenant);
    return queries.releases(tenant).stream().map(Views.ReleaseView::of).toList();
  }

  @OwnerAnswers
  @Get("/rollouts")
  @Allowed(READ)
  public List<RolloutView> listRollouts(@PathVariable String tenant) {
    Ids.require("tenant", tenant);
    return queries.rollouts(tenant).stream().map(RolloutView::of).toList();
  }

  @OwnerAnswers
  @Get("/rollouts/{rollout}")
  @Allowed(READ)
  public RolloutView getRollout(@PathVariable String tenant, @PathVariable String rollout) {
    Ids.require("tenant", tenant);
    Ids.require("rollout", rollout);
    return queries
        .rollout(tenant, rollout)
        .map(RolloutView::of)
        .orElseThrow(() -> ApiProblemException.notFound("rollout " + rollout));
  }

  @OwnerAnswers
  @Get("/rollouts/{rollout}/ledger")
  @Allowed(READ)
  public LedgerPage ledger(
      @PathVariable String tenant,
      @PathVariable String rollout,
      @QueryValue(defaultValue = "1") long fromSeq,
      @QueryValue(defaultValue = "100") int limit) {
    getRollout(tenant, rollout); // 404 for an unknown rollout
    if (fromSeq < 1) {
      throw ApiProblemException.badField("fromSeq", "fromSeq must be >= 1");
    }
    if (limit < 1 || limit > MAX_PAGE) {
      throw ApiProblemException.badField("limit", "limit must be in [1," + MAX_PAGE + "]");
    }
    List<SpecificRecord> page = queries.ledger(tenant, rollout, fromSeq, limit + 1);
    List<LedgerEntryView> entries = page.stream().limit(limit).map(LedgerEntryView::of).toList();
    Long next = page.size() > limit ? entries.get(entries.size() - 1).seq() + 1 : null;
    return new LedgerPage(rollout, entries, next);
  }

  @OwnerAnswers
  @Post("/rollouts/{rollout}/halt")
  @Allowed(OPERATE)
  public HttpResponse<Accepted> halt(
      @PathVariable String tenant,
      @PathVariable String rollout,
      @Body @RequestBody(content = @Content(schema = @Schema(implementation = ActionBody.class)))
          String body,
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    return action(tenant, rollout, body, caller, ManualHalt::new);
  }

  /** Halts the rollout and sends Rollback to each of its hosts that was sent the release. */
  @OwnerAnswers
  @Post("/rollouts/{rollout}/rollback")
  @Allowed(OPERATE)
  public HttpResponse<Accepted> rollback(
      @PathVariable String tenant,
      @PathVariable String rollout,
      @Body @RequestBody(content = @Content(schema = @Schema(implementation = ActionBody.class)))
          String body,
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    return action(tenant, rollout, body, caller, RollbackRequested::new);
  }

  @OwnerAnswers
  @Post("/rollouts/{rollout}/pause")
  @Allowed(OPERATE)
  public HttpResponse<Accepted> pause(
      @PathVariable String tenant,
      @PathVariable String rollout,
      @Body @RequestBody(content = @Content(schema = @Schema(implementation = ActionBody.class)))
          String body,
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    return action(tenant, rollout, body, caller, RolloutPaused::new);
  }

  @OwnerAnswers
  @Post("/rollouts/{rollout}/resume")
  @Allowed(OPERATE)
  public HttpResponse<Accepted> resume(
      @PathVariable String tenant,
      @PathVariable String rollout,
      @Body @RequestBody(content = @Content(schema = @Schema(implementation = ActionBody.class)))
          String body,
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    return action(tenant, rollout, body, caller, RolloutResumed::new);
  }

  @OwnerAnswers
  @Post("/rollouts/{rollout}/approvals")
  @Allowed(APPROVE)
  public HttpResponse<Accepted> approve(
      @PathVariable String tenant,
      @PathVariable String rollout,
      @Body @RequestBody(content = @Content(schema = @Schema(implementation = ApprovalBody.class)))
          String body,
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    RolloutView view = getRollout(tenant, rollout); // 404 before its body is read
    ApprovalBody a = StrictJson.read(body, ApprovalBody.class);
    if (a.wave() == null || a.wave().isBlank()) {
      throw ApiProblemException.badField("wave", "wave is required");
    }
    // the plan is in the read model: a wave it does not name can never be approved
    if (view.waves().stream().noneMatch(w -> w.name().equals(a.wave()))) {
      throw new ApiProblemException(
          HttpStatus.NOT_FOUND,
          "wave " + a.wave() + " is not a wave of rollout " + rollout,
          "wave");
    }
    return control(
        tenant,
        rollout,
        new ApprovalGranted(tenant, clock.instant(), rollout, a.wave(), caller.name()));
  }

  /** The inputs of a person's action on a rollout: tenant, time, rollout, who, why. */
  private interface ActionInput {
    LedgerInput create(String tenant, Instant at, String rollout, String by, String reason);
  }

  /** Halt, rollback, pause, resume: who is the caller's token, why is the body's reason. */
  private HttpResponse<Accepted> action(
      String tenant, String rollout, String body, Caller caller, ActionInput input) {
    getRollout(tenant, rollout); // 404 for an unknown rollout, before its body is read
    ActionBody a = StrictJson.read(body, ActionBody.class);
    return control(
        tenant, rollout, input.create(tenant, clock.instant(), rollout, caller.name(), a.reason()));
  }

  private HttpResponse<Accepted> control(String tenant, String rollout, LedgerInput input) {
    getRollout(tenant, rollout); // 404 for an unknown rollout
    publisher.publish(InputChecks.check(input)); // the rules of every door: reason, by, ...
    return HttpResponse.accepted().body(new Accepted(1, List.of(rollout)));
  }

  /**
   * A rollout's {@code plan}: absent, the default plan ({@link Plan#defaultPlan()}); a string, the
   * template it names ({@link PlanTemplates}; an unknown name is a 400 on {@code plan} that lists
   * the known ones); an object, a plan ({@link Requests.PlanBody}).
   */
  static Plan rolloutPlan(@Nullable Object plan) {
    if (plan == null) {
      return Plan.defaultPlan();
    }
    if (plan instanceof String name) {
      return PlanTemplates.require("plan", name);
    }
    return plan(StrictJson.bind(plan, Requests.PlanBody.class, "plan"));
  }

  static Plan plan(Requests.PlanBody body) {
    if (body.waves() == null) {
      throw ApiProblemException.badField("plan.waves", "plan.waves is required");
    }
    List<WavePlan> waves = new ArrayList<>();
    for (int i = 0; i < body.waves().size(); i++) {
      WaveBody w = body.waves().get(i);
      String path = "plan.waves[" + i + "]";
      if (w == null) {
        throw ApiProblemException.badField(path, path + " must be an object");
      }
      waves.add(
          within(
              path,
              () ->
                  new WavePlan(
                      w.name(),
                      w.selector() == null ? Map.of() : w.selector(),
                      w.hosts(),
                      w.percent(),
                      w.maxCrashFraction() == null ? 0.2 : w.maxCrashFraction(),
                      w.minCrashes() == null ? 1 : w.minCrashes(),
                      AvroMapper.duration("bake", w.bake() == null ? DEFAULT_BAKE : w.bake()),
                      Boolean.TRUE.equals(w.approval()),
                      w.maxFailureRate(),
                      w.batches(),
                      w.batchSize(),
                      w.batchBake() == null
                          ? java.time.Duration.ZERO
                          : AvroMapper.duration("batchBake", w.batchBake()),
                      spread(w.spread()))));
    }
    return within(
        "plan",
        () ->
            new Plan(
                waves,
                body.heartbeatTimeout() == null
                    ? Plan.DEFAULT_HEARTBEAT_TIMEOUT
                    : AvroMapper.duration("heartbeatTimeout", body.heartbeatTimeout()),
                or(body.alpha(), Plan.DEFAULT_ALPHA),
                or(body.beta(), Plan.DEFAULT_BETA),
                or(body.toleratedRatio(), Plan.DEFAULT_TOLERATED_RATIO),
                or(body.maxDispatchPerMinute(), Plan.DEFAULT_MAX_DISPATCH_PER_MINUTE),
                body.limits() == null ? Map.of() : body.limits(),
                or(body.emergencyCompression(), Plan.DEFAULT_EMERGENCY_COMPRESSION),
                body.liveness() == null
                    ? Liveness.HEARTBEATS
                    : Liveness.parse("liveness", body.liveness()),
                or(body.maxUnreachableFraction(), Plan.DEFAULT_MAX_UNREACHABLE_FRACTION)));
  }

  private static Spread spread(@Nullable Requests.SpreadBody body) {
    if (body == null) {
      return null;
    }
    if (body.hosts() == null) {
      throw new InvalidFieldException("spread.hosts", "is required");
    }
    return within("spread", () -> new Spread(body.by(), body.hosts()));
  }

  private static <T> T or(@Nullable T value, T fallback) {
    return value == null ? fallback : value;
  }

  static Severity parseSeverity(@Nullable String severity) {
    if (severity == null) {
      return Severity.NORMAL;
    }
    try {
      return Severity.valueOf(severity.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiProblemException.badField("severity", "severity must be NORMAL or EMERGENCY");
    }
  }

  /** Runs a domain constructor, reporting its invalid field under {@code path}. */
  static <T> T within(String path, java.util.function.Supplier<T> build) {
    try {
      return build.get();
    } catch (InvalidFieldException e) {
      throw e.within(path);
    }
  }
}
