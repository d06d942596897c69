package dev.rolloutledger.replay;

import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.UpdateApplied;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a host did after it applied the release, read from its recorded telemetry: it stayed
 * healthy, its apply failed, or after {@code delay} it crashed (a report, then silence), fell
 * silent, or kept beating with a metric over the plan's limits; and, for a flapping failure, came
 * back {@code recoverAfter} later. A what-if moves this to when the host would have applied.
 */
record Outcome(Kind kind, long delay, Long recoverAfter) {
  enum Kind {
    HEALTHY,
    APPLY_FAILED,
    CRASH,
    SILENT,
    HOT,
    /** The recording has no apply of this host: nobody knows; a what-if assumes healthy. */
    UNKNOWN
  }

  static final Outcome HEALTHY = new Outcome(Kind.HEALTHY, 0, null);
  static final Outcome UNKNOWN = new Outcome(Kind.UNKNOWN, 0, null);

  boolean failed() {
    return kind != Kind.HEALTHY && kind != Kind.UNKNOWN;
  }

  /** Whether the host sends no heartbeat from the failure on (until it recovers). */
  boolean silences() {
    return kind == Kind.CRASH || kind == Kind.SILENT;
  }

  /**
   * The outcome of a host from its telemetry: from its first apply of {@code release} on, the first
   * crash report, metric over {@code limits}, or gap longer than {@code timeout} (also before
   * {@code end}, the end of the recording). With silences {@code reported} (a failure detector's,
   * ADR 0006, or the host stage's in a version 2 log, ADR 0007) a gap is not silence: a HostSilent
   * is, from the last sight it names.
   */
  static Outcome of(
      List<LedgerInput> telemetry,
      String release,
      Duration timeout,
      Map<String, Double> limits,
      Instant end,
      boolean reported) {
    int i = applyIndex(telemetry, release);
    if (i < 0) {
      return UNKNOWN;
    }
    UpdateApplied applied = (UpdateApplied) telemetry.get(i);
    if (!applied.ok()) {
      return new Outcome(Kind.APPLY_FAILED, 0, null);
    }
    long a = applied.at().getEpochSecond();
    if (reported) {
      return reported(telemetry, i, a, limits);
    }
    long t = timeout.toSeconds();
    long previous = a;
    for (int j = i + 1; j < telemetry.size(); j++) {
      LedgerInput in = telemetry.get(j);
      long at = in.at().getEpochSecond();
      if (at - previous > t) { // silent from its last sign of life, back at this input
        return new Outcome(Kind.SILENT, previous - a, at - previous);
      }
      if (in instanceof CrashReport) {
        Long back =
            j + 1 < telemetry.size() ? telemetry.get(j + 1).at().getEpochSecond() - at : null;
        return new Outcome(Kind.CRASH, at - a, back);
      }
      if (in instanceof Heartbeat b && over(b, limits)) {
        return new Outcome(Kind.HOT, at - a, recovery(telemetry, j, limits));
      }
      previous = at;
    }
    if (end.getEpochSecond() - previous > t) {
      return new Outcome(Kind.SILENT, previous - a, null);
    }
    return HEALTHY;
  }

  /** After the apply at index {@code i}, second {@code a}: liveness from a detector's reports. */
  private static Outcome reported(
      List<LedgerInput> telemetry, int i, long a, Map<String, Double> limits) {
    for (int j = i + 1; j < telemetry.size(); j++) {
      LedgerInput in = telemetry.get(j);
      long at = in.at().getEpochSecond();
      if (in instanceof HostSilent h) {
        long from = Math.max(a, h.lastSeenAt().getEpochSecond());
        Long back = backAfter(telemetry, j);
        return new Outcome(Kind.SILENT, from - a, back == null ? null : back - from);
      }
      if (in instanceof CrashReport) {
        Long back = backAfter(telemetry, j);
        return new Outcome(Kind.CRASH, at - a, back == null ? null : back - at);
      }
      if (in instanceof Heartbeat b && over(b, limits)) {
        return new Outcome(Kind.HOT, at - a, recovery(telemetry, j, limits));
      }
    }
    return HEALTHY;
  }

  /** The second of the first sign of life after index {@code j}, other than a report, or null. */
  private static Long backAfter(List<LedgerInput> telemetry, int j) {
    for (int k = j + 1; k < telemetry.size(); k++) {
      LedgerInput in = telemetry.get(k);
      if (in instanceof HostBack || in instanceof Heartbeat || in instanceof UpdateApplied) {
        return in.at().getEpochSecond();
      }
    }
    return null;
  }

  static int applyIndex(List<LedgerInput> telemetry, String release) {
    for (int i = 0; i < telemetry.size(); i++) {
      if (telemetry.get(i) instanceof UpdateApplied u && u.release().equals(release)) {
        return i;
      }
    }
    return -1;
  }

  private static Long recovery(List<LedgerInput> telemetry, int hot, Map<String, Double> limits) {
    long at = telemetry.get(hot).at().getEpochSecond();
    for (int j = hot + 1; j < telemetry.size(); j++) {
      if (telemetry.get(j) instanceof Heartbeat b && !over(b, limits)) {
        return b.at().getEpochSecond() - at;
      }
    }
    return null;
  }

  static boolean over(Heartbeat b, Map<String, Double> limits) {
    for (Map.Entry<String, Double> limit : limits.entrySet()) {
      Double v = b.metrics().get(limit.getKey());
      if (v != null && v > limit.getValue()) {
        return true;
      }
    }
    return false;
  }
}
