package dev.rolloutledger.domain;

import java.util.Map;

/**
 * A wave's spread: at most {@code hosts} hosts from each value of the label {@code by}, e.g. two
 * hosts per branch office. Of the free hosts the wave's selector matches, taken in host-id order, a
 * host joins while its value of {@code by} has fewer than {@code hosts} hosts in the wave; a host
 * without that label is never taken by a spread wave.
 *
 * @param by the label whose values are spread over, e.g. {@code branch}
 * @param hosts the most hosts taken per value, at least 1
 */
public record Spread(String by, int hosts) {

  public Spread {
    Checks.id("by", by);
    if (hosts < 1) {
      throw new InvalidFieldException("hosts", "must be >= 1");
    }
  }

  /** The host's value of {@link #by()}, or null when it has none (then it is never taken). */
  public String valueOf(Map<String, String> labels) {
    return labels.get(by);
  }
}
