package dev.rolloutledger.domain.gate;

import dev.rolloutledger.domain.InvalidFieldException;

/**
 * Hosts of one cohort observed over a window, and how many of them failed (each host counted at
 * most once).
 */
public record CohortCounts(long hosts, long failures) {

  public CohortCounts {
    if (hosts < 0) {
      throw new InvalidFieldException("hosts", "must be >= 0");
    }
    if (failures < 0 || failures > hosts) {
      throw new InvalidFieldException("failures", "must be in [0, hosts]");
    }
  }
}
