package dev.rolloutledger.reliability;

import java.util.List;

/**
 * A rollout the driver made and how it must end, decided from the scenario alone: a bad release
 * (its hosts report a crash after Apply) must halt, a good one must complete, whatever the faults.
 */
public record Expected(
    String tenant, String rollout, String release, boolean bad, List<String> hosts) {
  public String key() {
    return tenant + "/" + rollout;
  }

  public String end() {
    return bad ? "RolloutHalted" : "RolloutCompleted";
  }
}
