package dev.rolloutledger.loadtests.fleet;

import static dev.rolloutledger.loadtests.fleet.Inputs.send;

import dev.rolloutledger.avro.HostRegistered;
import dev.rolloutledger.avro.PlanSpec;
import dev.rolloutledger.avro.ReleasePublished;
import dev.rolloutledger.avro.RolloutPlanned;
import dev.rolloutledger.avro.Severity;
import dev.rolloutledger.avro.UpdateApplied;
import dev.rolloutledger.avro.WaveSpec;
import dev.rolloutledger.avro.WaveStarted;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.topology.LedgerTopology;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Phase 2: N hosts, a release and a rollout of them per load tenant; probe tenants (two hosts, both
 * applied) on the same journal partition as the first load tenant. With {@code
 * --probe-during-halt}, two more hosts of the first load tenant ({@code fleet=probe}) and a second
 * rollout of that tenant, {@value #PROBE_ROLLOUT}, of them, planned once the load rollout has
 * started (a tenant's second plan waits until its first has bound all its hosts).
 */
public final class Setup {
  /** The probe rollout in the first load tenant ({@code --probe-during-halt}). */
  public static final String PROBE_ROLLOUT = "r-probe";

  /** Its hosts; the one that crashes is the last. */
  public static final List<String> PROBE_HOSTS = List.of("p1", "p2");

  private final FleetContext c;
  private final KafkaProducer<String, SpecificRecord> producer;
  private final LagMeter lag;

  public Setup(FleetContext c, KafkaProducer<String, SpecificRecord> producer, LagMeter lag) {
    this.c = c;
    this.producer = producer;
    this.lag = lag;
  }

  /** Tenants on the journal partition of {@code loadTenant}, so probes share its task's queue. */
  public static String[] probeTenants(FleetContext c, String loadTenant, int partitions) {
    int target = LedgerTopology.partitionOf(loadTenant, partitions);
    List<String> found = new ArrayList<>();
    for (int j = 0; found.size() < 3 * c.options().probes(); j++) {
      String t = "probe-" + c.runId() + "-" + j;
      if (LedgerTopology.partitionOf(t, partitions) == target) {
        found.add(t);
      }
    }
    return found.toArray(String[]::new);
  }

  public void run(LoadFleet fleet, String[] probeTenants) throws Exception {
    String[] tenants = fleet.tenants();
    String[] hosts = fleet.hosts();
    String[] tenantOf = fleet.tenantOf();
    long start = System.nanoTime();
    Instant now = Instant.now();
    c.progress().say(String.format(Locale.ROOT, "registering %,d hosts", hosts.length));
    for (int i = 0; i < hosts.length; i++) {
      send(
          producer,
          Topics.HOSTS,
          Keys.of(tenantOf[i], hosts[i]),
          HostRegistered.newBuilder()
              .setTenant(tenantOf[i])
              .setAt(now)
              .setHost(hosts[i])
              .setLabels(Map.of("env", "prod", "fleet", "load"))
              .build());
    }
    boolean haltProbe = c.options().probeDuringHalt();
    if (haltProbe) {
      for (String h : PROBE_HOSTS) {
        send(
            producer,
            Topics.HOSTS,
            Keys.of(tenants[0], h),
            HostRegistered.newBuilder()
                .setTenant(tenants[0])
                .setAt(now)
                .setHost(h)
                .setLabels(Map.of("env", "prod", "fleet", "probe"))
                .build());
      }
    }
    for (String t : probeTenants) {
      for (String h : List.of("p1", "p2")) {
        send(
            producer,
            Topics.HOSTS,
            Keys.of(t, h),
            HostRegistered.newBuilder()
                .setTenant(t)
                .setAt(now)
                .setHost(h)
                .setLabels(Map.of("env", "dev"))
                .build());
      }
    }
    List<String> all = new ArrayList<>(List.of(tenants));
    all.addAll(List.of(probeTenants));
    for (String t : all) {
      send(
          producer,
          Topics.RELEASES,
          Keys.of(t, "rel-1"),
          ReleasePublished.newBuilder()
              .setTenant(t)
              .setAt(now)
              .setRelease("rel-1")
              .setArtifact("agent")
              .setVersion("1")
              .setSha256("3ad5c3c7d1b0b8b0e0c9a2a1b2f6f1e1d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3")
              .setPublisher("fleet-load")
              .setSeverity(Severity.NORMAL)
              .build());
    }
    producer.flush();
    c.waits().timedDrain(lag, "hosts and releases", Duration.ofMinutes(10), start);
    long decisionsBefore = c.waits().committedEnd(Topics.LEDGER.name());
    try (Outputs started =
        new Outputs(c.bootstrap(), c.registry(), "fleet-" + c.runId() + "-", false)) {
      long planned = System.nanoTime();
      for (String t : all) {
        boolean probe = t.startsWith("probe-");
        WaveSpec wave =
            WaveSpec.newBuilder()
                .setName(probe ? "canary" : "fleet")
                .setSelector(probe ? Map.of() : Map.of("fleet", "load"))
                .setMaxCrashFraction(0.25)
                .setBake("P30D")
                .build();
        // probes are judged by their crash only; the fleet's hosts are silent only when made so
        // (--silent-percent), not because a slow step stretches their interval past the timeout
        plan(t, "r-1", wave, probe ? "P1D" : c.options().heartbeatTimeout().toString());
      }
      producer.flush();
      // one input per rollout: the lag check cannot see it (it allows a few offsets of markers),
      // so wait for the WaveStarted of every rollout to be committed to the ledger
      c.waits().awaitCommitted(Topics.LEDGER.name(), decisionsBefore, all.size(), "plans", planned);
      // planning binds a large wave's hosts in chunks, a transaction each, and the WaveStarted
      // comes after the last: the lag between two chunks can look drained, so wait for it
      awaitStarted(started, tenants, "r-1", planned);
      c.waits().timedDrain(lag, "rollouts", Duration.ofMinutes(10), planned);
      if (haltProbe) {
        long probePlanned = System.nanoTime();
        WaveSpec wave =
            WaveSpec.newBuilder()
                .setName("probe")
                .setSelector(Map.of("fleet", "probe"))
                .setMaxCrashFraction(0.25)
                .setBake("P30D")
                .build();
        plan(tenants[0], PROBE_ROLLOUT, wave, "P1D");
        producer.flush();
        awaitStarted(started, new String[] {tenants[0]}, PROBE_ROLLOUT, probePlanned);
        for (String h : PROBE_HOSTS) {
          applied(tenants[0], h);
        }
      }
    }
    for (String t : probeTenants) {
      for (String h : List.of("p1", "p2")) {
        applied(t, h);
      }
    }
    producer.flush();
    c.waits().drain(lag, "probe applies", Duration.ofMinutes(2));
    c.report()
        .add(
            String.format(
                Locale.ROOT,
                "setup: %,d hosts, %d load rollout(s), %d probe tenants registered, planned and"
                    + " drained in %.1f s",
                hosts.length,
                tenants.length,
                probeTenants.length,
                (System.nanoTime() - start) / 1e9));
  }

  private void plan(String tenant, String rollout, WaveSpec wave, String heartbeatTimeout) {
    send(
        producer,
        Topics.ROLLOUT_CONTROL,
        Keys.of(tenant, rollout),
        RolloutPlanned.newBuilder()
            .setTenant(tenant)
            .setAt(Instant.now())
            .setRollout(rollout)
            .setRelease("rel-1")
            .setPlan(
                PlanSpec.newBuilder()
                    .setWaves(List.of(wave))
                    .setHeartbeatTimeout(heartbeatTimeout)
                    .build())
            .build());
  }

  private void applied(String tenant, String host) {
    send(
        producer,
        Topics.TELEMETRY,
        Keys.of(tenant, host),
        UpdateApplied.newBuilder()
            .setTenant(tenant)
            .setAt(Instant.now())
            .setHost(host)
            .setRelease("rel-1")
            .setOk(true)
            .build());
  }

  /**
   * Waits (at most 10 minutes) until the WaveStarted of {@code rollout} of every tenant is read,
   * and reports the time from the plans' send to the last.
   */
  private void awaitStarted(Outputs started, String[] tenants, String rollout, long planned) {
    long deadline = planned + TimeUnit.MINUTES.toNanos(10);
    long last = 0;
    int seen = 0;
    while (System.nanoTime() < deadline) {
      seen = 0;
      last = 0;
      for (String t : tenants) {
        Long at = started.entryReadAt(Keys.of(t, rollout), WaveStarted.class);
        if (at != null) {
          seen++;
          last = Math.max(last, at);
        }
      }
      if (seen == tenants.length) {
        break;
      }
      c.progress()
          .say(
              String.format(
                  Locale.ROOT,
                  "waiting for the WaveStarted of %s: %d of %d",
                  rollout,
                  seen,
                  tenants.length));
      Machine.sleepMillis(50);
    }
    String what =
        rollout.equals(PROBE_ROLLOUT)
            ? "probe rollout " + PROBE_ROLLOUT + " of the first load tenant"
            : String.format(
                Locale.ROOT,
                "load rollout(s) (%,d hosts in %d rollout(s), the last of them)",
                c.options().hosts(),
                tenants.length);
    c.report()
        .add(
            seen < tenants.length
                ? String.format(
                    Locale.ROOT,
                    "plan -> WaveStarted, %s: only %d of %d read in 10 min",
                    what,
                    seen,
                    tenants.length)
                : String.format(
                    Locale.ROOT,
                    "plan -> WaveStarted read (read_committed) on %s, %s: %.1f s (load %s)",
                    Topics.LEDGER.name(),
                    what,
                    (last - planned) / 1e9,
                    Machine.loadAverage()));
  }
}
