package dev.rolloutledger.loadtests.fleet;

import static dev.rolloutledger.loadtests.fleet.Inputs.send;

import dev.rolloutledger.avro.ManualHalt;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * {@code --halt true}: halts every load rollout (ManualHalt on the control topic), which sends a
 * signed Hold to every host of the rollout, in chunks of bounded transactions (ADR 0007). Reports
 * the time until the topology committed the RolloutHalted entries, then the last Hold.
 */
public final class Halt {
  private final FleetContext c;
  private final KafkaProducer<String, SpecificRecord> producer;

  public Halt(FleetContext c, KafkaProducer<String, SpecificRecord> producer) {
    this.c = c;
    this.producer = producer;
  }

  public void run(String[] tenants) throws Exception {
    Waits waits = c.waits();
    long before = waits.committedEnd(Topics.COMMANDS.name());
    long entriesBefore = waits.committedEnd(Topics.LEDGER.name());
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
    // the entry first (its transaction carries the first chunk of Holds, ADR 0007), then the
    // last Hold
    waits.awaitCommitted(
        Topics.LEDGER.name(), entriesBefore, tenants.length, "RolloutHalted", start);
    waits.awaitCommitted(
        Topics.COMMANDS.name(), before, c.options().hosts(), "Holds of the halt", start);
  }
}
