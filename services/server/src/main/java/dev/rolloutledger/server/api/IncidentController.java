package dev.rolloutledger.server.api;

import static dev.rolloutledger.server.auth.Permission.READ;

import dev.rolloutledger.domain.sim.Scenario;
import dev.rolloutledger.server.auth.Allowed;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * {@code GET /api/v1/tenants/{tenant}/incidents}: the incident library the server ships ({@link
 * IncidentLibrary}), which a what-if can run under a plan ({@code "incident": NAME}). The same for
 * every tenant; listed per tenant so that a token that may read the tenant may read it.
 */
@Controller("/api/v1/tenants/{tenant}/incidents")
@ExecuteOn(TaskExecutors.BLOCKING) // the first request reads the library's files
public class IncidentController {
  private final IncidentLibrary library;

  public IncidentController(IncidentLibrary library) {
    this.library = library;
  }

  /** An incident as the what-if page offers it. */
  @Serdeable
  public record IncidentView(
      String name, String description, int hosts, @Nullable HistoricalView historical) {
    static IncidentView of(IncidentLibrary.Incident i) {
      Scenario.Historical h = i.scenario().historical();
      return new IncidentView(
          i.name(),
          i.description(),
          i.scenario().fleet().hosts(),
          h == null ? null : new HistoricalView(h.propagation().toString()));
    }
  }

  /** How it historically went: every host received the release within {@code propagation}. */
  @Serdeable
  public record HistoricalView(String propagation) {}

  @Get
  @Allowed(READ)
  public List<IncidentView> incidents(@PathVariable String tenant) {
    Ids.require("tenant", tenant);
    return library.all().stream().map(IncidentView::of).toList();
  }
}
