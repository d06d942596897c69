package dev.rolloutledger.domain.sim;

import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A seeded simulation of a fleet receiving one release under the owner's plan and policy, run in
 * virtual time against the real engine by {@link Simulator}. Field names follow the scenario JSON
 * (docs/simulation.md); every check names the field it refuses.
 *
 * @param horizon how long after publication the simulation runs at most
 * @param plan the owner's plan; null means {@link Plan#defaultPlan()}
 * @param policy the tenant's policy (its tenant must be {@link Simulator#TENANT}); null means none
 * @param historical the actual all-at-once propagation to compare against; null means none
 * @param approvals approvals a person grants, by wave and time after publication
 */
public record Scenario(
    String name,
    long seed,
    Duration horizon,
    Fleet fleet,
    Release release,
    Behavior behavior,
    OwnerPolicy policy,
    Plan plan,
    Historical historical,
    List<Approval> approvals) {

  /**
   * The simulated hosts: {@code hosts} of them, each beating every {@code heartbeatInterval}, each
   * label drawn independently with the given shares (per label, the shares add up to 1). {@code
   * liveness}: what reaches the engine as signs of life; {@link Liveness#HEARTBEATS}, the hosts'
   * heartbeats, or {@link Liveness#REPORTED}, a failure detector's HostSilent {@code detectorDelay}
   * after a host's last sign of life and HostBack at its first beat after (ADR 0006); the plan in
   * force judges silence the same way. {@code offline}: hosts off from the start; null means none.
   */
  public record Fleet(
      int hosts,
      Duration heartbeatInterval,
      Map<String, Map<String, Double>> labels,
      Liveness liveness,
      Duration detectorDelay,
      Offline offline) {

    /** The same fleet, its liveness told to the engine as {@code newLiveness} says. */
    public Fleet withLiveness(Liveness newLiveness) {
      return new Fleet(hosts, heartbeatInterval, labels, newLiveness, detectorDelay, offline);
    }

    /** The same fleet with {@code newOffline} hosts off from the start (null: none). */
    public Fleet withOffline(Offline newOffline) {
      return new Fleet(hosts, heartbeatInterval, labels, liveness, detectorDelay, newOffline);
    }

    /** No host off from the start. */
    public Fleet(
        int hosts,
        Duration heartbeatInterval,
        Map<String, Map<String, Double>> labels,
        Liveness liveness,
        Duration detectorDelay) {
      this(hosts, heartbeatInterval, labels, liveness, detectorDelay, null);
    }

    /** Heartbeats reach the engine. */
    public Fleet(int hosts, Duration heartbeatInterval, Map<String, Map<String, Double>> labels) {
      this(hosts, heartbeatInterval, labels, Liveness.HEARTBEATS, null);
    }

    public Fleet {
      if (hosts < 1 || hosts > 10_000_000) {
        throw new InvalidFieldException("fleet.hosts", "must be between 1 and 10000000");
      }
      positiveWholeSeconds("fleet.heartbeatInterval", heartbeatInterval);
      if (liveness == null) {
        liveness = Liveness.HEARTBEATS;
      }
      if (detectorDelay == null) {
        detectorDelay = heartbeatInterval;
      }
      nonNegative("fleet.detectorDelay", detectorDelay);
      if (detectorDelay.getNano() != 0) {
        throw new InvalidFieldException("fleet.detectorDelay", "must be a whole number of seconds");
      }
      labels = labels == null ? Map.of() : labels;
      Map<String, Map<String, Double>> sorted = new TreeMap<>();
      for (Map.Entry<String, Map<String, Double>> label : labels.entrySet()) {
        String field = "fleet.labels." + label.getKey();
        double sum = 0;
        for (Map.Entry<String, Double> share : label.getValue().entrySet()) {
          Double v = share.getValue();
          if (v == null || !(v >= 0 && v <= 1)) {
            throw new InvalidFieldException(
                field + "." + share.getKey(), "must be a share between 0 and 1");
          }
          sum += v;
        }
        if (Math.abs(sum - 1.0) > 1e-6) {
          throw new InvalidFieldException(field, "shares must add up to 1 (they add up to " + sum);
        }
        sorted.put(label.getKey(), new TreeMap<>(label.getValue()));
      }
      labels = java.util.Collections.unmodifiableMap(sorted);
    }
  }

  /**
   * Hosts off from the start (laptops, branch machines, maintenance): {@code fraction} of the
   * fleet, exactly {@code round(fraction * hosts)} hosts chosen by the seed, registered but silent:
   * no heartbeat, no command taken, no apply. Each comes back after a lognormal delay ({@code
   * backMedian}, {@code backP95}, from publication) and from then on behaves like any host; with
   * both null, none comes back within the horizon.
   */
  public record Offline(double fraction, Duration backMedian, Duration backP95) {

    /** Never back within the horizon. */
    public Offline(double fraction) {
      this(fraction, null, null);
    }

    public Offline {
      probability("fleet.offline.fraction", fraction);
      if (backMedian != null || backP95 != null) {
        nonNegative("fleet.offline.back.median", backMedian);
        nonNegative("fleet.offline.back.p95", backP95);
        if (backP95.compareTo(backMedian) < 0) {
          throw new InvalidFieldException("fleet.offline.back.p95", "must be at least the median");
        }
      }
    }

    /** Whether the hosts come back at all. */
    public boolean comesBack() {
      return backMedian != null;
    }

    /** How many of {@code hosts} are off. */
    public int of(int hosts) {
      return (int) Math.round(fraction * hosts);
    }
  }

  /** The release under test. */
  public record Release(String id, Severity severity) {
    public Release {
      if (id == null || id.isBlank()) {
        throw new InvalidFieldException("release.id", "must be set");
      }
      if (severity == null) {
        throw new InvalidFieldException("release.severity", "must be NORMAL or EMERGENCY");
      }
    }
  }

  /**
   * How hosts behave. {@code failProbability}: chance that a host which applies the release fails
   * because of it, after a lognormal delay ({@code failDelayMedian}, {@code failDelayP95}); of
   * those failures {@code silentFraction} stop heartbeating without a report, {@code hotFraction}
   * keep heartbeating with cpu and errorRate at 1.0, the rest send a crash report and go silent.
   * {@code recoverAfter} (optional): a failed host comes back after this (a flapping artifact).
   * {@code backgroundFailurePerHostHour}: outages of any host, whatever it runs, each lasting
   * {@code backgroundOutage}. Shocks silence a fraction of matching hosts for a while. {@code
   * regressionRatio}: a host running the release fails in the background this many times as often
   * (the Poisson model of docs/statistics.md; 1 = no regression). {@code diesBeforeReport}: the
   * fraction of the failing hosts whose failure comes before their apply report: such a host takes
   * the Apply and dies at once, and sends nothing ever again (no UpdateApplied, no heartbeat, no
   * crash report: the CrowdStrike pattern).
   */
  public record Behavior(
      double failProbability,
      Duration failDelayMedian,
      Duration failDelayP95,
      double silentFraction,
      double hotFraction,
      Duration recoverAfter,
      double backgroundFailurePerHostHour,
      Duration backgroundOutage,
      List<Shock> shocks,
      double regressionRatio,
      double diesBeforeReport) {

    /** Every failing host reports its apply first. */
    public Behavior(
        double failProbability,
        Duration failDelayMedian,
        Duration failDelayP95,
        double silentFraction,
        double hotFraction,
        Duration recoverAfter,
        double backgroundFailurePerHostHour,
        Duration backgroundOutage,
        List<Shock> shocks,
        double regressionRatio) {
      this(
          failProbability,
          failDelayMedian,
          failDelayP95,
          silentFraction,
          hotFraction,
          recoverAfter,
          backgroundFailurePerHostHour,
          backgroundOutage,
          shocks,
          regressionRatio,
          0.0);
    }

    /** Without a hazard regression: updated hosts fail in the background like the others. */
    public Behavior(
        double failProbability,
        Duration failDelayMedian,
        Duration failDelayP95,
        double silentFraction,
        double hotFraction,
        Duration recoverAfter,
        double backgroundFailurePerHostHour,
        Duration backgroundOutage,
        List<Shock> shocks) {
      this(
          failProbability,
          failDelayMedian,
          failDelayP95,
          silentFraction,
          hotFraction,
          recoverAfter,
          backgroundFailurePerHostHour,
          backgroundOutage,
          shocks,
          1.0);
    }

    public Behavior {
      if (!(regressionRatio >= 0 && regressionRatio <= 1000)) {
        throw new InvalidFieldException("behavior.regressionRatio", "must be between 0 and 1000");
      }
      probability("behavior.failProbability", failProbability);
      probability("behavior.diesBeforeReport", diesBeforeReport);
      probability("behavior.silentFraction", silentFraction);
      probability("behavior.hotFraction", hotFraction);
      if (silentFraction + hotFraction > 1 + 1e-9) {
        throw new InvalidFieldException(
            "behavior.hotFraction", "silentFraction + hotFraction must be at most 1");
      }
      nonNegative("behavior.failDelay.median", failDelayMedian);
      nonNegative("behavior.failDelay.p95", failDelayP95);
      if (failDelayP95.compareTo(failDelayMedian) < 0) {
        throw new InvalidFieldException("behavior.failDelay.p95", "must be at least the median");
      }
      if (recoverAfter != null) {
        positiveWholeSeconds("behavior.recoverAfter", recoverAfter);
      }
      if (!(backgroundFailurePerHostHour >= 0 && backgroundFailurePerHostHour <= 10)) {
        throw new InvalidFieldException(
            "behavior.backgroundFailurePerHostHour", "must be between 0 and 10");
      }
      positiveWholeSeconds("behavior.backgroundOutage", backgroundOutage);
      shocks = List.copyOf(shocks == null ? List.of() : shocks);
    }
  }

  /** From {@code at} after publication, {@code fraction} of the matching hosts go silent. */
  public record Shock(
      Duration at, Duration duration, Map<String, String> selector, double fraction) {
    public Shock {
      nonNegative("behavior.shocks.at", at);
      positiveWholeSeconds("behavior.shocks.duration", duration);
      selector = selector == null ? Map.of() : Map.copyOf(selector);
      probability("behavior.shocks.fraction", fraction);
    }
  }

  /** The historical all-at-once propagation: every host received the release within this. */
  public record Historical(Duration propagation) {
    public Historical {
      nonNegative("historical.propagation", propagation);
    }
  }

  /** A person approves {@code wave} at {@code at} after publication. */
  public record Approval(String wave, Duration at) {
    public Approval {
      if (wave == null || wave.isBlank()) {
        throw new InvalidFieldException("approvals.wave", "must be set");
      }
      nonNegative("approvals.at", at);
    }
  }

  public Scenario {
    if (name == null || name.isBlank()) {
      throw new InvalidFieldException("name", "must be set");
    }
    positiveWholeSeconds("horizon", horizon);
    if (horizon.compareTo(Duration.ofDays(366)) > 0) {
      throw new InvalidFieldException("horizon", "must be at most a year");
    }
    if (fleet == null) {
      throw new InvalidFieldException("fleet", "must be set");
    }
    if (release == null) {
      throw new InvalidFieldException("release", "must be set");
    }
    if (behavior == null) {
      throw new InvalidFieldException("behavior", "must be set");
    }
    if (policy != null && !policy.tenant().equals(Simulator.TENANT)) {
      throw new InvalidFieldException("policy", "tenant must be " + Simulator.TENANT);
    }
    approvals = List.copyOf(approvals == null ? List.of() : approvals);
    Plan effective = plan == null ? Plan.defaultPlan() : plan;
    for (Approval a : approvals) {
      if (effective.indexOf(a.wave()) < 0) {
        throw new InvalidFieldException("approvals.wave", "no wave named '" + a.wave() + "'");
      }
    }
  }

  /** The same scenario over another fleet. */
  public Scenario withFleet(Fleet newFleet) {
    return new Scenario(
        name, seed, horizon, newFleet, release, behavior, policy, plan, historical, approvals);
  }

  /** The same scenario under {@code newPlan} (null: the default plan). */
  public Scenario withPlan(Plan newPlan) {
    return new Scenario(
        name, seed, horizon, fleet, release, behavior, policy, newPlan, historical, approvals);
  }

  /**
   * The plan in force: the scenario's, or the default plan, judging liveness as the fleet reports
   * it.
   */
  public Plan effectivePlan() {
    return (plan == null ? Plan.defaultPlan() : plan).withLiveness(fleet.liveness());
  }

  private static void probability(String field, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new InvalidFieldException(field, "must be between 0 and 1");
    }
  }

  private static void nonNegative(String field, Duration d) {
    if (d == null) {
      throw new InvalidFieldException(field, "must be set (ISO-8601 duration, e.g. PT30S)");
    }
    if (d.isNegative()) {
      throw new InvalidFieldException(field, "must not be negative");
    }
  }

  private static void positiveWholeSeconds(String field, Duration d) {
    nonNegative(field, d);
    if (d.isZero() || d.getNano() != 0) {
      throw new InvalidFieldException(field, "must be a positive whole number of seconds");
    }
  }
}
