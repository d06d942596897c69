package dev.rolloutledger.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class QuorumTest {
  private static final Map<Integer, Integer> VOTERS = Map.of(1, 19291, 2, 19292, 3, 19293);

  @Nested
  class Config {
    @Test
    void a_cluster_node_names_every_voter_and_replicates_internal_topics() {
      Quorum quorum = new Quorum(2, VOTERS, "MkU3OEVBNTcwNTJENDM2Qk", 3, 2);

      Map<String, String> c =
          EmbeddedKafkaBroker.kafkaConfig(
              "127.0.0.1", "127.0.0.1", 19192, 19292, Path.of("/tmp/x"), quorum);

      assertThat(c)
          .containsEntry("node.id", "2")
          .containsEntry(
              "controller.quorum.voters", "1@127.0.0.1:19291,2@127.0.0.1:19292,3@127.0.0.1:19293")
          .containsEntry("default.replication.factor", "3")
          .containsEntry("min.insync.replicas", "2")
          .containsEntry("offsets.topic.replication.factor", "3")
          .containsEntry("transaction.state.log.replication.factor", "3")
          .containsEntry("transaction.state.log.min.isr", "2")
          .doesNotContainKey("controller.quorum.bootstrap.servers");
    }

    @Test
    void the_single_node_config_is_unchanged_without_a_quorum() {
      Map<String, String> c =
          EmbeddedKafkaBroker.kafkaConfig("127.0.0.1", "127.0.0.1", 9092, 9093, Path.of("/tmp/x"));

      assertThat(c)
          .containsEntry("node.id", "1")
          .containsEntry("controller.quorum.bootstrap.servers", "127.0.0.1:9093")
          .containsEntry("default.replication.factor", "1")
          .containsEntry("min.insync.replicas", "1")
          .doesNotContainKey("controller.quorum.voters");
    }
  }

  @Nested
  class Checks {
    @Test
    void refuses_a_node_that_is_not_a_voter() {
      assertThatThrownBy(() -> new Quorum(4, VOTERS, "id", 3, 2))
          .hasMessageContaining("node 4 is not a voter");
    }

    @Test
    void refuses_min_insync_above_the_replication_factor() {
      assertThatThrownBy(() -> new Quorum(1, VOTERS, "id", 2, 3))
          .hasMessageContaining("minInsyncReplicas must be 1..2");
    }

    @Test
    void a_cluster_node_needs_its_voter_port() {
      Quorum quorum = new Quorum(1, VOTERS, "id", 3, 2);

      assertThatThrownBy(
              () -> new BrokerOptions(Path.of("/tmp/x"), "127.0.0.1", 19191, 1, false, quorum))
          .hasMessageContaining("controller port of its voter (19291)");
      assertThat(BrokerOptions.clusterNode(Path.of("/tmp/x"), 19191, quorum).controllerPort())
          .isEqualTo(19291);
    }
  }

  @Test
  void parses_a_cluster_node_command_line() {
    ClusterNodeMain.Args args =
        ClusterNodeMain.parse(
            new String[] {
              "--data-dir",
              "/tmp/n1",
              "--node-id",
              "1",
              "--port",
              "19191",
              "--voters",
              "1=19291,2=19292,3=19293",
              "--cluster-id",
              "abc"
            });

    assertThat(args.port()).isEqualTo(19191);
    assertThat(args.quorum().controllerPort()).isEqualTo(19291);
    assertThat(args.quorum().replicationFactor()).isEqualTo(3);
    assertThat(args.quorum().minInsyncReplicas()).isEqualTo(2);
  }
}
