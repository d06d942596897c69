package dev.rolloutledger.server;

import dev.rolloutledger.schemas.kafka.KafkaConnection;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

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

  /**
   * {@code ledger.kafka.*}: the cluster and the client settings every Kafka client of the server
   * uses ({@link KafkaConnection}). Each has the environment variable of the same meaning; blank is
   * unset. A client properties file comes first, the single settings override it.
   */
  @ConfigurationProperties("kafka")
  public static class Kafka {
    private String bootstrapServers = KafkaConnection.DEFAULT_BOOTSTRAP_SERVERS;
    private int telemetryPartitions = dev.rolloutledger.schemas.Topics.TELEMETRY_PARTITIONS;
    private String clientPropertiesFile;
    private String securityProtocol;
    private String saslMechanism;
    private String saslUsername;
    private String saslPassword;
    private String sslTruststoreLocation;
    private String sslTruststorePassword;
    private String sslTruststoreType;
    private String sslKeystoreLocation;
    private String sslKeystorePassword;
    private String sslKeystoreType;
    private String sslKeyPassword;
    private String sslEndpointIdentificationAlgorithm;

    /** The client configuration these settings make. */
    public KafkaConnection connection() {
      Map<String, String> byVariable = new HashMap<>();
      putIfSet(byVariable, KafkaConnection.ENV_CLIENT_PROPERTIES, clientPropertiesFile);
      putIfSet(byVariable, KafkaConnection.ENV_SECURITY_PROTOCOL, securityProtocol);
      putIfSet(byVariable, KafkaConnection.ENV_SASL_MECHANISM, saslMechanism);
      putIfSet(byVariable, KafkaConnection.ENV_SASL_USERNAME, saslUsername);
      putIfSet(byVariable, KafkaConnection.ENV_SASL_PASSWORD, saslPassword);
      putIfSet(byVariable, KafkaConnection.ENV_TRUSTSTORE_LOCATION, sslTruststoreLocation);
      putIfSet(byVariable, KafkaConnection.ENV_TRUSTSTORE_PASSWORD, sslTruststorePassword);
      putIfSet(byVariable, KafkaConnection.ENV_TRUSTSTORE_TYPE, sslTruststoreType);
      putIfSet(byVariable, KafkaConnection.ENV_KEYSTORE_LOCATION, sslKeystoreLocation);
      putIfSet(byVariable, KafkaConnection.ENV_KEYSTORE_PASSWORD, sslKeystorePassword);
      putIfSet(byVariable, KafkaConnection.ENV_KEYSTORE_TYPE, sslKeystoreType);
      putIfSet(byVariable, KafkaConnection.ENV_KEY_PASSWORD, sslKeyPassword);
      putIfSet(
          byVariable,
          KafkaConnection.ENV_ENDPOINT_IDENTIFICATION,
          sslEndpointIdentificationAlgorithm);
      return KafkaConnection.resolve(bootstrapServers, byVariable::get);
    }

    private static void putIfSet(Map<String, String> m, String key, @Nullable String value) {
      if (value != null && !value.isBlank()) {
        m.put(key, value);
      }
    }

    @Nullable
    public String getClientPropertiesFile() {
      return clientPropertiesFile;
    }

    public void setClientPropertiesFile(@Nullable String clientPropertiesFile) {
      this.clientPropertiesFile = clientPropertiesFile;
    }

    @Nullable
    public String getSecurityProtocol() {
      return securityProtocol;
    }

    public void setSecurityProtocol(@Nullable String securityProtocol) {
      this.securityProtocol = securityProtocol;
    }

    @Nullable
    public String getSaslMechanism() {
      return saslMechanism;
    }

    public void setSaslMechanism(@Nullable String saslMechanism) {
      this.saslMechanism = saslMechanism;
    }

    @Nullable
    public String getSaslUsername() {
      return saslUsername;
    }

    public void setSaslUsername(@Nullable String saslUsername) {
      this.saslUsername = saslUsername;
    }

    @Nullable
    public String getSaslPassword() {
      return saslPassword;
    }

    public void setSaslPassword(@Nullable String saslPassword) {
      this.saslPassword = saslPassword;
    }

    @Nullable
    public String getSslTruststoreLocation() {
      return sslTruststoreLocation;
    }

    public void setSslTruststoreLocation(@Nullable String sslTruststoreLocation) {
      this.sslTruststoreLocation = sslTruststoreLocation;
    }

    @Nullable
    public String getSslTruststorePassword() {
      return sslTruststorePassword;
    }

    public void setSslTruststorePassword(@Nullable String sslTruststorePassword) {
      this.sslTruststorePassword = sslTruststorePassword;
    }

    @Nullable
    public String getSslTruststoreType() {
      return sslTruststoreType;
    }

    public void setSslTruststoreType(@Nullable String sslTruststoreType) {
      this.sslTruststoreType = sslTruststoreType;
    }

    @Nullable
    public String getSslKeystoreLocation() {
      return sslKeystoreLocation;
    }

    public void setSslKeystoreLocation(@Nullable String sslKeystoreLocation) {
      this.sslKeystoreLocation = sslKeystoreLocation;
    }

    @Nullable
    public String getSslKeystorePassword() {
      return sslKeystorePassword;
    }

    public void setSslKeystorePassword(@Nullable String sslKeystorePassword) {
      this.sslKeystorePassword = sslKeystorePassword;
    }

    @Nullable
    public String getSslKeystoreType() {
      return sslKeystoreType;
    }

    public void setSslKeystoreType(@Nullable String sslKeystoreType) {
      this.sslKeystoreType = sslKeystoreType;
    }

    @Nullable
    public String getSslKeyPassword() {
      return sslKeyPassword;
    }

    public void setSslKeyPassword(@Nullable String sslKeyPassword) {
      this.sslKeyPassword = sslKeyPassword;
    }

    @Nullable
    public String getSslEndpointIdentificationAlgorithm() {
      return sslEndpointIdentificationAlgorithm;
    }

    public void setSslEndpointIdentificationAlgorithm(
        @Nullable String sslEndpointIdentificationAlgorithm) {
      this.sslEndpointIdentificationAlgorithm = sslEndpointIdentificationAlgorithm;
    }

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
