package dev.rolloutledger.reliability;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The suite's figures, each a system property {@code reliability.NAME}; the Maven profile's
 * defaults are the figures (pom.xml), the defaults here are for a quick run from an IDE.
 *
 * @param events telemetry events to send over HTTP (at least)
 * @param eventsPerSecond the heartbeat rate the driver aims for
 * @param serverKills SIGKILLs of server instances during the run
 * @param leaderRestarts SIGKILL and restart of the broker leading a journal or ledger partition
 * @param fullOutages every server instance killed at once, down longer than the heartbeat timeout
 *     (not in the figures: the check of its item 3, no outage becomes a verdict)
 * @param fuzz bad inputs of the fuzz run (half over HTTP, half straight to the input topics)
 * @param seed of every random choice (0: one from the clock, printed)
 * @param limit the whole suite's time bound
 * @param heartbeatTimeout of every plan: longer than a server's restart plus a rebalance; a wave
 *     promotes only once it has passed (a good rollout of two waves takes about twice this)
 * @param bake of every wave
 * @param hostsPerRollout hosts of each rollout (a canary wave of 2, then the rest)
 * @param lanes rollouts in flight at once per tenant
 * @param faultGap about how long after one fault's victim is back the next fault comes
 */
public record Settings(
    long events,
    int eventsPerSecond,
    int serverKills,
    int leaderRestarts,
    int fullOutages,
    int fuzz,
    long seed,
    Duration limit,
    Duration heartbeatTimeout,
    Duration bake,
    int hostsPerRollout,
    int lanes,
    Duration faultGap,
    Path brokerJar,
    Path serverJar,
    Path workDir,
    Path resultsFile) {

  public static Settings fromSystemProperties() {
    long seed = Long.getLong("reliability.seed", 0L);
    if (seed == 0) {
      seed = System.nanoTime() ^ System.currentTimeMillis();
    }
    Path work = Path.of(System.getProperty("reliability.workDir", "target/reliability"));
    return new Settings(
        Long.getLong("reliability.events", 20_000L),
        Integer.getInteger("reliability.eventsPerSecond", 2_500),
        Integer.getInteger("reliability.serverKills", 3),
        Integer.getInteger("reliability.leaderRestarts", 1),
        Integer.getInteger("reliability.fullOutages", 0),
        Integer.getInteger("reliability.fuzz", 1_000),
        seed,
        Duration.ofMinutes(Long.getLong("reliability.minutes", 30L)),
        Duration.parse(System.getProperty("reliability.heartbeatTimeout", "PT90S")),
        Duration.parse(System.getProperty("reliability.bake", "PT5S")),
        Integer.getInteger("reliability.hostsPerRollout", 6),
        Integer.getInteger("reliability.lanes", 2),
        Duration.ofSeconds(Long.getLong("reliability.faultGapSeconds", 10L)),
        Path.of(
            System.getProperty(
                "reliability.brokerJar",
                "../infra/broker/target/ledger-broker-0.1.0-SNAPSHOT.jar")),
        Path.of(
            System.getProperty(
                "reliability.serverJar",
                "../services/server/target/ledger-server-0.1.0-SNAPSHOT.jar")),
        work,
        Path.of(
            System.getProperty("reliability.resultsFile", work.resolve("results.txt").toString())));
  }
}
