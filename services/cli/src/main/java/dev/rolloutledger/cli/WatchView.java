package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code ledger rollout watch} shows, as a pure function of what the server answered and the
 * time: {@link #render} gives the lines of the live view (waves with progress bars, the latest
 * evidence per signal against its threshold), {@link #summary} the one line printed per change when
 * the output is not a terminal. No I/O and no clock here: {@link RolloutWatch} polls and draws.
 */
final class WatchView {
  static final int BAR = 20;

  private WatchView() {}

  /**
   * One moment of a watch: the rollout (GET /rollouts/{r}), the latest evidence point (GET
   * /rollouts/{r}/evidence, its last {@code points[]} element) or null when there is none, and the
   * time the rollout was read.
   */
  record State(JsonNode rollout, JsonNode evidence, Instant now) {}

  /** The live view, one string a line, no ANSI codes (the caller redraws them in place). */
  static List<String> render(State s) {
    JsonNode r = s.rollout();
    List<String> lines = new ArrayList<>();
    JsonNode waves = r.path("waves");
    int current = currentIndex(r);
    lines.add(
        String.format(
            Locale.ROOT,
            "rollout %s  release %s  %s  wave %d/%d %s  ledger seq %s  at %s",
            Output.text(r, "rollout"),
            Output.text(r, "release"),
            Output.text(r, "status"),
            current + 1,
            waves.size(),
            Output.text(r, "currentWave"),
            Output.text(r, "ledgerSeq"),
            s.now().truncatedTo(ChronoUnit.SECONDS)));
    lines.add("");
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("WAVE", "APPLIED", "", "FAILED", "UNREACHABLE", "STATUS"));
    for (int i = 0; i < waves.size(); i++) {
      JsonNode w = waves.get(i);
      int assigned = w.path("assigned").asInt();
      int applied = w.path("applied").asInt();
      rows.add(
          List.of(
              Output.text(w, "name"),
              bar(assigned == 0 ? 0 : (double) applied / assigned),
              applied + "/" + assigned,
              String.valueOf(failed(w)),
              Output.text(w, "unreachable"),
              waveStatus(r, i, s.now())));
    }
    lines.addAll(columns(rows));
    lines.add("");
    JsonNode p = s.evidence();
    if (p == null) {
      lines.add("EVIDENCE  none yet");
      return lines;
    }
    String decision = p.hasNonNull("decision") ? ", decision " + p.get("decision").asText() : "";
    lines.add(
        "EVIDENCE  wave "
            + Output.text(p, "wave")
            + " at "
            + Output.text(p, "at")
            + decision
            + ": a signal halts the wave when its e-value reaches the threshold");
    List<List<String>> signals = new ArrayList<>();
    signals.add(List.of("SIGNAL", "TOWARDS HALT", "E-VALUE", "FAILURES"));
    for (JsonNode sig : p.path("signals")) {
      double e = sig.path("eValue").asDouble();
      double threshold = sig.path("threshold").asDouble();
      signals.add(
          List.of(
              Output.text(sig, "signal"),
              bar(evidenceFraction(e, threshold)),
              number(e) + " / " + number(threshold) + (e >= threshold ? " HALT" : ""),
              Output.text(sig, "updatedFailures")
                  + " updated, "
                  + Output.text(sig, "baselineFailures")
                  + " baseline"));
    }
    lines.addAll(columns(signals));
    lines.add(
        "FAILING   updated "
            + fraction(p.path("failed").asInt(), p.path("applied").asInt())
            + ", baseline "
            + fraction(p.path("baselineFailing").asInt(), p.path("baselineHosts").asInt()));
    return lines;
  }

  /**
   * The line printed when the output is not a terminal, once per change: status, current wave, each
   * wave's counts and each signal's e-value. Nothing in it depends on the clock, so an unchanged
   * rollout prints nothing.
   */
  static String summary(State s) {
    JsonNode r = s.rollout();
    StringBuilder line =
        new StringBuilder()
            .append(Output.text(r, "rollout"))
            .append(' ')
            .append(Output.text(r, "status"))
            .append(" wave ")
            .append(Output.text(r, "currentWave"));
    for (JsonNode w : r.path("waves")) {
      line.append(" | ")
          .append(Output.text(w, "name"))
          .append(' ')
          .append(w.path("applied").asInt())
          .append('/')
          .append(w.path("assigned").asInt())
          .append(" applied ")
          .append(failed(w))
          .append(" failed ")
          .append(w.path("unreachable").asInt())
          .append(" unreachable");
    }
    JsonNode p = s.evidence();
    if (p != null) {
      line.append(" | evidence ").append(Output.text(p, "wave"));
      for (JsonNode sig : p.path("signals")) {
        line.append(' ')
            .append(Output.text(sig, "signal"))
            .append(' ')
            .append(number(sig.path("eValue").asDouble()))
            .append('/')
            .append(number(sig.path("threshold").asDouble()));
      }
    }
    return line.toString();
  }

  /** Hosts of the wave failing on any signal: crashed, silent or hot. */
  static int failed(JsonNode wave) {
    return wave.path("crashed").asInt() + wave.path("silent").asInt() + wave.path("hot").asInt();
  }

  /** What a wave is doing: promoted, waiting, halted, paused, or baking with the time left. */
  static String waveStatus(JsonNode r, int index, Instant now) {
    String status = r.path("status").asText();
    int current = currentIndex(r);
    if ("COMPLETED".equals(status) || index < current) {
      return "promoted";
    }
    JsonNode w = r.path("waves").get(index);
    boolean needsApproval = w.path("approval").asBoolean() && !w.path("approved").asBoolean();
    if (index > current) {
      if ("HALTED".equals(status)) {
        return "not started";
      }
      return needsApproval ? "waiting, needs approval" : "waiting";
    }
    switch (status) {
      case "HALTED":
        return "HALTED";
      case "PAUSED":
        return "paused";
      case "PENDING":
        return "pending";
      default:
        break;
    }
    List<String> parts = new ArrayList<>();
    Duration left = bakeLeft(r, w, now);
    if (left == null) {
      parts.add("active");
    } else if (left.isZero()) {
      parts.add("baked");
    } else {
      parts.add("baking, ~" + duration(left) + " left");
    }
    if (needsApproval) {
      parts.add("needs approval");
    }
    return String.join(", ", parts);
  }

  /**
   * The bake left of the current wave: its start plus its bake, less the time passed (at least
   * zero); null when either is unknown. An outage adds its unobserved time to a bake, which the
   * view does not show: hence "~".
   */
  static Duration bakeLeft(JsonNode r, JsonNode wave, Instant now) {
    try {
      Instant started = Instant.parse(r.path("waveStartedAt").asText());
      Duration bake = Duration.parse(wave.path("bake").asText());
      Duration left = Duration.between(now, started.plus(bake));
      return left.isNegative() ? Duration.ZERO : left.truncatedTo(ChronoUnit.SECONDS);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static int currentIndex(JsonNode r) {
    String current = r.path("currentWave").asText();
    JsonNode waves = r.path("waves");
    for (int i = 0; i < waves.size(); i++) {
      if (current.equals(waves.get(i).path("name").asText())) {
        return i;
      }
    }
    return 0;
  }

  /**
   * How far an e-value is towards its threshold, on a log scale (e-values grow by factors: 1 is no
   * evidence at all, the threshold is where the wave halts).
   */
  static double evidenceFraction(double eValue, double threshold) {
    if (threshold <= 1) {
      return eValue >= threshold ? 1 : 0;
    }
    double f = Math.log(Math.max(eValue, 1)) / Math.log(threshold);
    return Math.max(0, Math.min(1, f));
  }

  /** A bar of {@link #BAR} characters, filled to {@code fraction}. */
  static String bar(double fraction) {
    double f = Double.isNaN(fraction) ? 0 : Math.max(0, Math.min(1, fraction));
    int full = (int) Math.floor(f * BAR + 1e-9);
    return "[" + "#".repeat(full) + ".".repeat(BAR - full) + "]";
  }

  static String fraction(int part, int whole) {
    if (whole == 0) {
      return part + "/0";
    }
    return String.format(Locale.ROOT, "%d/%d (%.1f%%)", part, whole, 100.0 * part / whole);
  }

  /** A number in at most three significant digits, without a trailing ".0". */
  static String number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return String.valueOf(v);
    }
    if (v != 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) {
      return String.format(Locale.ROOT, "%.2e", v);
    }
    return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }

  static String duration(Duration d) {
    long s = d.getSeconds();
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
    if (s >= 60) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return s + "s";
  }

  /** Rows as columns padded to their widest cell, two spaces apart. */
  private static List<String> columns(List<List<String>> rows) {
    int n = rows.stream().mapToInt(List::size).max().orElse(0);
    int[] width = new int[n];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(i == row.size() - 1 ? row.get(i) : Output.pad(row.get(i), width[i] + 2));
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines;
  }
}
