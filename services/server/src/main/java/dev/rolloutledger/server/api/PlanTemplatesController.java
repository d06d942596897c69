package dev.rolloutledger.server.api;

import static dev.rolloutledger.server.auth.Permission.READ;

import dev.rolloutledger.domain.PlanTemplates;
import dev.rolloutledger.server.api.Views.TemplateView;
import dev.rolloutledger.server.auth.Allowed;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import java.util.List;

/**
 * The named plans a rollout may use as {@code "plan": "NAME"} ({@link PlanTemplates}): the same for
 * every tenant; listed per tenant so that a token that may read the tenant may read them.
 */
@Controller("/api/v1/tenants/{tenant}/plans")
public class PlanTemplatesController {

  @Get("/templates")
  @Allowed(READ)
  public List<TemplateView> templates(@PathVariable String tenant) {
    Ids.require("tenant", tenant);
    return PlanTemplates.all().stream().map(TemplateView::of).toList();
  }
}
