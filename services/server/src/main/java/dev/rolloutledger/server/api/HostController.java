package dev.rolloutledger.server.api;

import static dev.rolloutledger.server.auth.Permission.OPERATE;
import static dev.rolloutledger.server.auth.Permission.READ;

import dev.rolloutledger.domain.HostLifecycle;
import dev.rolloutledger.domain.HostLifecycleChanged;
import dev.rolloutledger.domain.HostRecord;
import dev.rolloutledger.server.api.HostViews.HostPage;
import dev.rolloutledger.server.api.HostViews.HostView;
import dev.rolloutledger.server.api.HostViews.LifecycleChange;
import dev.rolloutledger.server.api.HostViews.Liveness;
import dev.rolloutledger.server.auth.Allowed;
import dev.rolloutledger.server.auth.Caller;
import dev.rolloutledger.server.cluster.OwnerAnswers;
import dev.rolloutledger.server.kafka.EventPublisher;
import dev.rolloutledger.topology.HostLifecycles;
import dev.rolloutledger.topology.InputChecks;
import dev.rolloutledger.topology.LedgerQueries;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The inventory: the tenant's hosts as the engine knows them (labels, liveness, lifecycle, the
 * rollout of their latest assignment, the release they report), filtered and paged in host-id
 * order, and an operator's lifecycle changes: cordon (kept in the fleet, never dispatched to),
 * retire (left the fleet, history kept), activate. A change is published as a {@code
 * HostLifecycleChanged} and answered 202; the engine applies it (docs/api.md, "Inventory").
 */
@Controller("/api/v1/tenants/{tenant}/hosts")
@ExecuteOn(TaskExecutors.BLOCKING)
public class HostController {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final EventPublisher publisher;
  private final LedgerQueries queries;
  private final Clock clock = Clock.systemUTC();

  public HostController(EventPublisher publisher, LedgerQueries queries) {
    this.publisher = publisher;
    this.queries = queries;
  }

  /**
   * A page of hosts. Without {@code lifecycle}, retired hosts (they left the fleet) and hosts only
   * heard from (their agent beats, nobody registered them) are left out; {@code lifecycle=retired}
   * and {@code lifecycle=unregistered} list them.
   */
  @OwnerAnswers
  @Get
  @Allowed(READ)
  public HostPage list(
      @PathVariable String tenant,
      @QueryValue @Nullable String selector,
      @QueryValue @Nullable String lifecycle,
      @QueryValue @Nullable String liveness,
      @QueryValue @Nullable String rollout,
      @QueryValue @Nullable String wave,
      @QueryValue @Nullable String limit,
      @QueryValue @Nullable String after) {
    Ids.require("tenant", tenant);
    Filter filter =
        new Filter(
            selector(selector),
            // an unknown name is an InvalidFieldException: 400 naming the parameter
            lifecycle == null ? null : HostLifecycles.parseAny("lifecycle", lifecycle),
            liveness(liveness),
            rollout == null ? null : Ids.require("rollout", rollout),
            wave == null ? null : Ids.require("wave", wave));
    int max = limit(limit);
    List<HostRecord> found =
        queries.hosts(tenant, after == null ? null : Ids.require("after", after), filter, max + 1);
    List<HostView> page = found.stream().limit(max).map(HostView::of).toList();
    String next = found.size() > max ? page.get(page.size() - 1).host() : null;
    return new HostPage(page, next);
  }

  @OwnerAnswers
  @Post("/{host}/cordon")
  @Allowed(OPERATE)
  public HttpResponse<LifecycleChange> cordon(
      @PathVariable String tenant,
      @PathVariable String host,
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    return change(tenant, host, HostLifecycle.CORDONED, caller);
  }

  @OwnerAnswers
  @Post("/{host}/retire")
  @Allowed(OPERATE)
  public HttpResponse<LifecycleChange> retire(
      @PathVariable String tenant,
      @PathVariable String host,
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    return change(tenant, host, HostLifecycle.RETIRED, caller);
  }

  /** Uncordons a host, or brings a retired one back into the fleet. */
  @OwnerAnswers
  @Post("/{host}/activate")
  @Allowed(OPERATE)
  public HttpResponse<LifecycleChange> activate(
      @PathVariable String tenant,
      @PathVariable String host,
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    return change(tenant, host, HostLifecycle.ACTIVE, caller);
  }

  private HttpResponse<LifecycleChange> change(
      String tenant, String host, HostLifecycle lifecycle, Caller caller) {
    Ids.require("tenant", tenant);
    Ids.require("host", host);
    // the tenant's own host, or 404: the same answer whether another tenant has one of that id
    if (queries.host(tenant, host).isEmpty()) {
      throw ApiProblemException.notFound("host " + host);
    }
    HostLifecycleChanged input =
        InputChecks.check(
            new HostLifecycleChanged(tenant, clock.instant(), host, lifecycle, caller.name()));
    publisher.publish(input);
    return HttpResponse.accepted()
        .body(LifecycleChange.of(host, lifecycle, input.by(), input.at()));
  }

  /** What a listing keeps: every condition given must hold. */
  record Filter(
      Map<String, String> selector,
      @Nullable HostLifecycle lifecycle,
      @Nullable Liveness liveness,
      @Nullable String rollout,
      @Nullable String wave)
      implements Predicate<HostRecord> {
    @Override
    public boolean test(HostRecord h) {
      HostLifecycle l = h.contact().lifecycle();
      // by default the fleet: neither retired nor only heard from (never registered)
      boolean outOfFleet = l == HostLifecycle.RETIRED || l == HostLifecycle.UNREGISTERED;
      if (lifecycle == null ? outOfFleet : l != lifecycle) {
        return false;
      }
      if (liveness != null && Liveness.of(h.contact()) != liveness) {
        return false;
      }
      if (rollout != null && !rollout.equals(h.rollout())) {
        return false;
      }
      if (wave != null && !wave.equals(h.wave())) {
        return false;
      }
      for (Map.Entry<String, String> e : selector.entrySet()) {
        if (!e.getValue().equals(h.labels().get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
  }

  /** {@code k=v,k2=v2}: every label must match; null or empty: any labels. */
  static Map<String, String> selector(@Nullable String selector) {
    Map<String, String> labels = new TreeMap<>();
    if (selector == null || selector.isEmpty()) {
      return labels;
    }
    for (String part : selector.split(",", -1)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw ApiProblemException.badField(
            "selector",
            "selector must be label=value pairs separated by commas, e.g. env=prod,tier=a");
      }
      String key = part.substring(0, eq);
      if (labels.put(key, part.substring(eq + 1)) != null) {
        throw ApiProblemException.badField("selector", "selector names label " + key + " twice");
      }
    }
    return labels;
  }

  private static Liveness liveness(@Nullable String liveness) {
    if (liveness == null) {
      return null;
    }
    Liveness l = Liveness.parse(liveness);
    if (l == null) {
      throw ApiProblemException.badField(
          "liveness", "liveness must be alive, offline or unseen, was '" + liveness + "'");
    }
    return l;
  }

  private static int limit(@Nullable String limit) {
    if (limit == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(limit);
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiProblemException.badField(
        "limit", "limit must be a whole number in [1," + MAX_LIMIT + "], was '" + limit + "'");
  }
}
