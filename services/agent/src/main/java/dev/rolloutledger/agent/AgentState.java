package dev.rolloutledger.agent;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What an agent has persisted: the last command seq it accepted, the release installed and the one
 * before it (for a rollback), whether it holds, and the command it was acting on when it stopped
 * (set before acting, cleared after), so a restart knows an apply was interrupted.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record AgentState(
    String tenant,
    String host,
    long lastSeq,
    String installed,
    String previous,
    boolean holding,
    String rollout,
    String inProgress) {

  public static AgentState initial(String tenant, String host) {
    return new AgentState(tenant, host, 0, null, null, false, null, null);
  }

  AgentState accepted(long seq, String rollout, String commandId) {
    return new AgentState(tenant, host, seq, installed, previous, holding, rollout, commandId);
  }

  AgentState installed(String release) {
    String before = release.equals(installed) ? previous : installed;
    return new AgentState(tenant, host, lastSeq, release, before, false, rollout, null);
  }

  AgentState rolledBack() {
    return new AgentState(tenant, host, lastSeq, previous, null, holding, rollout, null);
  }

  AgentState holding(boolean hold) {
    return new AgentState(tenant, host, lastSeq, installed, previous, hold, rollout, null);
  }

  AgentState done() {
    return new AgentState(tenant, host, lastSeq, installed, previous, holding, rollout, null);
  }
}
