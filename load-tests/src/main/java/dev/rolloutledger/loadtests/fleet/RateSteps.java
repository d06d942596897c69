package dev.rolloutledger.loadtests.fleet;

import dev.rolloutledger.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Phase 3: heartbeats at rising rates, each for a fixed time; a step is kept up when the group's
 * lag stays under two seconds of input through its second half. The sustained rate is the highest
 * step kept up; stepping stops at the first step that is not (after one more step far above it).
 */
public final class RateSteps {
  private final FleetContext c;
  private final FleetOptions o;
  private final KafkaProducer<String, SpecificRecord> producer;
  private final LagMeter lag;
  private final HeartbeatSender.Fleet fleet;
  private final StageShares shares;

  /** {@code shares} measures the rate steps (not the warm-up). */
  public RateSteps(
      FleetContext c,
      KafkaProducer<String, SpecificRecord> producer,
      LagMeter lag,
      HeartbeatSender.Fleet fleet,
      StageShares shares) {
    this.c = c;
    this.shares = shares;
    this.o = c.options();
    this.producer = producer;
    this.lag = lag;
    this.fleet = fleet;
  }

  /** What one step did. */
  public record Step(
      double sentPerSecond,
      double processedPerSecond,
      double processCpuMicrosPerEvent,
      double streamCpuMicrosPerEvent,
      double coresUsed,
      long medianLagSecondHalf,
      long maxLagSecondHalf,
      long lagAtEnd,
      String loadAverage,
      int position) {}

  /**
   * Runs the rate steps from sender position {@code startPosition}; returns the sustained rate, or
   * the highest rate taken in a step if none was kept up (0 if none).
   *
   * @param rawEndToEnd raw Kafka's produce->consume rate, NaN if it was skipped
   */
  public double run(int startPosition, double rawEndToEnd) throws InterruptedException {
    Report report = c.report();
    report.add(
        String.format(
            Locale.ROOT,
            "steps of %d s (fleet rate at %.0f s heartbeats: %,.0f/s; plan heartbeatTimeout %s;"
                + " silent %.1f%%, injected crashes %.1f/s):",
            o.stepSeconds(),
            o.interval(),
            fleet.live().length / o.interval(),
            o.heartbeatTimeout(),
            o.silentPercent(),
            o.crashesPerSecond()));
    report.add(
        "| offered/s | each host every | sent/s | took/s (telemetry) | lag, 2nd half median | max"
            + " | lag at end | kept up | JVM CPU µs/event | stream threads CPU µs/event | cores"
            + " used | load avg |");
    report.add("|---|---|---|---|---|---|---|---|---|---|---|---|");
    double sustained = 0;
    double capacity = 0;
    int position = startPosition;
    List<Double> rates = new ArrayList<>(o.rates());
    boolean saturating = false;
    for (int i = 0; i < rates.size(); i++) {
      double rate = rates.get(i);
      shares.start();
      Step s = step(rate, o.stepSeconds(), position, "step");
      shares.stop();
      position = s.position;
      // bounded: through the second half the lag is mostly, and at the end, under 2 s of input
      // (a transient spike that drains again does not fail a step; it shows in the max column)
      double bound = Math.max(2 * rate, 2000);
      boolean keptUp =
          s.sentPerSecond >= 0.95 * rate && s.medianLagSecondHalf <= bound && s.lagAtEnd <= bound;
      report.add(
          String.format(
              Locale.ROOT,
              "| %,.0f%s | %.1f s | %,.0f | %,.0f | %,d | %,d | %,d | %s | %.0f | %.0f | %.2f |"
                  + " %s |",
              rate,
              saturating ? " (saturation)" : "",
              fleet.live().length / rate,
              s.sentPerSecond,
              s.processedPerSecond,
              s.medianLagSecondHalf,
              s.maxLagSecondHalf,
              s.lagAtEnd,
              keptUp ? "yes" : "no",
              s.processCpuMicrosPerEvent,
              s.streamCpuMicrosPerEvent,
              s.coresUsed,
              s.loadAverage));
      capacity = Math.max(capacity, s.processedPerSecond);
      if (saturating) {
        sustained = keptUp ? rate : sustained;
        break;
      }
      if (!keptUp) {
        // one more step far above it: the topology then works flat out, so its CPU per event is
        // the cost of an event at full speed, with the per-commit and per-tick costs amortized
        saturating = true;
        rates.add(i + 1, rate * 4);
        continue;
      }
      sustained = rate;
      if (!c.waits().drain(lag, "after step", Duration.ofSeconds(90))) {
        break;
      }
    }
    c.waits().drain(lag, "after the steps", Duration.ofMinutes(5));
    report.add(
        String.format(
            Locale.ROOT,
            "sustained: %,.0f telemetry events/s%s",
            sustained,
            Double.isNaN(rawEndToEnd)
                ? ""
                : String.format(
                    Locale.ROOT,
                    " = %.1f%% of raw Kafka produce->consume (%,.0f/s)",
                    100 * sustained / rawEndToEnd,
                    rawEndToEnd)));
    if (sustained == 0) {
      report.add(
          String.format(
              Locale.ROOT,
              "no step was kept up; the latency levels are taken of the highest rate the engine"
                  + " took in a step instead: %,.0f/s",
              capacity));
      return capacity;
    }
    return sustained;
  }

  /** Heartbeats at {@code rate} for {@code seconds}, from sender position {@code position}. */
  public Step step(double rate, int seconds, int position, String what)
      throws InterruptedException {
    LagMeter.Reading first = lag.read();
    long processCpu = Machine.processCpuNanos();
    long streamCpu = Machine.streamThreadCpuNanos();
    long start = System.nanoTime();
    HeartbeatSender sender =
        new HeartbeatSender(
            producer,
            fleet,
            rate,
            o.crashesPerSecond(),
            start + TimeUnit.SECONDS.toNanos(seconds),
            position);
    Thread t = new Thread(sender, "fleet-sender");
    t.start();
    long maxLag = 0;
    long lastLag = 0;
    List<Long> secondHalf = new ArrayList<>();
    LagMeter.Reading last = first;
    for (int s = 1; s <= seconds; s++) {
      Machine.sleepUntil(start + TimeUnit.SECONDS.toNanos(s));
      last = lag.read();
      lastLag = last.lag(Topics.TELEMETRY.name()) + last.lag(Topics.INPUTS.name());
      if (s > seconds / 2) {
        maxLag = Math.max(maxLag, lastLag);
        secondHalf.add(lastLag);
      }
      c.progress()
          .say(
              String.format(
                  Locale.ROOT,
                  "%s %,.0f/s: %d/%d s, sent %,d, lag %,d, load %s",
                  what,
                  rate,
                  s,
                  seconds,
                  sender.sent(),
                  lastLag,
                  Machine.loadAverage()));
    }
    t.join();
    producer.flush();
    if (sender.failed() > 0) {
      throw new IllegalStateException(
          sender.failed() + " sends failed, first: " + sender.firstFailure());
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    processCpu = Machine.processCpuNanos() - processCpu;
    streamCpu = Machine.streamThreadCpuNanos() - streamCpu;
    // taken: telemetry the host stage consumed and committed (ADR 0007: only its news goes on
    // to the decision stage's journal, so the journal's offsets no longer count heartbeats)
    long took = last.committed(Topics.TELEMETRY.name()) - first.committed(Topics.TELEMETRY.name());
    secondHalf.sort(null);
    return new Step(
        sender.sent() / (double) seconds,
        took / elapsed,
        processCpu / 1e3 / Math.max(1, took),
        streamCpu / 1e3 / Math.max(1, took),
        processCpu / 1e9 / elapsed,
        secondHalf.get(secondHalf.size() / 2),
        maxLag,
        lastLag,
        Machine.loadAverage(),
        sender.position());
  }
}
