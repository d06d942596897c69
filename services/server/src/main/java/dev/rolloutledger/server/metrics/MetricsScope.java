package dev.rolloutledger.server.metrics;

import io.micronaut.core.annotation.Nullable;

/**
 * The series a reader of {@code /metrics} sees: every one (a scraper in {@code
 * ledger.metrics.open-to}), or those of one tenant (an admin token, whose role holds in its own
 * tenant only): a sample line whose {@code tenant} label names another tenant is left out; a series
 * without a {@code tenant} label (JVM, Kafka, the doors, dead letters) stays. Comment lines ({@code
 * # HELP}, {@code # TYPE}) stay.
 *
 * @param tenant the tenant whose series are kept, or null for all
 */
public record MetricsScope(@Nullable String tenant) {
  public static final MetricsScope ALL = new MetricsScope(null);

  public static MetricsScope tenant(String tenant) {
    return new MetricsScope(tenant);
  }

  /** {@code exposition} (the Prometheus text format) without the lines this reader may not see. */
  public String filter(String exposition) {
    if (tenant == null) {
      return exposition;
    }
    StringBuilder out = new StringBuilder(exposition.length());
    int start = 0;
    while (start < exposition.length()) {
      int end = exposition.indexOf('\n', start);
      int next = end < 0 ? exposition.length() : end + 1;
      String line = exposition.substring(start, end < 0 ? exposition.length() : end);
      String labelled = line.startsWith("#") ? null : tenantLabel(line);
      if (labelled == null || labelled.equals(tenant)) {
        out.append(exposition, start, next);
      }
      start = next;
    }
    return out.toString();
  }

  /**
   * The value of the {@code tenant} label of a sample line ({@code name{a="x",tenant="t"} 1.0}),
   * unescaped; null when it has none. A line that cannot be read is treated as another tenant's.
   */
  static String tenantLabel(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    if (brace < 0 || (space >= 0 && space < brace)) {
      return null;
    }
    int i = brace + 1;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '}') {
        return null;
      }
      if (c == ',' || c == ' ') {
        i++;
        continue;
      }
      int eq = line.indexOf('=', i);
      if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
        return "";
      }
      String name = line.substring(i, eq).strip();
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      for (; j < line.length() && line.charAt(j) != '"'; j++) {
        char v = line.charAt(j);
        if (v == '\\' && j + 1 < line.length()) {
          char escaped = line.charAt(++j);
          value.append(escaped == 'n' ? '\n' : escaped);
        } else {
          value.append(v);
        }
      }
      if (j >= line.length()) {
        return ""; // no closing quote
      }
      if (name.equals("tenant")) {
        return value.toString();
      }
      i = j + 1;
    }
    return "";
  }
}
