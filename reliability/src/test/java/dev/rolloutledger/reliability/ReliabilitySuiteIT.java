package dev.rolloutledger.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.schemas.registry.SchemaRegistries;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 15, item 4: a 3-node KRaft cluster and 3 server JVMs on loopback; telemetry over HTTP while
 * server instances are SIGKILLed and partition leaders restarted; then a fuzz run. Runs only with
 * {@code -Preliability}; its figures are system properties (pom.xml, {@link Settings}); what it
 * printed is in {@code target/reliability/results.txt}. docs/reliability.md has the command.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReliabilitySuiteIT {
  private Settings settings;
  private Report report;
  private BrokerCluster cluster;
  private ServerFleet servers;
  private SchemaRegistry registry;
  private Deadline suite;
  private final List<Expected> rollouts = new ArrayList<>();

  @BeforeAll
  void startClusterAndServers() throws IOException {
    settings = Settings.fromSystemProperties();
    suite = Deadline.in(settings.limit());
    Path work = settings.workDir().resolve("run-" + Instant.now().toString().replace(':', '-'));
    Files.createDirectories(work);
    report = new Report(settings.resultsFile());
    report.header("reliability suite, work dir " + work);
    report.line(
        "seed %d (-Dreliability.seed=%d repeats the faults' choices), figures: %s",
        settings.seed(), settings.seed(), settings);
    cluster = new BrokerCluster(settings.brokerJar(), work, report);
    cluster.start();
    servers = new ServerFleet(settings.serverJar(), work, cluster.bootstrap(), report);
    servers.start();
    registry = SchemaRegistries.create("", cluster.bootstrap());
  }

  @AfterAll
  void stopEverything() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (servers != null) {
      servers.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void every_decision_survives_server_kills_and_leader_restarts() {
    Api api = new Api(servers, settings.seed());
    Faults faults = new Faults(settings, cluster, servers, report);
    long t0 = System.nanoTime();
    try (Driver driver =
        new Driver(settings, servers, api, cluster.bootstrap(), registry, report)) {
      driver.start();
      faults.start();
      try {
        long lastReport = 0;
        while (driver.events() < settings.events() || !faults.done()) {
          driver.check();
          if (suite.passed()) {
            throw new Deadline.TimeBoundExceeded(
                "the suite's bound of "
                    + settings.limit()
                    + " passed with "
                    + driver.events()
                    + " events sent and faults "
                    + (faults.done() ? "done" : "not done"));
          }
          if (System.nanoTime() - lastReport > 30e9) {
            lastReport = System.nanoTime();
            report.line(
                "progress: %,d telemetry events in %,d batches, %d rollouts planned, %d server kills,"
                    + " %d leader restarts, %d retried writes",
                driver.events(),
                driver.batches(),
                driver.expected().size(),
                faults.serverKills(),
                faults.leaderRestarts(),
                api.retries());
          }
          Deadline.pause(Duration.ofMillis(500));
        }
        driver.stopRollouts(Duration.ofMinutes(20));
        driver.check();
      } finally {
        faults.stopAndWait(Duration.ofMinutes(5));
      }
      rollouts.addAll(driver.expected());
      report.line(
          "run: %,d telemetry events (%,d batches) over HTTP in %.0f s, %d rollouts, %d server"
              + " SIGKILLs, %d leader restarts, %d full outages; %d retried writes, %d answers 503,"
              + " %d other 5xx%s",
          driver.events(),
          driver.batches(),
          (System.nanoTime() - t0) / 1e9,
          rollouts.size(),
          faults.serverKills(),
          faults.leaderRestarts(),
          faults.fullOutages(),
          api.retries(),
          api.unavailable(),
          api.serverErrors(),
          api.serverErrors() > 0 ? " (last: " + api.lastServerError() + ")" : "");
    }
    long v0 = System.nanoTime();
    Verifier.Result r =
        new Verifier(cluster.bootstrap(), registry, ServerFleet.APPLICATION_ID)
            .verify(rollouts, false);
    report.line(
        "verified in %.1f s: %d rollouts (%d halted, %d completed), %,d ledger entries, %,d"
            + " commands, %,d inputs and %,d decisions exported and recomputed; %d problems",
        (System.nanoTime() - v0) / 1e9,
        r.rollouts(),
        r.halted(),
        r.completed(),
        r.entries(),
        r.commands(),
        r.exportedInputs(),
        r.exportedDecisions(),
        r.problems().size());
    r.problems().forEach(p -> report.line("  PROBLEM %s", p));
    report.line("dead stream threads (servers' logs): %d", servers.deadStreamThreads());

    assertThat(r.problems()).as("lost, duplicated, unchained or wrongly ended decisions").isEmpty();
    assertThat(rollouts).anyMatch(Expected::bad).anyMatch(e -> !e.bad());
    assertThat(r.rollouts()).isEqualTo(r.halted() + r.completed());
    assertThat(api.serverErrors()).as("5xx other than 503").isZero();
    assertThat(servers.deadStreamThreads()).as("dead stream threads").isZero();
  }

  @Test
  @Order(2)
  void bad_inputs_are_refused_or_dead_lettered_and_every_log_still_verifies() {
    for (int i = 0; i < ServerFleet.INSTANCES; i++) {
      if (!servers.alive(i)) {
        servers.restart(i);
      }
      servers.awaitUp(i);
    }
    Fuzz.Result f =
        new Fuzz(servers, cluster.bootstrap(), registry, settings.seed(), report)
            .run(settings.fuzz());
    f.fiveXx().forEach(x -> report.line("  5xx: %s", x));
    List<String> health = new ArrayList<>();
    for (int i = 0; i < ServerFleet.INSTANCES; i++) {
      health.add(servers.health(i));
    }
    int deadThreads = servers.deadStreamThreads();
    Verifier.Result r =
        new Verifier(cluster.bootstrap(), registry, ServerFleet.APPLICATION_ID)
            .verify(rollouts, true);
    report.line(
        "after the fuzz run: /health %s, %d dead stream threads; %,d inputs and %,d decisions"
            + " exported and recomputed again; %d problems",
        health, deadThreads, r.exportedInputs(), r.exportedDecisions(), r.problems().size());
    r.problems().forEach(p -> report.line("  PROBLEM %s", p));

    assertThat(f.http5xx()).as("5xx answers to bad input").isZero();
    assertThat(f.httpNoAnswer()).as("bad requests left unanswered").isZero();
    assertThat(f.http4xx() + f.http2xx()).isEqualTo(f.httpSent());
    assertThat(f.deadLettered() + f.kafkaAccepted()).isEqualTo(f.kafkaSent());
    assertThat(f.deadLetteredTwice()).isZero();
    assertThat(f.httpSent() + f.kafkaSent()).isEqualTo(settings.fuzz());
    assertThat(deadThreads).as("dead stream threads").isZero();
    assertThat(health).as("/health of every instance").containsOnly("UP");
    assertThat(r.problems()).as("logs that no longer verify").isEmpty();
  }
}
