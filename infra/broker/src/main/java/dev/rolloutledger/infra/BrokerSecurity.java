package dev.rolloutledger.infra;

import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The closed broker's doors: SASL on every listener, ACLs, and the credentials of its principals.
 *
 * <ul>
 *   <li>Client listener {@code SASL_PLAINTEXT}: SCRAM-SHA-512 for every principal.
 *   <li>Controller listener {@code SASL_PLAINTEXT} with PLAIN (a KRaft controller cannot check
 *       SCRAM: the credentials live in the metadata it serves), and the broker's own inter-broker
 *       connections: PLAIN too. The only PLAIN user is the node itself, {@value #BROKER_USER}, with
 *       a password drawn anew on every start and kept in memory ({@code server.properties} on disk
 *       shows it redacted).
 *   <li>{@code StandardAuthorizer}, {@code allow.everyone.if.no.acl.found=false}; super users:
 *       {@value #BROKER_USER} and {@value #ADMIN_USER}. The ACLs of each role: {@link KafkaRole}.
 *   <li>Credentials: one Kafka client properties file per principal in {@code
 *       DATA_DIR/credentials/NAME.properties} (mode 0600, directory 0700), made with a random
 *       password on the first start: {@value #SERVER_USER}, {@value #TELEMETRY_USER}, {@value
 *       #ADMIN_USER}, plus any added with {@code --add-user}. Every start upserts each file's SCRAM
 *       credential and its role's ACLs before the broker is reported ready.
 * </ul>
 */
public final class BrokerSecurity {
  public static final String CREDENTIALS_DIR = "credentials";
  public static final String BROKER_USER = "ledger-broker";
  public static final String SERVER_USER = "ledger-server";
  public static final String TELEMETRY_USER = "ledger-telemetry";
  public static final String ADMIN_USER = "ledger-admin";
  public static final String MECHANISM = "SCRAM-SHA-512";

  /** The directory (under the data dir) of the broker's self-signed certificate with TLS. */
  public static final String TLS_DIR = "tls";

  static final String REDACTED = "[generated on each start, kept in memory]";

  private static final Logger LOG = LoggerFactory.getLogger(BrokerSecurity.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern ROLE_LINE = Pattern.compile("(?m)^# role: ([a-z]+)$");
  private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final int ITERATIONS = 8192;

  private final Path credentialsDir;
  private final String serverApplicationId;
  private final SelfSignedCertificate.Material certificate;
  private final String brokerPassword = randomPassword();

  /**
   * @param tls SASL_SSL on the client listener with a self-signed certificate kept in {@code
   *     dataDir/tls} (made on first use); else SASL_PLAINTEXT
   */
  BrokerSecurity(Path dataDir, String serverApplicationId, boolean tls) {
    this.credentialsDir = dataDir.resolve(CREDENTIALS_DIR);
    this.serverApplicationId = serverApplicationId;
    this.certificate =
        tls
            ? SelfSignedCertificate.loadOrCreate(dataDir.resolve(TLS_DIR), "broker", List.of())
            : null;
  }

  /** The client listener's name and security protocol: SASL_SSL or SASL_PLAINTEXT. */
  String clientListener() {
    return certificate == null ? "SASL_PLAINTEXT" : "SASL_SSL";
  }

  /** What every client of this broker needs besides its SASL login: protocol, truststore. */
  Map<String, String> clientTransport() {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("security.protocol", clientListener());
    if (certificate != null) {
      t.put("ssl.truststore.location", certificate.truststore().toString());
      t.put("ssl.truststore.password", new String(certificate.password()));
      t.put("ssl.truststore.type", "PKCS12");
    }
    return t;
  }

  /** The credentials file of {@code user} under {@code dataDir}. */
  public static Path credentialsFile(Path dataDir, String user) {
    return dataDir.resolve(CREDENTIALS_DIR).resolve(user + ".properties");
  }

  /** The client settings of {@code user} from its credentials file, for {@code bootstrap}. */
  public static KafkaConnection connection(Path dataDir, String user, String bootstrap) {
    Path file = credentialsFile(dataDir, user);
    return new KafkaConnection(bootstrap, KafkaConnection.readClientProperties(file));
  }

  /** The Kafka settings of a closed node (its client listener: {@link #clientListener()}). */
  Map<String, String> kafkaConfig() {
    Map<String, String> c = new LinkedHashMap<>();
    String plain = plainJaas();
    String client = clientListener();
    String prefix = "listener.name." + client.toLowerCase(Locale.ROOT) + ".";
    c.put("inter.broker.listener.name", client);
    c.put("listener.security.protocol.map", client + ":" + client + ",CONTROLLER:SASL_PLAINTEXT");
    c.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    c.put("sasl.mechanism.controller.protocol", "PLAIN");
    c.put(prefix + "sasl.enabled.mechanisms", MECHANISM + ",PLAIN");
    c.put(
        prefix + "scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    c.put(prefix + "plain.sasl.jaas.config", plain);
    if (certificate != null) {
      String password = new String(certificate.password());
      c.put("ssl.keystore.location", certificate.keystore().toString());
      c.put("ssl.keystore.password", password);
      c.put("ssl.key.password", password);
      c.put("ssl.keystore.type", "PKCS12");
      // the node's own inter-broker connections trust its certificate
      c.put("ssl.truststore.location", certificate.truststore().toString());
      c.put("ssl.truststore.password", password);
      c.put("ssl.truststore.type", "PKCS12");
    }
    c.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
    c.put("listener.name.controller.plain.sasl.jaas.config", plain);
    c.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    c.put("allow.everyone.if.no.acl.found", "false");
    c.put("super.users", "User:" + BROKER_USER + ";User:" + ADMIN_USER);
    return c;
  }

  /** Whether a config key holds a secret (written redacted to {@code server.properties}). */
  static boolean secret(String key) {
    return key.endsWith(".sasl.jaas.config") || key.endsWith(".password");
  }

  /** The node's own client settings (PLAIN, a super user): topic installer, ACLs, credentials. */
  KafkaConnection internal(String bootstrap) {
    Map<String, String> s = new LinkedHashMap<>(clientTransport());
    s.put("sasl.mechanism", "PLAIN");
    s.put("sasl.jaas.config", KafkaConnection.jaasConfig("PLAIN", BROKER_USER, brokerPassword));
    return new KafkaConnection(bootstrap, s);
  }

  /**
   * Makes the credentials files of the default principals that do not exist yet; the log names each
   * new file, never its secret.
   */
  void ensureDefaultCredentials() {
    // every file, also one added with --add-user, follows the broker's transport
    for (Path file : credentialFiles()) {
      String user = file.getFileName().toString().replaceFirst("\\.properties$", "");
      ensureCredentials(user, roleOf(file));
    }
    ensureCredentials(SERVER_USER, KafkaRole.SERVER);
    ensureCredentials(TELEMETRY_USER, KafkaRole.TELEMETRY);
    ensureCredentials(ADMIN_USER, KafkaRole.ADMIN);
  }

  /** The credentials file of {@code user}, made (0600) with a random password if it is missing. */
  Path ensureCredentials(String user, KafkaRole role) {
    if (!USER_NAME.matcher(user).matches() || user.equals(BROKER_USER)) {
      throw new IllegalArgumentException(
          "a principal name is 1-64 letters, digits, '.', '_' or '-', and not " + BROKER_USER);
    }
    Path file = credentialsDir.resolve(user + ".properties");
    try {
      createPrivateDirectory(credentialsDir);
      boolean exists = Files.exists(file);
      // an existing file keeps its password and role; its transport follows the broker's (TLS)
      String password = exists ? passwordOf(file) : randomPassword();
      KafkaRole kept = exists ? roleOf(file) : role;
      StringBuilder content =
          new StringBuilder("# Rollout Ledger: Kafka client settings of principal ")
              .append(user)
              .append(" on the embedded broker (rewritten on each start; the password is kept)\n")
              .append("# role: ")
              .append(kept.id())
              .append('\n');
      clientTransport().forEach((k, v) -> content.append(k).append('=').append(v).append('\n'));
      content.append("sasl.mechanism=").append(MECHANISM).append('\n');
      content
          .append("sasl.jaas.config=")
          .append(KafkaConnection.jaasConfig(MECHANISM, user, password))
          .append('\n');
      Path tmp = credentialsDir.resolve("." + user + ".properties.tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      if (!exists) {
        LOG.info("credentials of Kafka principal {} ({}) written to {}", user, kept.id(), file);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the credentials file " + file, e);
    }
  }

  /**
   * {@link #apply} as the node itself; when that fails, runs {@code onFailure} (a starting node
   * stops) and throws.
   */
  void grant(String bootstrap, Runnable onFailure) {
    try (Admin admin = Admin.create(internal(bootstrap).properties())) {
      apply(admin, Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      runQuietly(onFailure);
      throw new EmbeddedKafkaBroker.BrokerStartException(
          "interrupted while granting the Kafka principals", e);
    } catch (ExecutionException | RuntimeException e) {
      runQuietly(onFailure);
      throw new EmbeddedKafkaBroker.BrokerStartException(
          "cannot set the Kafka principals' credentials and ACLs: " + e.getMessage(), e);
    }
  }

  private static void runQuietly(Runnable r) {
    if (r != null) {
      r.run();
    }
  }

  /** The client (and inter-broker) listener and the controller listener, on the bind address. */
  void closeListeners(
      Map<String, String> c, String bindHost, String advertisedHost, int port, int controllerPort) {
    String client = clientListener();
    c.put(
        "listeners",
        client
            + "://"
            + BrokerAddresses.hostPort(bindHost, port)
            + ",CONTROLLER://"
            + BrokerAddresses.hostPort(bindHost, controllerPort));
    c.put("advertised.listeners", client + "://" + BrokerAddresses.hostPort(advertisedHost, port));
  }

  /**
   * Upserts the SCRAM credential and the role's ACLs of every credentials file, then waits until
   * the broker knows every credential (so a client started after this authenticates).
   */
  void apply(Admin admin, Duration timeout) throws InterruptedException, ExecutionException {
    List<UserScramCredentialAlteration> upserts = new ArrayList<>();
    List<AclBinding> acls = new ArrayList<>();
    Set<String> users = new TreeSet<>();
    for (Path file : credentialFiles()) {
      String user = file.getFileName().toString().replaceFirst("\\.properties$", "");
      KafkaRole role = roleOf(file);
      String password = passwordOf(file);
      upserts.add(
          new UserScramCredentialUpsertion(
              user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS), password));
      acls.addAll(role.acls(user, serverApplicationId));
      users.add(user);
    }
    if (upserts.isEmpty()) {
      return;
    }
    admin.alterUserScramCredentials(upserts).all().get();
    if (!acls.isEmpty()) {
      admin.createAcls(acls).all().get();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Set<String> known = new TreeSet<>(admin.describeUserScramCredentials().users().get());
      if (known.containsAll(users)) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("SCRAM credentials of " + users + " not visible in time");
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    LOG.info("Kafka principals {}: SCRAM credentials and ACLs in place", users);
  }

  private List<Path> credentialFiles() {
    if (!Files.isDirectory(credentialsDir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(credentialsDir)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".properties"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + credentialsDir, e);
    }
  }

  private static KafkaRole roleOf(Path file) {
    try {
      Matcher m = ROLE_LINE.matcher(Files.readString(file, StandardCharsets.UTF_8));
      if (!m.find()) {
        throw new IllegalStateException(file + " has no '# role: ...' line");
      }
      return KafkaRole.of(m.group(1));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static String passwordOf(Path file) {
    String jaas = KafkaConnection.readClientProperties(file).get("sasl.jaas.config");
    Matcher m = jaas == null ? null : Pattern.compile("password=\"([^\"]*)\"").matcher(jaas);
    if (m == null || !m.find()) {
      throw new IllegalStateException(file + " has no sasl.jaas.config with a password");
    }
    return m.group(1);
  }

  private String plainJaas() {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + BROKER_USER
        + "\" password=\""
        + brokerPassword
        + "\" user_"
        + BROKER_USER
        + "=\""
        + brokerPassword
        + "\";";
  }

  private static void createPrivateDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  /** 32 random bytes, URL-safe base64: no quote or backslash to escape in a JAAS line. */
  static String randomPassword() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
