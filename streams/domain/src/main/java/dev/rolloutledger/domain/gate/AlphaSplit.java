package dev.rolloutledger.domain.gate;

import dev.rolloutledger.domain.InvalidFieldException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * How a rollout's alpha (the chance of ever halting a good release) is shared among the signals.
 * Each signal's {@link CohortEvidence} halts at {@code 1 / alpha(signal)}; by the union bound the
 * chance that any of them ever falsely halts is at most the sum of their alphas, {@code total}. The
 * union bound needs no independence between signals (a crash often also silences a host).
 *
 * <p>Not included: {@link HardCap}, the failure fraction cap, a fixed rule outside this guarantee:
 * its chance of halting a good release depends on the plan's cap (a cap of one failure halts at the
 * first background crash in a wave).
 *
 * @param total the rollout's alpha, in (0,1)
 * @param weights a positive weight per signal; {@code alpha(s) = total * weights(s) / sum of
 *     weights}. Every signal must have one. Iterates in {@link Signal} order.
 */
public record AlphaSplit(double total, Map<Signal, Double> weights) {

  public AlphaSplit {
    CohortEvidence.probability("total", total);
    if (weights == null) {
      throw new InvalidFieldException("weights", "must not be null");
    }
    EnumMap<Signal, Double> copy = new EnumMap<>(Signal.class);
    for (Signal signal : Signal.values()) {
      Double weight = weights.get(signal);
      if (weight == null || !(weight > 0) || Double.isInfinite(weight)) {
        throw new InvalidFieldException("weights[" + signal + "]", "must be a finite number > 0");
      }
      copy.put(signal, weight);
    }
    if (weights.size() != copy.size()) {
      throw new InvalidFieldException("weights", "must have one entry per signal");
    }
    weights = Collections.unmodifiableMap(copy);
  }

  /** The equal split: each of the four signals gets {@code total / 4}. */
  public static AlphaSplit equal(double total) {
    EnumMap<Signal, Double> weights = new EnumMap<>(Signal.class);
    for (Signal signal : Signal.values()) {
      weights.put(signal, 1.0);
    }
    return new AlphaSplit(total, weights);
  }

  /** The share of alpha given to {@code signal}. */
  public double alpha(Signal signal) {
    if (signal == null) {
      throw new InvalidFieldException("signal", "must not be null");
    }
    double sum = 0;
    for (double weight : weights.values()) {
      sum += weight;
    }
    return total * (weights.get(signal) / sum);
  }

  /** The e-value at which {@code signal} halts: {@code 1 / alpha(signal)}. */
  public double threshold(Signal signal) {
    return 1 / alpha(signal);
  }
}
