package dev.rolloutledger.domain;

import dev.rolloutledger.domain.gate.Signal;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Hosts of one wave: assigned to it, dispatched (sent Apply), applied the release (a failed apply
 * or a crash counts as applied), and failing, by {@link Signal}: {@code failures} holds the count
 * of each signal with any (a failed apply counts as a {@link Signal#CRASH}). A failing host is
 * counted under one signal only. {@code lastAppliedAt}: event time of the wave's latest apply; the
 * wave promotes only once that is a heartbeat timeout old, so no silence verdict is still pending.
 * {@code unreachable}: hosts of the wave recorded unreachable (no sign of life at dispatch, or an
 * Apply unanswered twice): sent nothing, applied nothing; the wave promotes without them, and one
 * that comes back is dispatched and leaves this count.
 */
public record WaveCounts(
    String wave,
    int assigned,
    int applied,
    Map<Signal, Integer> failures,
    int dispatched,
    Instant lastAppliedAt,
    int unreachable) {

  private static final Map<Signal, Integer> NONE =
      Collections.unmodifiableMap(new EnumMap<>(Signal.class));

  /** Counts with one count per host signal, in {@link Signal#ofHosts()} order. */
  public WaveCounts(
      String wave,
      int assigned,
      int applied,
      int crashed,
      int silent,
      int overLimits,
      int dispatched,
      Instant lastAppliedAt) {
    this(
        wave,
        assigned,
        applied,
        failures(crashed, silent, overLimits),
        dispatched,
        lastAppliedAt,
        0);
  }

  /** Counts with no host unreachable. */
  public WaveCounts(
      String wave,
      int assigned,
      int applied,
      Map<Signal, Integer> failures,
      int dispatched,
      Instant lastAppliedAt) {
    this(wave, assigned, applied, failures, dispatched, lastAppliedAt, 0);
  }

  public WaveCounts(
      String wave,
      int assigned,
      int applied,
      int crashed,
      int silent,
      int overLimits,
      int dispatched) {
    this(wave, assigned, applied, crashed, silent, overLimits, dispatched, null);
  }

  public WaveCounts(String wave, int assigned, int applied, int crashed) {
    this(wave, assigned, applied, crashed, 0, 0, 0);
  }

  public WaveCounts {
    Checks.id("wave", wave);
    Checks.present("failures", failures);
    EnumMap<Signal, Integer> counted = new EnumMap<>(Signal.class);
    int failed = 0;
    for (Map.Entry<Signal, Integer> e : failures.entrySet()) {
      int count = Checks.present("failures." + e.getKey(), e.getValue());
      if (count < 0) {
        throw new InvalidFieldException("failures." + e.getKey(), "must be >= 0");
      }
      if (count > 0 && e.getKey().countKey() == null) {
        throw new InvalidFieldException("failures." + e.getKey(), "no host fails by this signal");
      }
      if (count > 0) {
        counted.put(e.getKey(), count);
        failed += count;
      }
    }
    if (failed > applied || applied > assigned) {
      throw new InvalidFieldException(
          "failures", "must satisfy 0 <= failed (all signals) <= applied <= assigned");
    }
    if (dispatched < 0 || dispatched > assigned) {
      throw new InvalidFieldException("dispatched", "must satisfy 0 <= dispatched <= assigned");
    }
    if (unreachable < 0
        || unreachable + applied > assigned
        || unreachable + dispatched > assigned) {
      throw new InvalidFieldException(
          "unreachable",
          "must satisfy 0 <= unreachable and unreachable + max(applied, dispatched) <= assigned");
    }
    failures = counted.isEmpty() ? NONE : Collections.unmodifiableMap(counted);
  }

  public static WaveCounts empty(String wave) {
    return new WaveCounts(wave, 0, 0, NONE, 0, null, 0);
  }

  /** Failure counts by signal from one count per host signal ({@link Signal#ofHosts()}). */
  private static Map<Signal, Integer> failures(int... perHostSignal) {
    Map<Signal, Integer> out = new EnumMap<>(Signal.class);
    for (int i = 0; i < perHostSignal.length; i++) {
      out.put(Signal.ofHosts().get(i), perHostSignal[i]);
    }
    return out;
  }

  public WaveCounts plus(int moreAssigned, int moreApplied) {
    return new WaveCounts(
        wave,
        assigned + moreAssigned,
        applied + moreApplied,
        failures,
        dispatched,
        lastAppliedAt,
        unreachable);
  }

  /** {@code more} hosts of the wave now fail by {@code signal}. */
  public WaveCounts plusFailed(Signal signal, int more) {
    if (more == 0) {
      return this;
    }
    Map<Signal, Integer> counted = new EnumMap<>(Signal.class);
    counted.putAll(failures);
    counted.merge(signal, more, Integer::sum);
    return new WaveCounts(wave, assigned, applied, counted, dispatched, lastAppliedAt, unreachable);
  }

  public WaveCounts plusDispatched(int moreDispatched) {
    return new WaveCounts(
        wave, assigned, applied, failures, dispatched + moreDispatched, lastAppliedAt, unreachable);
  }

  /** {@code more} hosts of the wave are now unreachable (negative: came back). */
  public WaveCounts plusUnreachable(int more) {
    if (more == 0) {
      return this;
    }
    return new WaveCounts(
        wave, assigned, applied, failures, dispatched, lastAppliedAt, unreachable + more);
  }

  /** Hosts of the wave still to be heard from: neither applied nor recorded unreachable. */
  public int outstanding() {
    return assigned - applied - unreachable;
  }

  /** A host of the wave applied at {@code at}; the latest apply is kept. */
  public WaveCounts appliedAt(Instant at) {
    Instant latest = lastAppliedAt == null || at.isAfter(lastAppliedAt) ? at : lastAppliedAt;
    return new WaveCounts(wave, assigned, applied, failures, dispatched, latest, unreachable);
  }

  /** Hosts failing by {@code signal}. */
  public int failed(Signal signal) {
    return failures.getOrDefault(signal, 0);
  }

  /** Hosts failing by any signal. */
  public int failed() {
    int sum = 0;
    for (int count : failures.values()) {
      sum += count;
    }
    return sum;
  }

  /** Hosts failing by {@link Signal#CRASH} (a failed apply included). */
  public int crashed() {
    return failed(Signal.CRASH);
  }

  /** Hosts failing by {@link Signal#SILENCE}. */
  public int silent() {
    return failed(Signal.SILENCE);
  }

  /**
   * Hosts failing by {@link Signal#METRICS} (over limits): the state's and the wave view's name,
   * {@code hot}, kept for callers that read the counts one by one (the server's wave view).
   */
  public int hot() {
    return failed(Signal.METRICS);
  }
}
