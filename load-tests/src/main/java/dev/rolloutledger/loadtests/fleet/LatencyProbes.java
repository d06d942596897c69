package dev.rolloutledger.loadtests.fleet;

import static dev.rolloutledger.loadtests.fleet.Inputs.send;

import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Phase 4: decision latency at 10/50/90% of the sustained rate. One probe tenant at a time gets the
 * crash that tips its gate; measured from just before the send to the first Hold read by a
 * read_committed consumer of {@code ledger.commands} (and to the RolloutHalted on {@code
 * ledger.decisions}).
 */
public final class LatencyProbes {
  private final FleetContext c;
  private final FleetOptions o;
  private final KafkaProducer<String, SpecificRecord> producer;
  private final LagMeter lag;
  private final HeartbeatSender.Fleet fleet;

  public LatencyProbes(
      FleetContext c,
      KafkaProducer<String, SpecificRecord> producer,
      LagMeter lag,
      HeartbeatSender.Fleet fleet) {
    this.c = c;
    this.o = c.options();
    this.producer = producer;
    this.lag = lag;
    this.fleet = fleet;
  }

  /** The crash report that tips a two-host probe rollout's gate. */
  public static CrashReport crash(String tenant, String host) {
    return CrashReport.newBuilder()
        .setTenant(tenant)
        .setAt(Instant.now())
        .setHost(host)
        .setRelease("rel-1")
        .setSignature("PAGE_FAULT_IN_NONPAGED_AREA")
        .setKind("BSOD")
        .build();
  }

  public void run(double sustained, String[] probeTenants) throws Exception {
    Report report = c.report();
    report.add(
        String.format(
            Locale.ROOT,
            "decision latency, crash produced -> first Hold read (read_committed) on %s and"
                + " -> RolloutHalted read on %s; commit.interval.ms=%d; %d probes a level:",
            Topics.COMMANDS.name(),
            Topics.LEDGER.name(),
            o.commitIntervalMs(),
            o.probes()));
    report.add(
        "| load | rate/s | Hold p50 | Hold p99 | Hold max | RolloutHalted p50 | RolloutHalted p99"
            + " | lost | load avg |");
    report.add("|---|---|---|---|---|---|---|---|---|");
    try (Outputs outputs = new Outputs(c.bootstrap(), c.registry(), "probe-" + c.runId() + "-");
        KafkaProducer<String, SpecificRecord> probeProducer =
            Inputs.probeProducer(c.bootstrap(), c.registry())) {
      int level = 0;
      for (double share : new double[] {0.1, 0.5, 0.9}) {
        double rate = sustained * share;
        long start = System.nanoTime();
        HeartbeatSender sender =
            new HeartbeatSender(
                producer,
                fleet,
                rate,
                o.crashesPerSecond(),
                start + TimeUnit.MINUTES.toNanos(10),
                0);
        Thread t = new Thread(sender, "fleet-sender");
        t.start();
        Thread.sleep(3000); // the topology settles at this rate first
        List<Double> hold = new ArrayList<>();
        List<Double> halt = new ArrayList<>();
        int lost = 0;
        for (int j = 0; j < o.probes(); j++) {
          String tenant = probeTenants[level * o.probes() + j];
          long t0 = System.nanoTime();
          send(probeProducer, Topics.TELEMETRY, Keys.of(tenant, "p2"), crash(tenant, "p2"));
          long deadline = t0 + TimeUnit.SECONDS.toNanos(10);
          while ((outputs.holdReadAt(tenant) == null || outputs.haltReadAt(tenant) == null)
              && System.nanoTime() < deadline) {
            Thread.sleep(1);
          }
          Long h = outputs.holdReadAt(tenant);
          Long d = outputs.haltReadAt(tenant);
          if (h != null && h < t0) {
            throw new IllegalStateException(
                "probe " + tenant + " was halted before its crash was sent");
          }
          if (h == null) {
            lost++;
          } else {
            hold.add((h - t0) / 1e6);
          }
          if (d != null) {
            halt.add((d - t0) / 1e6);
          }
          c.progress()
              .say(
                  String.format(
                      Locale.ROOT,
                      "latency at %.0f%% (%,.0f/s): probe %d/%d, last %s ms",
                      share * 100,
                      rate,
                      j + 1,
                      o.probes(),
                      h == null ? "lost" : String.format(Locale.ROOT, "%.0f", (h - t0) / 1e6)));
          Thread.sleep(100 + (j * 37) % 200); // spread probes over the commit cycle
        }
        sender.stop();
        t.join();
        Percentiles ph = new Percentiles(hold.stream().mapToDouble(Double::doubleValue).toArray());
        Percentiles pd = new Percentiles(halt.stream().mapToDouble(Double::doubleValue).toArray());
        report.add(
            String.format(
                Locale.ROOT,
                "| %.0f%% | %,.0f | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %d | %s |",
                share * 100,
                rate,
                ph.at(50),
                ph.at(99),
                ph.max(),
                pd.at(50),
                pd.at(99),
                lost,
                Machine.loadAverage()));
        c.waits().drain(lag, "after latency level", Duration.ofMinutes(2));
        level++;
      }
    }
  }
}
