package dev.rolloutledger.schemas.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How to reach one Kafka cluster: its bootstrap servers plus the client settings every client of
 * the system needs there (security protocol, SASL mechanism and JAAS line, truststore, keystore).
 * Every producer, consumer, admin client and Streams app the server, the CLI, the load tests and
 * the reliability suite make starts from {@link #properties()}, so one configuration reaches them
 * all.
 *
 * <p>From the environment ({@link #fromEnvironment()}), in this order, later wins:
 *
 * <ol>
 *   <li>{@value #ENV_CLIENT_PROPERTIES}: a standard Kafka client {@code .properties} file (what
 *       {@code kafka-console-producer --producer.config} takes; the embedded broker writes one per
 *       principal into {@code LEDGER_HOME/kafka/credentials/});
 *   <li>the single settings {@code LEDGER_KAFKA_SECURITY_PROTOCOL}, {@code
 *       LEDGER_KAFKA_SASL_MECHANISM}, {@code LEDGER_KAFKA_SASL_USERNAME} and {@code _PASSWORD}
 *       (they make the SCRAM or PLAIN JAAS line), {@code LEDGER_KAFKA_SSL_TRUSTSTORE_LOCATION},
 *       {@code _PASSWORD}, {@code _TYPE}, {@code LEDGER_KAFKA_SSL_KEYSTORE_LOCATION}, {@code
 *       _PASSWORD}, {@code _TYPE}, {@code LEDGER_KAFKA_SSL_KEY_PASSWORD}, {@code
 *       LEDGER_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM} ({@code none}: no host name check).
 * </ol>
 *
 * <p>{@value #ENV_BOOTSTRAP_SERVERS} names the cluster; without it, the file's {@code
 * bootstrap.servers}, else {@value #DEFAULT_BOOTSTRAP_SERVERS}. {@link #toString()} never shows a
 * password or a JAAS line.
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> settings) {

  public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
  public static final String ENV_BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";
  public static final String ENV_CLIENT_PROPERTIES = "LEDGER_KAFKA_CLIENT_PROPERTIES";
  public static final String ENV_SECURITY_PROTOCOL = "LEDGER_KAFKA_SECURITY_PROTOCOL";
  public static final String ENV_SASL_MECHANISM = "LEDGER_KAFKA_SASL_MECHANISM";
  public static final String ENV_SASL_USERNAME = "LEDGER_KAFKA_SASL_USERNAME";
  public static final String ENV_SASL_PASSWORD = "LEDGER_KAFKA_SASL_PASSWORD";
  public static final String ENV_TRUSTSTORE_LOCATION = "LEDGER_KAFKA_SSL_TRUSTSTORE_LOCATION";
  public static final String ENV_TRUSTSTORE_PASSWORD = "LEDGER_KAFKA_SSL_TRUSTSTORE_PASSWORD";
  public static final String ENV_TRUSTSTORE_TYPE = "LEDGER_KAFKA_SSL_TRUSTSTORE_TYPE";
  public static final String ENV_KEYSTORE_LOCATION = "LEDGER_KAFKA_SSL_KEYSTORE_LOCATION";
  public static final String ENV_KEYSTORE_PASSWORD = "LEDGER_KAFKA_SSL_KEYSTORE_PASSWORD";
  public static final String ENV_KEYSTORE_TYPE = "LEDGER_KAFKA_SSL_KEYSTORE_TYPE";
  public static final String ENV_KEY_PASSWORD = "LEDGER_KAFKA_SSL_KEY_PASSWORD";
  public static final String ENV_ENDPOINT_IDENTIFICATION =
      "LEDGER_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM";

  static final String BOOTSTRAP = "bootstrap.servers";
  static final String SECURITY_PROTOCOL = "security.protocol";
  static final String SASL_MECHANISM = "sasl.mechanism";
  static final String SASL_JAAS_CONFIG = "sasl.jaas.config";

  /** Single settings: environment variable -> Kafka client property. */
  private static final Map<String, String> SINGLE_SETTINGS = singleSettings();

  private static final Pattern JAAS_USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

  public KafkaConnection {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("Kafka bootstrap servers are empty");
    }
    Map<String, String> copy = new TreeMap<>(Objects.requireNonNull(settings, "settings"));
    copy.remove(BOOTSTRAP); // one place for the cluster's address: bootstrapServers
    settings = Collections.unmodifiableMap(copy);
  }

  /** A cluster without authentication or TLS (tests, the open embedded broker). */
  public static KafkaConnection plaintext(String bootstrapServers) {
    return new KafkaConnection(bootstrapServers, Map.of());
  }

  /**
   * SASL with a username and password: {@code mechanism} SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN,
   * {@code securityProtocol} SASL_PLAINTEXT or SASL_SSL.
   */
  public static KafkaConnection sasl(
      String bootstrapServers,
      String securityProtocol,
      String mechanism,
      String username,
      String password) {
    Map<String, String> s = new HashMap<>();
    s.put(SECURITY_PROTOCOL, securityProtocol);
    s.put(SASL_MECHANISM, mechanism);
    s.put(SASL_JAAS_CONFIG, jaasConfig(mechanism, username, password));
    return new KafkaConnection(bootstrapServers, s);
  }

  /** From the process environment (see the class comment). */
  public static KafkaConnection fromEnvironment() {
    return resolve(null, System::getenv);
  }

  /**
   * The process environment's client settings for the cluster at {@code bootstrapServers} (a tool
   * told its cluster on the command line: the load tests, the reliability suite).
   */
  public static KafkaConnection fromEnvironment(String bootstrapServers) {
    return resolve(bootstrapServers, System::getenv);
  }

  /**
   * From the settings {@code lookup} finds under the environment variable names of this class (an
   * absent or blank value is unset); {@code bootstrapServers}, when not blank, names the cluster
   * over {@value #ENV_BOOTSTRAP_SERVERS}.
   *
   * @throws IllegalArgumentException naming the variable whose value cannot be used
   */
  public static KafkaConnection resolve(String bootstrapServers, Function<String, String> lookup) {
    Map<String, String> s = new HashMap<>();
    String file = value(lookup, ENV_CLIENT_PROPERTIES);
    if (file != null) {
      s.putAll(readClientProperties(Path.of(file)));
    }
    SINGLE_SETTINGS.forEach(
        (env, property) -> {
          String v = value(lookup, env);
          if (v != null) {
            // "none" turns host name verification off (Kafka's empty value, which env files lose)
            boolean off = env.equals(ENV_ENDPOINT_IDENTIFICATION) && v.equalsIgnoreCase("none");
            s.put(property, off ? "" : v);
          }
        });
    String username = value(lookup, ENV_SASL_USERNAME);
    String password = value(lookup, ENV_SASL_PASSWORD);
    if (username != null || password != null) {
      if (username == null || password == null) {
        throw new IllegalArgumentException(
            ENV_SASL_USERNAME + " and " + ENV_SASL_PASSWORD + " go together: one is not set");
      }
      s.putIfAbsent(SASL_MECHANISM, "SCRAM-SHA-512");
      s.putIfAbsent(
          SECURITY_PROTOCOL,
          s.containsKey("ssl.truststore.location") ? "SASL_SSL" : "SASL_PLAINTEXT");
      s.put(SASL_JAAS_CONFIG, jaasConfig(s.get(SASL_MECHANISM), username, password));
    }
    String bootstrap = blankToNull(bootstrapServers);
    if (bootstrap == null) {
      bootstrap = value(lookup, ENV_BOOTSTRAP_SERVERS);
    }
    if (bootstrap == null) {
      bootstrap = blankToNull(s.get(BOOTSTRAP));
    }
    return new KafkaConnection(bootstrap == null ? DEFAULT_BOOTSTRAP_SERVERS : bootstrap, s);
  }

  /**
   * A Kafka client properties file ({@code key=value}, Java properties syntax).
   *
   * @throws IllegalArgumentException when it cannot be read
   */
  public static Map<String, String> readClientProperties(Path file) {
    Properties p = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the Kafka client properties file "
              + file
              + " ("
              + ENV_CLIENT_PROPERTIES
              + "): "
              + e.getMessage(),
          e);
    }
    Map<String, String> m = new LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
    return m;
  }

  /** The JAAS line of a username/password mechanism (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN). */
  public static String jaasConfig(String mechanism, String username, String password) {
    String module;
    switch (mechanism) {
      case "SCRAM-SHA-256":
      case "SCRAM-SHA-512":
        module = "org.apache.kafka.common.security.scram.ScramLoginModule";
        break;
      case "PLAIN":
        module = "org.apache.kafka.common.security.plain.PlainLoginModule";
        break;
      default:
        throw new IllegalArgumentException(
            "SASL mechanism "
                + mechanism
                + " takes no username and password here: use SCRAM-SHA-512, SCRAM-SHA-256 or"
                + " PLAIN, or give the JAAS line in "
                + ENV_CLIENT_PROPERTIES);
    }
    return module
        + " required username=\""
        + quote(username)
        + "\" password=\""
        + quote(password)
        + "\";";
  }

  /**
   * A fresh copy of every client setting, {@code bootstrap.servers} included: the start of every
   * client's configuration (the caller adds its own serializers, ids, acks ...).
   */
  public Properties properties() {
    Properties p = new Properties();
    p.putAll(settings);
    p.put(BOOTSTRAP, bootstrapServers);
    return p;
  }

  /** As {@link #properties()}, as a map (for {@code Admin.create(Map)}). */
  public Map<String, Object> config() {
    Map<String, Object> m = new HashMap<>(settings);
    m.put(BOOTSTRAP, bootstrapServers);
    return m;
  }

  /** The same client settings for another cluster address. */
  public KafkaConnection withBootstrapServers(String bootstrapServers) {
    return new KafkaConnection(bootstrapServers, settings);
  }

  /** The security protocol clients use: PLAINTEXT unless set. */
  public String securityProtocol() {
    return settings.getOrDefault(SECURITY_PROTOCOL, "PLAINTEXT");
  }

  /** The SASL username of the JAAS line, or null (no SASL, or a mechanism without one). */
  public String saslUsername() {
    String jaas = settings.get(SASL_JAAS_CONFIG);
    if (jaas == null) {
      return null;
    }
    Matcher m = JAAS_USERNAME.matcher(jaas);
    return m.find() ? m.group(1) : null;
  }

  /** Bootstrap servers, protocol, mechanism, user and store paths; never a secret. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(bootstrapServers).append(" (").append(securityProtocol());
    String mechanism = settings.get(SASL_MECHANISM);
    if (mechanism != null) {
      b.append(' ').append(mechanism);
    }
    String user = saslUsername();
    if (user != null) {
      b.append(" as ").append(user);
    }
    String truststore = settings.get("ssl.truststore.location");
    if (truststore != null) {
      b.append(", truststore ").append(truststore);
    }
    String keystore = settings.get("ssl.keystore.location");
    if (keystore != null) {
      b.append(", keystore ").append(keystore);
    }
    return b.append(')').toString();
  }

  private static Map<String, String> singleSettings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(ENV_SECURITY_PROTOCOL, SECURITY_PROTOCOL);
    m.put(ENV_SASL_MECHANISM, SASL_MECHANISM);
    m.put(ENV_TRUSTSTORE_LOCATION, "ssl.truststore.location");
    m.put(ENV_TRUSTSTORE_PASSWORD, "ssl.truststore.password");
    m.put(ENV_TRUSTSTORE_TYPE, "ssl.truststore.type");
    m.put(ENV_KEYSTORE_LOCATION, "ssl.keystore.location");
    m.put(ENV_KEYSTORE_PASSWORD, "ssl.keystore.password");
    m.put(ENV_KEYSTORE_TYPE, "ssl.keystore.type");
    m.put(ENV_KEY_PASSWORD, "ssl.key.password");
    m.put(ENV_ENDPOINT_IDENTIFICATION, "ssl.endpoint.identification.algorithm");
    return Collections.unmodifiableMap(m);
  }

  private static String value(Function<String, String> lookup, String name) {
    return blankToNull(lookup.apply(name));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static String quote(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
