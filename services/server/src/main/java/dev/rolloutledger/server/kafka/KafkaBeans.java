package dev.rolloutledger.server.kafka;

import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.schemas.TopicInstaller;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.commands.SigningKeys;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistries;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.LedgerSettings;
import dev.rolloutledger.server.auth.TokenStore;
import dev.rolloutledger.server.cluster.Instances;
import dev.rolloutledger.server.keys.DeploymentKeys;
import dev.rolloutledger.topology.LedgerQueries;
import dev.rolloutledger.topology.LedgerStreamsConfig;
import dev.rolloutledger.topology.LedgerTopology;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.convert.format.MapFormat;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka wiring of the server. The factory only calls the topology builder; everything the topology
 * does is defined in streams/topology, so tests and replay build the same thing.
 */
@Factory
public class KafkaBeans {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaBeans.class);

  @Singleton
  @Bean(preDestroy = "close")
  SchemaRegistry schemaRegistry(LedgerSettings settings, InstalledTopics topics) {
    return SchemaRegistries.create(settings.getSchemaRegistryUrl(), topics.kafka());
  }

  /** Read to its end before the server answers: a request is never judged on half the tokens. */
  @Context
  @Bean(preDestroy = "close")
  TokenStore tokenStore(InstalledTopics topics) {
    return new TokenStore(topics.kafka());
  }

  /**
   * The topics exist before anything reads or writes them, on the embedded broker or any cluster.
   */
  @Singleton
  InstalledTopics installedTopics(LedgerSettings settings, KafkaConnection kafka) {
    ensureTopics(kafka, settings.getKafka().getTelemetryPartitions());
    return new InstalledTopics(kafka);
  }

  /** The cluster, once every topic of {@code Topics.all()} exists on it. */
  public record InstalledTopics(KafkaConnection kafka) {}

  /**
   * The one client configuration every Kafka client of the server starts from ({@code
   * ledger.kafka.*}: bootstrap servers, a client properties file, security settings).
   */
  @Singleton
  KafkaConnection kafkaConnection(LedgerSettings settings) {
    KafkaConnection kafka = settings.getKafka().connection();
    LOG.info("Kafka: {}", kafka);
    return kafka;
  }

  /** The deployment's key set; an instance without its active private key stops here. */
  @Context
  @Bean(preDestroy = "close")
  DeploymentKeys deploymentKeys(LedgerSettings settings, InstalledTopics topics) {
    return new DeploymentKeys(
        topics.kafka().properties(),
        settings.getStreams().getApplicationId(),
        SigningKeys.load(Path.of(settings.getKeyDir())));
  }

  @Context
  @Bean(preDestroy = "close")
  LedgerStreams ledgerStreams(
      LedgerSettings settings,
      KafkaConnection kafka,
      SchemaRegistry registry,
      DeploymentKeys keys,
      StreamThreadFailures failures,
      Instances instances,
      @Property(name = "kafka.streams.default")
          @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
          Map<String, Object> overrides) {
    LedgerSettings.Streams s = settings.getStreams();
    Map<String, Object> streamsSettings = new java.util.HashMap<>();
    // every instance tells the others where it answers (docs/adr/0010-every-instance-answers.md)
    instances
        .applicationServer()
        .ifPresent(a -> streamsSettings.put(StreamsConfig.APPLICATION_SERVER_CONFIG, a));
    streamsSettings.putAll(overrides);
    KafkaStreams streams =
        new KafkaStreams(
            LedgerTopology.build(registry, new EngineConfig(s.getCommandTtl()), keys.signer()),
            LedgerStreamsConfig.properties(
                s.getApplicationId(), kafka, s.getStateDir(), registry, streamsSettings));
    // a failing stream thread is replaced after a pause, until failures repeat (docs/failures.md)
    streams.setUncaughtExceptionHandler(failures::onFailure);
    streams.start();
    return new LedgerStreams(streams);
  }

  @Singleton
  StreamThreadFailures streamThreadFailures() {
    return new StreamThreadFailures();
  }

  @Singleton
  KafkaStreams kafkaStreams(LedgerStreams ledgerStreams) {
    return ledgerStreams.streams();
  }

  @Singleton
  LedgerQueries ledgerQueries(KafkaStreams streams) {
    return new LedgerQueries(streams);
  }

  /**
   * Owns the running topology. On shutdown it leaves the consumer group, so that a restarted
   * instance is assigned its tasks at once instead of after the old member's session times out (a
   * second rebalance that would make the stores unqueryable again seconds after start).
   */
  public record LedgerStreams(KafkaStreams streams) implements AutoCloseable {
    @Override
    public void close() {
      streams.close(
          CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
              .withTimeout(Duration.ofSeconds(30)));
    }
  }

  @Context
  @Bean(preDestroy = "close")
  CommandFeed commandFeed(
      InstalledTopics topics, SchemaRegistry registry, LedgerSettings settings) {
    return new CommandFeed(topics.kafka(), registry, settings.getStreams().getCommandTtl());
  }

  @Singleton
  @Bean(preDestroy = "close")
  TickPublisher tickPublisher(KafkaConnection kafka, SchemaRegistry registry) {
    return new TickPublisher(kafka, registry);
  }

  @Singleton
  @Bean(preDestroy = "close")
  EventPublisher eventPublisher(KafkaConnection kafka, SchemaRegistry registry) {
    return new EventPublisher(kafka, registry);
  }

  private static void ensureTopics(KafkaConnection kafka, int telemetryPartitions) {
    try (Admin admin = Admin.create(kafka.properties())) {
      var created =
          TopicInstaller.ensureTopics(
              admin,
              Topics.withTelemetryPartitions(telemetryPartitions),
              TopicInstaller.CLUSTER_DEFAULT_REPLICATION_FACTOR);
      if (!created.isEmpty()) {
        LOG.info("created topics {}", created);
      }
      // every host-stage task needs the watches and ticks (ADR 0007)
      TopicInstaller.requireAtLeastAsManyPartitions(admin, Topics.HOST_WATCH, Topics.TELEMETRY);
    }
  }
}
