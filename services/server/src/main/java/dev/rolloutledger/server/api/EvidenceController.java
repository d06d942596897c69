package dev.rolloutledger.server.api;

import static dev.rolloutledger.server.auth.Permission.READ;

import dev.rolloutledger.avro.EvidenceSnapshot;
import dev.rolloutledger.server.api.EvidenceViews.EvidencePage;
import dev.rolloutledger.server.api.EvidenceViews.PointView;
import dev.rolloutledger.server.auth.Allowed;
import dev.rolloutledger.server.cluster.OwnerAnswers;
import dev.rolloutledger.topology.LedgerQueries;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;

/**
 * A rollout's evidence path: what its regression evidence and counts were after each input that
 * changed them (rate-limited) and at each of its ledger entries, recorded by the engine outside the
 * hash chain (topic {@code ledger.evidence}). The dashboard's chart; docs/dashboard.md.
 */
@Controller("/api/v1/tenants/{tenant}/rollouts/{rollout}/evidence")
@ExecuteOn(TaskExecutors.BLOCKING)
public class EvidenceController {
  static final int MAX_PAGE = 5000;

  private final LedgerQueries queries;

  public EvidenceController(LedgerQueries queries) {
    this.queries = queries;
  }

  @OwnerAnswers
  @Get
  @Allowed(READ)
  public EvidencePage evidence(
      @PathVariable String tenant,
      @PathVariable String rollout,
      @QueryValue(defaultValue = "0") long from,
      @QueryValue(defaultValue = "1000") int limit) {
    Ids.require("tenant", tenant);
    Ids.require("rollout", rollout);
    if (from < 0) {
      throw ApiProblemException.badField("from", "from must be >= 0");
    }
    if (limit < 1 || limit > MAX_PAGE) {
      throw ApiProblemException.badField("limit", "limit must be in [1," + MAX_PAGE + "]");
    }
    if (queries.rollout(tenant, rollout).isEmpty()) {
      throw ApiProblemException.notFound("rollout " + rollout);
    }
    List<EvidenceSnapshot> page = queries.evidence(tenant, rollout, from, limit + 1);
    List<PointView> points = page.stream().limit(limit).map(PointView::of).toList();
    Long next = page.size() > limit ? points.get(points.size() - 1).n() + 1 : null;
    return new EvidencePage(rollout, points, next);
  }
}
