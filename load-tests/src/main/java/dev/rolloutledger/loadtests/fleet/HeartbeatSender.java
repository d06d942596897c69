package dev.rolloutledger.loadtests.fleet;

import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.avro.Heartbeat;
import dev.rolloutledger.schemas.Topics;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The simulated fleet: its live hosts send heartbeats round-robin at a fixed total rate (each host
 * every hosts/rate seconds), through the topic contract; a share of the fleet may be silent (never
 * sends), and crash reports may be mixed in at a fixed rate. Open loop: the rate is what was asked
 * for, whatever the topology does with it; {@link #sent()} says what the producer managed.
 */
public final class HeartbeatSender implements Runnable {
  private final KafkaProducer<String, SpecificRecord> producer;
  private final Fleet fleet;
  private final double rate;
  private final double crashesPerSecond;
  private final long stopAtNanos;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong crashes = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
  private volatile boolean stopped;
  private int next;

  /** Who sends: hosts {@code live[i]} of tenant {@code tenantOf[live[i]]}, with their keys. */
  public record Fleet(
      String[] hosts, String[] keys, String[] tenants, int[] live, String release) {}

  public HeartbeatSender(
      KafkaProducer<String, SpecificRecord> producer,
      Fleet fleet,
      double rate,
      double crashesPerSecond,
      long stopAtNanos,
      int startAt) {
    this.producer = producer;
    this.fleet = fleet;
    this.rate = rate;
    this.crashesPerSecond = crashesPerSecond;
    this.stopAtNanos = stopAtNanos;
    this.next = startAt;
  }

  public void stop() {
    stopped = true;
  }

  public long sent() {
    return sent.get();
  }

  public long crashes() {
    return crashes.get();
  }

  public long failed() {
    return failed.get();
  }

  public Exception firstFailure() {
    return firstFailure.get();
  }

  /** Where the next sender should go on, so that every host keeps its turn across steps. */
  public int position() {
    return next;
  }

  @Override
  public void run() {
    long start = System.nanoTime();
    Pacer beats = new Pacer(rate, start);
    Pacer crashPacer = crashesPerSecond > 0 ? new Pacer(crashesPerSecond, start) : null;
    Callback callback =
        (m, e) -> {
          if (e != null) {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, e);
          }
        };
    int[] live = fleet.live();
    // reused: the producer serializes a record inside send(), before it returns
    Heartbeat beat =
        Heartbeat.newBuilder()
            .setTenant(fleet.tenants()[0])
            .setAt(Instant.now())
            .setHost(fleet.hosts()[0])
            .setRelease(fleet.release())
            .setMetrics(Map.of("cpu", 0.31, "errorRate", 0.001))
            .build();
    while (!stopped) {
      long now = System.nanoTime();
      if (now >= stopAtNanos) {
        break;
      }
      int n = beats.take(now, 2000);
      if (n == 0) {
        sleepMillis(1);
        continue;
      }
      Instant at = Instant.now();
      for (int i = 0; i < n; i++) {
        int h = live[next];
        next = next + 1 == live.length ? 0 : next + 1;
        beat.setTenant(fleet.tenants()[h]);
        beat.setHost(fleet.hosts()[h]);
        beat.setAt(at);
        producer.send(
            new ProducerRecord<>(Topics.TELEMETRY.name(), fleet.keys()[h], beat), callback);
      }
      sent.addAndGet(n);
      if (crashPacer != null) {
        int c = crashPacer.take(now, 100);
        for (int i = 0; i < c; i++) {
          int h = live[(int) ((crashes.get() * 7919L) % live.length)];
          CrashReport crash =
              CrashReport.newBuilder()
                  .setTenant(fleet.tenants()[h])
                  .setAt(at)
                  .setHost(fleet.hosts()[h])
                  .setRelease(fleet.release())
                  .setSignature("INJECTED")
                  .setKind("load-test")
                  .build();
          producer.send(
              new ProducerRecord<>(Topics.TELEMETRY.name(), fleet.keys()[h], crash), callback);
          crashes.incrementAndGet();
        }
      }
    }
  }

  private static void sleepMillis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
