package dev.rolloutledger.domain;

import dev.rolloutledger.domain.gate.HardCap;
import java.time.Duration;
import java.util.Map;

/**
 * One wave of a {@link Plan}.
 *
 * <p>A host matches when it carries every label of {@code selector} with the same value (an empty
 * selector matches every host). Of the hosts that match and are not taken by an earlier wave,
 * {@code hosts} takes at most that many, {@code percent} takes {@code ceil(percent% of them)}, and
 * if both are null the wave takes them all. Hosts are taken in host-id order.
 *
 * <p>Failure fraction cap: the rollout halts once the wave has at least {@code minCrashes} failing
 * hosts and {@code failing / max(applied, 1) > maxCrashFraction}, failing by any signal (crashed,
 * silent, over limits), unless a shock hits the baseline cohort alike ({@link #failureCap()}). The
 * names keep "crash" from the first slice, which counted crashes only: plans carry them.
 *
 * <p>{@code approval}: the wave waits for an ApprovalGranted naming it before it promotes. {@code
 * maxFailureRate} (optional): a ceiling the wave must be shown to stay under before it promotes (an
 * anytime-valid upper bound; enforced by the engine issue's gate).
 *
 * <p>{@code bake}: how long, in event time, the wave must run after it started before it may
 * promote, even when every host applied: a release that fails minutes after apply (Azure Front Door
 * 2025) must be caught before the next wave starts.
 */
public record WavePlan(
    String name,
    Map<String, String> selector,
    Integer hosts,
    Integer percent,
    double maxCrashFraction,
    int minCrashes,
    Duration bake,
    boolean approval,
    Double maxFailureRate) {

  /** A wave without approval or failure-rate ceiling. */
  public WavePlan(
      String name,
      Map<String, String> selector,
      Integer hosts,
      Integer percent,
      double maxCrashFraction,
      int minCrashes,
      Duration bake) {
    this(name, selector, hosts, percent, maxCrashFraction, minCrashes, bake, false, null);
  }

  /** A wave without bake time: it promotes as soon as every host applied (tests, old plans). */
  public WavePlan(
      String name,
      Map<String, String> selector,
      Integer hosts,
      Integer percent,
      double maxCrashFraction,
      int minCrashes) {
    this(name, selector, hosts, percent, maxCrashFraction, minCrashes, Duration.ZERO);
  }

  public WavePlan {
    Checks.id("name", name);
    selector = Checks.sortedMap("selector", selector);
    if (hosts != null && percent != null) {
      throw new InvalidFieldException("hosts", "and percent are mutually exclusive");
    }
    if (hosts != null && hosts < 1) {
      throw new InvalidFieldException("hosts", "must be >= 1");
    }
    if (percent != null && (percent < 1 || percent > 100)) {
      throw new InvalidFieldException("percent", "must be in [1,100]");
    }
    // Written so that NaN fails too.
    if (!(maxCrashFraction >= 0 && maxCrashFraction <= 1)) {
      throw new InvalidFieldException("maxCrashFraction", "must be in [0,1]");
    }
    if (minCrashes < 1) {
      throw new InvalidFieldException("minCrashes", "must be >= 1");
    }
    Checks.present("bake", bake);
    if (bake.isNegative()) {
      throw new InvalidFieldException("bake", "must not be negative");
    }
    if (maxFailureRate != null && !(maxFailureRate > 0 && maxFailureRate <= 1)) {
      throw new InvalidFieldException("maxFailureRate", "must be in (0,1]");
    }
  }

  /** The wave's failure fraction cap: {@code minCrashes} and {@code maxCrashFraction}. */
  HardCap failureCap() {
    return new HardCap(minCrashes, maxCrashFraction, HardCap.SHOCK_RATIO);
  }

  /** The same wave with another bake time. */
  public WavePlan withBake(Duration newBake) {
    return new WavePlan(
        name,
        selector,
        hosts,
        percent,
        maxCrashFraction,
        minCrashes,
        newBake,
        approval,
        maxFailureRate);
  }

  /** Whether a host with these labels belongs in this wave by selector (ignoring capacity). */
  public boolean matches(Map<String, String> labels) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** How many of {@code matching} available hosts this wave takes. */
  public long capacity(long matching) {
    if (hosts != null) {
      return Math.min(hosts, matching);
    }
    if (percent != null) {
      return (percent * matching + 99) / 100;
    }
    return matching;
  }
}
