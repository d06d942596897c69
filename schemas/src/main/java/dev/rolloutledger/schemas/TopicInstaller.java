package dev.rolloutledger.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the ledger's topics that do not exist yet; existing topics are left as they are. */
public final class TopicInstaller {

  private static final Logger LOG = LoggerFactory.getLogger(TopicInstaller.class);

  /** Replication factor for the single-node dev broker. */
  public static final short DEFAULT_REPLICATION_FACTOR = 1;

  /** Pass as replication factor to use the cluster's {@code default.replication.factor}. */
  public static final short CLUSTER_DEFAULT_REPLICATION_FACTOR = -1;

  private TopicInstaller() {}

  /** {@link #ensureTopics(Admin, Collection, short)} with replication factor 1. */
  public static List<String> ensureTopics(
      Admin admin, Collection<? extends TopicDescriptor<?, ?>> topics) {
    return ensureTopics(admin, topics, DEFAULT_REPLICATION_FACTOR);
  }

  /**
   * Creates every topic of {@code topics} that is missing, with the descriptor's partitions,
   * cleanup policy and configs. A topic that already exists is not touched, whatever its settings.
   *
   * @param replicationFactor replication factor of created topics; {@link
   *     #CLUSTER_DEFAULT_REPLICATION_FACTOR} (or any value below 1) leaves it to the cluster
   * @return the names created by this call, in the order given
   * @throws TopicInstallException when a topic could not be created for any reason but "exists"
   */
  public static List<String> ensureTopics(
      Admin admin, Collection<? extends TopicDescriptor<?, ?>> topics, short replicationFactor) {
    Map<String, NewTopic> wanted = new LinkedHashMap<>();
    for (TopicDescriptor<?, ?> topic : topics) {
      NewTopic newTopic = newTopic(topic, replicationFactor);
      NewTopic previous = wanted.putIfAbsent(topic.name(), newTopic);
      if (previous != null && !previous.equals(newTopic)) {
        throw new IllegalArgumentException(
            "topic " + topic.name() + " is declared twice, differently");
      }
    }
    if (wanted.isEmpty()) {
      return List.of();
    }
    CreateTopicsResult result = admin.createTopics(wanted.values());
    Map<String, KafkaFuture<Void>> futures = result.values();
    List<String> created = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Throwable firstFailure = null;
    for (String name : wanted.keySet()) {
      try {
        futures.get(name).get();
        created.add(name);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TopicExistsException) {
          LOG.debug("topic {} exists", name);
        } else {
          failures.add(name + ": " + e.getCause());
          firstFailure = firstFailure == null ? e.getCause() : firstFailure;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TopicInstallException("interrupted while creating topics " + wanted.keySet(), e);
      }
    }
    if (!failures.isEmpty()) {
      throw new TopicInstallException(
          "could not create topics " + failures + " (created " + created + ")", firstFailure);
    }
    if (!created.isEmpty()) {
      LOG.info("created topics {}", created);
    }
    return List.copyOf(created);
  }

  /**
   * Refuses a cluster on which {@code topic} has fewer partitions than {@code than}: the host stage
   * reads both in one task per partition (ADR 0007), and a telemetry partition without its
   * host-watch partition would never hear a tick.
   *
   * @throws TopicInstallException naming both counts and what to do
   */
  public static void requireAtLeastAsManyPartitions(
      Admin admin, TopicDescriptor<?, ?> topic, TopicDescriptor<?, ?> than) {
    try {
      var d = described(admin, List.of(topic.name(), than.name()));
      int have = d.get(topic.name()).partitions().size();
      int need = d.get(than.name()).partitions().size();
      if (have < need) {
        throw new TopicInstallException(
            topic.name()
                + " has "
                + have
                + " partitions and "
                + than.name()
                + " "
                + need
                + ": add partitions to "
                + topic.name()
                + " (kafka-topics.sh --alter --partitions "
                + need
                + ")",
            null);
      }
    } catch (ExecutionException e) {
      throw new TopicInstallException("could not describe " + topic.name(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopicInstallException("interrupted while describing topics", e);
    }
  }

  /** How long a topic just created may stay unknown to the broker that answers a describe. */
  static final long METADATA_WAIT_MS = 30_000;

  /**
   * The topics' descriptions. Right after {@link #ensureTopics} created them, a broker may not know
   * them yet (UnknownTopicOrPartition, a retriable error): asked again until {@link
   * #METADATA_WAIT_MS} has passed.
   */
  private static Map<String, org.apache.kafka.clients.admin.TopicDescription> described(
      Admin admin, List<String> names) throws ExecutionException, InterruptedException {
    long deadline = System.nanoTime() + METADATA_WAIT_MS * 1_000_000;
    while (true) {
      try {
        return admin.describeTopics(names).allTopicNames().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        LOG.debug("topics {} not known yet: {}", names, e.getCause().getMessage());
        Thread.sleep(200); // metadata propagating on the broker: nothing to wait on but time
      }
    }
  }

  static NewTopic newTopic(TopicDescriptor<?, ?> topic, short replicationFactor) {
    Map<String, String> configs = new HashMap<>(topic.configs());
    String policy = topic.cleanupPolicy();
    if (policy != null && !policy.isBlank()) {
      String declared = configs.get(TopicConfig.CLEANUP_POLICY_CONFIG);
      if (declared != null && !declared.equals(policy)) {
        throw new IllegalArgumentException(
            "topic "
                + topic.name()
                + " declares cleanupPolicy "
                + policy
                + " but configs say cleanup.policy="
                + declared);
      }
      configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, policy);
    }
    Optional<Short> rf = replicationFactor >= 1 ? Optional.of(replicationFactor) : Optional.empty();
    return new NewTopic(topic.name(), Optional.of(topic.partitions()), rf).configs(configs);
  }

  /** Topics could not be created. */
  public static final class TopicInstallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TopicInstallException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
