package dev.rolloutledger.server.metrics;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ledger.metrics.*}: who may read {@code /metrics} (docs/metrics.md, "Access").
 *
 * <p>By default only an admin token, which reads its own tenant's series and those of no tenant
 * ({@link MetricsScope}): a token of one tenant must not learn about another. {@code open-to} lists
 * networks (CIDRs, comma-separated) whose scrapers read every series without a token, e.g. {@code
 * 10.0.0.0/8} for a Prometheus on the private network; the TCP peer's address is checked, never a
 * forwarded-for header.
 */
@ConfigurationProperties("ledger.metrics")
public class MetricsSettings {
  private List<String> openTo = new ArrayList<>();

  public List<String> getOpenTo() {
    return openTo;
  }

  public void setOpenTo(List<String> openTo) {
    this.openTo = openTo == null ? new ArrayList<>() : openTo;
  }
}
