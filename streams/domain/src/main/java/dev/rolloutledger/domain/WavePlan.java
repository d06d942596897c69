package dev.rolloutledger.domain;

import dev.rolloutledger.domain.gate.HardCap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 *
 * <p>{@code spread} (optional, {@link Spread}): of the matching free hosts, in host-id order, at
 * most {@code spread.hosts} per value of the label {@code spread.by}; hosts without that label are
 * not taken. {@code hosts} or {@code percent} then cap that selection: {@code percent} is a share
 * of it, and {@code hosts} takes its first hosts in host-id order.
 *
 * <p>Batches: {@code batches} (N >= 2 near-equal parts) or {@code batchSize} (parts of that many
 * hosts, the last one smaller), never both, and never with {@code spread}. When the rollout starts
 * and the wave's members are known, the wave becomes consecutive waves {@code NAME.1}, {@code
 * NAME.2}, ... ({@link #batches(int)}), each judged, baked and promoted like any wave: each but the
 * last bakes {@code batchBake} (default zero: the next batch starts once the previous one applied
 * and was watched for a heartbeat timeout), the last bakes {@code bake}. A wave is split into at
 * most {@link #MAX_BATCHES} batches; more would make the batches larger rather than the rollout's
 * state longer.
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
    Double maxFailureRate,
    Integer batches,
    Integer batchSize,
    Duration batchBake,
    Spread spread) {

  /** The most batches one wave is split into. */
  public static final int MAX_BATCHES = 50;

  /** A wave without batches or spread. */
  public WavePlan(
      String name,
      Map<String, String> selector,
      Integer hosts,
      Integer percent,
      double maxCrashFraction,
      int minCrashes,
      Duration bake,
      boolean approval,
      Double maxFailureRate) {
    this(
        name,
        selector,
        hosts,
        percent,
        maxCrashFraction,
        minCrashes,
        bake,
        approval,
        maxFailureRate,
        null,
        null,
        Duration.ZERO,
        null);
  }

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
    if (batches != null && batchSize != null) {
      throw new InvalidFieldException("batchSize", "and batches are mutually exclusive");
    }
    if (batches != null && batches < 2) {
      throw new InvalidFieldException("batches", "must be >= 2");
    }
    if (batchSize != null && batchSize < 1) {
      throw new InvalidFieldException("batchSize", "must be >= 1");
    }
    Checks.present("batchBake", batchBake);
    if (batchBake.isNegative()) {
      throw new InvalidFieldException("batchBake", "must not be negative");
    }
    if (!batchBake.isZero() && batches == null && batchSize == null) {
      throw new InvalidFieldException("batchBake", "needs batches or batchSize");
    }
    if (spread != null && (batches != null || batchSize != null)) {
      throw new InvalidFieldException(
          "spread", "cannot be combined with batches or batchSize: a spread wave is one batch");
    }
  }

  /** Whether the wave is split into batches when its rollout starts. */
  public boolean batched() {
    return batches != null || batchSize != null;
  }

  /**
   * The waves this one becomes once {@code members} hosts are known to be its share: {@code NAME.1}
   * .. {@code NAME.k}, in order, with these sizes: {@code batches} near-equal parts (the first ones
   * one larger), or parts of {@code batchSize} with a smaller last one; at most {@link
   * #MAX_BATCHES} parts (near-equal when capped), at most one per host, and one when no host
   * matched. Each takes the wave's selector; its {@code hosts} is its exact size, except the last
   * one's, which keeps the room the wave had: all the remaining matching hosts if the wave had
   * neither {@code hosts} nor {@code percent}, the rest of {@code hosts} if it had a cap (a host
   * that registers later joins it while there is room), its exact size for a {@code percent} wave.
   * Bakes: {@code batchBake} for each but the last, {@code bake} for the last; approval on the
   * first only; failure caps and {@code maxFailureRate} as the wave's. A wave without batches is
   * returned as it is.
   */
  public List<WavePlan> batches(int members) {
    if (!batched()) {
      return List.of(this);
    }
    int[] sizes = batchSizes(members);
    List<WavePlan> out = new ArrayList<>(sizes.length);
    int before = 0;
    for (int i = 0; i < sizes.length; i++) {
      boolean last = i == sizes.length - 1;
      Integer cap;
      Integer share = null;
      if (!last) {
        cap = sizes[i];
      } else if (members == 0) {
        cap = hosts;
        share = percent; // nothing was taken: the wave's own room, for hosts that come later
      } else if (hosts == null && percent == null) {
        cap = null;
      } else if (hosts != null) {
        cap = hosts - before;
      } else {
        cap = sizes[i];
      }
      out.add(
          new WavePlan(
              name + "." + (i + 1),
              selector,
              cap,
              share,
              maxCrashFraction,
              minCrashes,
              last ? bake : batchBake,
              approval && i == 0,
              maxFailureRate));
      before += sizes[i];
    }
    return out;
  }

  private int[] batchSizes(int members) {
    if (members == 0) {
      return new int[] {0};
    }
    int parts =
        batches != null
            ? Math.min(batches, members)
            : (int) ((members + (long) batchSize - 1) / batchSize);
    if (batchSize != null && parts <= MAX_BATCHES) {
      int[] sizes = new int[parts];
      for (int i = 0; i < parts; i++) {
        sizes[i] = Math.min(batchSize, members - i * batchSize);
      }
      return sizes;
    }
    parts = Math.min(parts, MAX_BATCHES);
    int[] sizes = new int[parts];
    for (int i = 0; i < parts; i++) {
      sizes[i] = members / parts + (i < members % parts ? 1 : 0);
    }
    return sizes;
  }

  /**
   * Whether {@code name} is one of the names this wave's batches take ({@code NAME.} followed by
   * digits): no other wave of the plan may have it.
   */
  public boolean isBatchName(String other) {
    if (!batched() || !other.startsWith(name + ".") || other.length() == name.length() + 1) {
      return false;
    }
    for (int i = name.length() + 1; i < other.length(); i++) {
      if (!Character.isDigit(other.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** The wave's failure fraction cap: {@code minCrashes} and {@code maxCrashFraction}. */
  HardCap failureCap() {
    return new HardCap(minCrashes, maxCrashFraction, HardCap.SHOCK_RATIO);
  }

  /** The same wave with other bake times: {@code bake} and {@code batchBake}. */
  public WavePlan withBakes(Duration newBake, Duration newBatchBake) {
    return with(newBake, batches, batchSize, newBatchBake, spread);
  }

  /** The same wave with another bake time. */
  public WavePlan withBake(Duration newBake) {
    return withBakes(newBake, batchBake);
  }

  /** The same wave, split into {@code n} batches with {@code between} as each batch's bake. */
  public WavePlan inBatches(int n, Duration between) {
    return with(bake, n, null, between, null);
  }

  /** The same wave, taking at most {@code perValue} hosts per value of the label {@code by}. */
  public WavePlan spreadBy(String by, int perValue) {
    return with(bake, batches, batchSize, batchBake, new Spread(by, perValue));
  }

  private WavePlan with(
      Duration newBake,
      Integer newBatches,
      Integer newBatchSize,
      Duration newBatchBake,
      Spread newSpread) {
    return new WavePlan(
        name,
        selector,
        hosts,
        percent,
        maxCrashFraction,
        minCrashes,
        newBake,
        approval,
        maxFailureRate,
        newBatches,
        newBatchSize,
        newBatchBake,
        newSpread);
  }

  /**
   * Whether a host with these labels belongs in this wave by selector (ignoring capacity); a spread
   * wave also needs its label.
   */
  public boolean matches(Map<String, String> labels) {
    if (spread != null && spread.valueOf(labels) == null) {
      return false;
    }
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
