package dev.rolloutledger.infra;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One node's place in a multi-node KRaft cluster whose nodes are each broker and controller: its
 * id, the controller port of every voter (all on the node's host), the cluster id they share and
 * the replication every internal topic gets. A cluster started this way uses a static quorum
 * ({@code controller.quorum.voters}); without a {@code Quorum} a broker is the single standalone
 * node it has always been.
 *
 * @param nodeId this node's {@code node.id}, a key of {@code controllerPorts}
 * @param controllerPorts the KRaft controller port of each voter, by node id
 * @param clusterId the id all nodes are formatted with (a Kafka {@code Uuid}, base64)
 * @param replicationFactor of internal topics and {@code default.replication.factor}
 * @param minInsyncReplicas {@code min.insync.replicas} and the transaction log's min ISR
 */
public record Quorum(
    int nodeId,
    Map<Integer, Integer> controllerPorts,
    String clusterId,
    int replicationFactor,
    int minInsyncReplicas) {

  public Quorum {
    controllerPorts = Map.copyOf(Objects.requireNonNull(controllerPorts, "controllerPorts"));
    Objects.requireNonNull(clusterId, "clusterId");
    if (!controllerPorts.containsKey(nodeId)) {
      throw new IllegalArgumentException(
          "node " + nodeId + " is not a voter of " + new TreeMap<>(controllerPorts));
    }
    if (replicationFactor < 1 || replicationFactor > controllerPorts.size()) {
      throw new IllegalArgumentException(
          "replicationFactor must be 1.." + controllerPorts.size() + ", was " + replicationFactor);
    }
    if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
      throw new IllegalArgumentException(
          "minInsyncReplicas must be 1.." + replicationFactor + ", was " + minInsyncReplicas);
    }
  }

  /** This node's controller port. */
  public int controllerPort() {
    return controllerPorts.get(nodeId);
  }

  /** {@code controller.quorum.voters}: {@code 1@host:port,2@host:port,...} by node id. */
  public String voters(String host) {
    return new TreeMap<>(controllerPorts)
        .entrySet().stream()
            .map(e -> e.getKey() + "@" + BrokerAddresses.hostPort(host, e.getValue()))
            .collect(Collectors.joining(","));
  }
}
