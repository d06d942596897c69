package dev.rolloutledger.server;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;

/** Settings under {@code ledger.*} in application.yml (each has an environment variable). */
@ConfigurationProperties("ledger")
public class LedgerSettings {
  private String schemaRegistryUrl;
  private String keyDir = ".ledger/keys";

  /** Where the Ed25519 key that signs commands lives (created on first start). */
  public String getKeyDir() {
    return keyDir;
  }

  public void setKeyDir(String keyDir) {
    this.keyDir = keyDir;
  }

  private Kafka kafka = new Kafka();
  private Streams streams = new Streams();

  @Nullable
  public String getSchemaRegistryUrl() {
    return schemaRegistryUrl;
  }

  public void setSchemaRegistryUrl(@Nullable String schemaRegistryUrl) {
    this.schemaRegistryUrl = schemaRegistryUrl;
  }

  public Kafka getKafka() {
    return kafka;
  }

  public void setKafka(Kafka kafka) {
    this.kafka = kafka;
  }

  public Streams getStreams() {
    return streams;
  }

  public void setStreams(Streams streams) {
    this.streams = streams;
  }

  @ConfigurationProperties("kafka")
  public static class Kafka {
    private String bootstrapServers = "127.0.0.1:9092";
    private int telemetryPartitions = dev.rolloutledger.schemas.Topics.TELEMETRY_PARTITIONS;

    /**
     * Partitions of ledger.telemetry and ledger.host-watch when the server creates them: the host
     * stage's tasks (ADR 0007), so how many threads and instances share a tenant's heartbeats.
     */
    public int getTelemetryPartitions() {
      return telemetryPartitions;
    }

    public void setTelemetryPartitions(int telemetryPartitions) {
      this.telemetryPartitions = telemetryPartitions;
    }

    public String getBootstrapServers() {
      return bootstrapServers;
    }

    public void setBootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
    }
  }

  @ConfigurationProperties("streams")
  public static class Streams {
    private String applicationId = "rollout-ledger";
    private String stateDir = ".ledger/streams";
    private Duration commandTtl = Duration.ofHours(1);

    public String getApplicationId() {
      return applicationId;
    }

    public void setApplicationId(String applicationId) {
      this.applicationId = applicationId;
    }

    public String getStateDir() {
      return stateDir;
    }

    public void setStateDir(String stateDir) {
      this.stateDir = stateDir;
    }

    public Duration getCommandTtl() {
      return commandTtl;
    }

    public void setCommandTtl(Duration commandTtl) {
      this.commandTtl = commandTtl;
    }
  }
}
