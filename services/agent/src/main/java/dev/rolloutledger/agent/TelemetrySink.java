package dev.rolloutledger.agent;

/** Where an agent's reports go: the telemetry route of the server, or a test's list. */
public interface TelemetrySink {
  /** UpdateApplied: the agent applied {@code release} ({@code ok}) or failed to ({@code error}). */
  void applied(String release, boolean ok, String error);
}
