package dev.rolloutledger.reliability;

import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.topology.LedgerTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Three server instances of one deployment, each in its own JVM: one application id, one signing
 * key dir, their own state dirs and HTTP ports. Instance {@code i} bootstraps the admin token of
 * tenant {@code i} (tenants on distinct journal partitions), so the suite has one token per tenant.
 */
public final class ServerFleet implements AutoCloseable {
  public static final int INSTANCES = 3;
  public static final String APPLICATION_ID = "rollout-ledger-reliability";

  /**
   * What the server logs when a stream thread dies, replaced or not (StreamThreadFailures in the
   * server).
   */
  public static final String DEAD_THREAD = "stream thread failed";

  private static final Duration START = Duration.ofMinutes(4);
  private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([A-Z]+)\"");

  private final List<Jvm> instances = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final List<String> tenants;
  private final Map<String, String> tokens = new LinkedHashMap<>();
  private final List<Path> tokenFiles = new ArrayList<>();
  private final Http http = new Http();
  private final Report report;

  public ServerFleet(Path serverJar, Path workDir, String bootstrap, Report report) {
    this.report = report;
    if (!serverJar.toFile().isFile()) {
      throw new IllegalStateException(
          "no server jar at " + serverJar + ": build it (-pl services/server -am package)");
    }
    this.tenants = tenantsOnDistinctPartitions(INSTANCES);
    Path keys = workDir.resolve("keys").toAbsolutePath();
    for (int i = 0; i < INSTANCES; i++) {
      int port = BrokerCluster.freePort();
      Path dir = workDir.resolve("server-" + (i + 1)).toAbsolutePath();
      Path tokenFile = dir.resolve("bootstrap-admin.token");
      Map<String, String> env = new LinkedHashMap<>();
      // the suite's own open cluster: no client settings meant for another one (blank = unset)
      System.getenv().keySet().stream()
          .filter(k -> k.startsWith("LEDGER_KAFKA_"))
          .forEach(k -> env.put(k, ""));
      env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
      env.put("LEDGER_HTTP_PORT", Integer.toString(port));
      env.put("LEDGER_STATE_DIR", dir.resolve("streams").toString());
      env.put("LEDGER_KEY_DIR", keys.toString());
      env.put("LEDGER_BOOTSTRAP_TENANT", tenants.get(i));
      env.put("LEDGER_BOOTSTRAP_TOKEN_FILE", tokenFile.toString());
      env.put("LEDGER_APPLICATION_ID", APPLICATION_ID);
      instances.add(
          new Jvm(
              "server-" + (i + 1),
              Jvm.java("-Xmx768m", "-jar", serverJar.toAbsolutePath().toString()),
              env,
              workDir.resolve("server-" + (i + 1) + ".log")));
      ports.add(port);
      tokenFiles.add(tokenFile);
    }
  }

  /** Tenant ids whose journal partitions ({@link LedgerTopology#partitionOf}) all differ. */
  static List<String> tenantsOnDistinctPartitions(int n) {
    List<String> found = new ArrayList<>();
    Set<Integer> taken = new HashSet<>();
    for (int j = 0; found.size() < n; j++) {
      String t = "tenant-" + j;
      if (taken.add(LedgerTopology.partitionOf(t, Topics.PARTITIONS))) {
        found.add(t);
      }
    }
    return found;
  }

  /**
   * Starts instance 1 alone (it makes the signing key the others share), then the other two; each
   * until its /health is UP; reads every tenant's bootstrap token.
   */
  public void start() {
    long t0 = System.nanoTime();
    instances.get(0).start();
    awaitUp(0);
    for (int i = 1; i < INSTANCES; i++) {
      instances.get(i).start();
    }
    for (int i = 1; i < INSTANCES; i++) {
      awaitUp(i);
    }
    for (int i = 0; i < INSTANCES; i++) {
      tokens.put(tenants.get(i), readToken(tokenFiles.get(i)));
    }
    report.line(
        "servers: %d instances up (ports %s, tenants %s) in %.1f s",
        INSTANCES, ports, tenants, (System.nanoTime() - t0) / 1e9);
  }

  private static String readToken(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("no bootstrap token in " + file, e);
    }
  }

  /** Waits until instance {@code i} answers UP on /health. */
  public void awaitUp(int i) {
    Jvm jvm = instances.get(i);
    Deadline.await(
        jvm.name() + " /health UP (" + jvm.log() + ")",
        START,
        Duration.ofMillis(500),
        () -> {
          if (!jvm.alive()) {
            throw new IllegalStateException(jvm.name() + " died on start:\n" + jvm.tail(40));
          }
          return "UP".equals(health(i));
        });
  }

  /** The /health status of instance {@code i}, or null when it does not answer. */
  public String health(int i) {
    Http.Answer a = http.get(baseUrl(i) + "/health", null);
    if (a == null) {
      return null;
    }
    Matcher m = STATUS.matcher(a.body());
    return m.find() ? m.group(1) : null;
  }

  public void kill(int i) {
    instances.get(i).kill();
  }

  public void restart(int i) {
    instances.get(i).start();
  }

  public boolean alive(int i) {
    return instances.get(i).alive();
  }

  public String baseUrl(int i) {
    return "http://127.0.0.1:" + ports.get(i);
  }

  public List<String> tenants() {
    return tenants;
  }

  public String token(String tenant) {
    return tokens.get(tenant);
  }

  public List<Jvm> instances() {
    return List.copyOf(instances);
  }

  /** How often, over every start, a server replaced a dead stream thread. */
  public int deadStreamThreads() {
    int n = 0;
    for (Jvm jvm : instances) {
      String all = jvm.allOutput();
      for (int at = all.indexOf(DEAD_THREAD); at >= 0; at = all.indexOf(DEAD_THREAD, at + 1)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    instances.forEach(i -> i.stop(Duration.ofSeconds(30)));
  }
}
