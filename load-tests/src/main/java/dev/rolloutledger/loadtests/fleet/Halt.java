package dev.rolloutledger.loadtests.fleet;

import static dev.rolloutledger.loadtests.fleet.Inputs.send;

import dev.rolloutledger.avro.ManualHalt;
import dev.rolloutledger.avro.RolloutHalted;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * {@code --halt true}: halts every load rollout (ManualHalt on the control topic), which sends a
 * signed Hold to every host of the rollout, in chunks of bounded transactions (ADR 0007). Reports
 * the time until the topology committed the RolloutHalted entries, then the last Hold.
 *
 * <p>With {@code --probe-during-halt true}, about a second after the halts the probe rollout of the
 * first load tenant ({@link Setup#PROBE_ROLLOUT}) gets the crash that tips its gate: the tenant's
 * other inputs are decided between the chunks of its halt, so its RolloutHalted should not wait for
 * the last Hold. Reports the time from that crash to its RolloutHalted read (read_committed) and
 * whether the halt's Holds were still going out then.
 */
public final class Halt {
  private final FleetContext c;
  private final KafkaProducer<String, SpecificRecord> producer;

  public Halt(FleetContext c, KafkaProducer<String, SpecificRecord> producer) {
    this.c = c;
    this.producer = producer;
  }

  public void run(String[] tenants) throws Exception {
    boolean probe = c.options().probeDuringHalt();
    Waits waits = c.waits();
    long before = waits.committedEnd(Topics.COMMANDS.name());
    long entriesBefore = waits.committedEnd(Topics.LEDGER.name());
    // the first load tenant's entries: its load rollout's and its probe rollout's RolloutHalted
    try (Outputs entries =
            probe ? new Outputs(c.bootstrap(), c.registry(), tenants[0] + "/", false) : null;
        KafkaProducer<String, SpecificRecord> probeProducer =
            probe ? Inputs.probeProducer(c.bootstrap(), c.registry()) : null) {
      long start = System.nanoTime();
      for (String t : tenants) {
        send(
            producer,
            Topics.ROLLOUT_CONTROL,
            Keys.of(t, "r-1"),
            ManualHalt.newBuilder()
                .setTenant(t)
                .setAt(Instant.now())
                .setRollout("r-1")
                .setBy("fleet-load")
                .setReason("halt benchmark")
                .build());
      }
      producer.flush();
      long crashAt = 0;
      if (probe) {
        Machine.sleepUntil(start + TimeUnit.SECONDS.toNanos(1));
        String host = Setup.PROBE_HOSTS.get(Setup.PROBE_HOSTS.size() - 1);
        crashAt = System.nanoTime();
        send(
            probeProducer,
            Topics.TELEMETRY,
            Keys.of(tenants[0], host),
            LatencyProbes.crash(tenants[0], host));
        probeProducer.flush();
      }
      // the entry first (its transaction carries the first chunk of Holds, ADR 0007), then the
      // last Hold (the probe's RolloutHalted, if it comes first, counts as one of them)
      waits.awaitCommitted(
          Topics.LEDGER.name(), entriesBefore, tenants.length, "RolloutHalted", start);
      long holdsAt =
          waits.awaitCommitted(
              Topics.COMMANDS.name(),
              before,
              c.options().hosts(),
              c.options().fanOutChunk() > 0
                  ? "Holds of the halt (" + c.options().fanOutChunk() + " a transaction)"
                  : "Holds of the halt",
              start);
      if (probe) {
        reportProbe(entries, tenants[0], start, crashAt, holdsAt);
      }
    }
  }

  private void reportProbe(Outputs entries, String tenant, long start, long crashAt, long holdsAt) {
    String key = Keys.of(tenant, Setup.PROBE_ROLLOUT);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (entries.entryReadAt(key, RolloutHalted.class) == null && System.nanoTime() < deadline) {
      c.progress().say("waiting for the probe rollout's RolloutHalted");
      Machine.sleepMillis(10);
    }
    Long probeAt = entries.entryReadAt(key, RolloutHalted.class);
    Long loadAt = entries.entryReadAt(Keys.of(tenant, "r-1"), RolloutHalted.class);
    String times =
        String.format(
            Locale.ROOT,
            "from the halts' send: its crash sent at %.1f s, the load rollout's RolloutHalted read"
                + " at %s, the last Hold committed at %s",
            (crashAt - start) / 1e9,
            seconds(loadAt, start),
            holdsAt < 0 ? "not within 15 min" : seconds(holdsAt, start));
    if (probeAt == null) {
      c.report()
          .add(
              String.format(
                  Locale.ROOT,
                  "probe in the halted tenant: RolloutHalted not read within %.0f s of its crash"
                      + " (%s)",
                  (System.nanoTime() - crashAt) / 1e9,
                  times));
      return;
    }
    boolean whileHolds = holdsAt < 0 || probeAt < holdsAt;
    c.report()
        .add(
            String.format(
                Locale.ROOT,
                "probe in the halted tenant: RolloutHalted read %.0f ms after its crash, while the"
                    + " halt's Holds were still going out: %s (%s)",
                (probeAt - crashAt) / 1e6,
                whileHolds ? "yes" : "no",
                times));
  }

  private static String seconds(Long at, long start) {
    return at == null ? "(not read)" : String.format(Locale.ROOT, "%.1f s", (at - start) / 1e9);
  }
}
