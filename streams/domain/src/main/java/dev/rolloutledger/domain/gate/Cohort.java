package dev.rolloutledger.domain.gate;

/**
 * The two groups a wave's failures are compared between.
 *
 * <p>{@link #UPDATED}: hosts that applied the release. {@link #BASELINE}: comparable hosts (same
 * tenant and selector) still on the previous version.
 */
public enum Cohort {
  UPDATED,
  BASELINE
}
