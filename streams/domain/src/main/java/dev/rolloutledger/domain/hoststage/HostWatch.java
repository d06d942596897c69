package dev.rolloutledger.domain.hoststage;

import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.RolloutState;
import dev.rolloutledger.domain.RolloutStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the host stage watches for one tenant, derived by the decision stage from the tenant's gated
 * rollouts (ACTIVE or PAUSED) and sent back to every host-stage task whenever it changes.
 *
 * @param tenant whose hosts
 * @param silenceAfter a host whose heartbeats stopped this long ago is reported silent ({@link
 *     dev.rolloutledger.domain.Detector#HOST_STAGE}); null when no gated plan judges liveness from
 *     heartbeats. Half the shortest such plan's heartbeat timeout less one tick (1 s): the engine's
 *     shock rule counts baseline hosts quiet for half the timeout, so their reports must be in the
 *     journal by then, and the verdict itself comes at the last sign of life plus the timeout.
 * @param limits every metric ceiling of the tenant's gated plans, by metric, ascending and
 *     distinct: a heartbeat is news when the set of ceilings it exceeds changes
 * @param rollouts the gated rollouts, sorted: a rollout that starts or ends changes the watch even
 *     when its plan's ceilings do not, so hosts over a ceiling are forwarded once more for it
 */
public record HostWatch(
    String tenant, Duration silenceAfter, Map<String, List<Double>> limits, List<String> rollouts) {

  /** One tick of the ledger's clock: reports come this much before the shock rule needs them. */
  static final Duration TICK = Duration.ofSeconds(1);

  public HostWatch {
    if (tenant == null || tenant.isBlank()) {
      throw new InvalidFieldException("tenant", "must not be blank");
    }
    if (silenceAfter != null && (silenceAfter.isNegative() || silenceAfter.isZero())) {
      throw new InvalidFieldException("silenceAfter", "must be positive");
    }
    TreeMap<String, List<Double>> sorted = new TreeMap<>();
    for (Map.Entry<String, List<Double>> e : limits.entrySet()) {
      TreeSet<Double> distinct = new TreeSet<>();
      for (Double limit : e.getValue()) {
        if (limit == null || !Double.isFinite(limit)) {
          throw new InvalidFieldException("limits[" + e.getKey() + "]", "must be finite numbers");
        }
        distinct.add(limit);
      }
      if (!distinct.isEmpty()) {
        sorted.put(e.getKey(), List.copyOf(distinct));
      }
    }
    limits = Collections.unmodifiableMap(sorted);
    rollouts = List.copyOf(new TreeSet<>(rollouts));
  }

  /** A watch that names no rollouts. */
  public HostWatch(String tenant, Duration silenceAfter, Map<String, List<Double>> limits) {
    this(tenant, silenceAfter, limits, List.of());
  }

  /** Nothing watched: no silence reports, every heartbeat absorbed. */
  public static HostWatch none(String tenant) {
    return new HostWatch(tenant, null, Map.of());
  }

  /** The watch of a tenant whose gated rollouts, by id, follow the plans given. */
  public static HostWatch of(String tenant, Map<String, Plan> gated) {
    HostWatch w = of(tenant, gated.values());
    return new HostWatch(tenant, w.silenceAfter(), w.limits(), List.copyOf(gated.keySet()));
  }

  /** The watch of a tenant whose gated rollouts follow {@code plans}. */
  public static HostWatch of(String tenant, Collection<Plan> plans) {
    Duration shortest = null;
    Map<String, List<Double>> limits = new TreeMap<>();
    for (Plan plan : plans) {
      if (plan.liveness() == Liveness.HEARTBEATS
          && (shortest == null || plan.heartbeatTimeout().compareTo(shortest) < 0)) {
        shortest = plan.heartbeatTimeout();
      }
      plan.limits().forEach((m, l) -> limits.computeIfAbsent(m, k -> new ArrayList<>()).add(l));
    }
    return new HostWatch(tenant, shortest == null ? null : silenceAfter(shortest), limits);
  }

  /**
   * The watch the decision stage sends for a tenant whose rollouts are {@code rollouts}: of the
   * plans of the gated ones (ACTIVE or PAUSED).
   */
  public static HostWatch ofGated(String tenant, Collection<RolloutState> rollouts) {
    Map<String, Plan> gated = new java.util.TreeMap<>();
    for (RolloutState r : rollouts) {
      if (r.status() == RolloutStatus.ACTIVE || r.status() == RolloutStatus.PAUSED) {
        gated.put(r.rollout(), r.plan());
      }
    }
    return of(tenant, gated);
  }

  /** Half the timeout less a tick, or half the timeout when that leaves nothing. */
  static Duration silenceAfter(Duration heartbeatTimeout) {
    Duration half = heartbeatTimeout.dividedBy(2);
    Duration early = half.minus(TICK);
    return early.isNegative() || early.isZero() ? half : early;
  }

  /** The ceilings of one metric, ascending, as an array (the heartbeat path reads it). */
  double[] ceilings(String metric) {
    List<Double> l = limits.get(metric);
    return l == null ? null : l.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("HostWatch[" + tenant + ", silenceAfter " + silenceAfter);
    limits.forEach((m, l) -> b.append(", ").append(m).append(Arrays.toString(l.toArray())));
    b.append(", rollouts ").append(rollouts);
    return b.append(']').toString();
  }
}
