package dev.rolloutledger.loadtests.fleet;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The benchmark's waits on the cluster, each bounded in time: until the topology's group has
 * consumed everything (its lag), until read_committed readers see a number of new records.
 */
public final class Waits {
  private final Admin admin;
  private final Report report;
  private final Progress progress;

  public Waits(Admin admin, Report report, Progress progress) {
    this.admin = admin;
    this.report = report;
    this.progress = progress;
  }

  /** Waits until the group has consumed everything; false if it did not within {@code max}. */
  public boolean drain(LagMeter lag, String what, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      long l = lag.read().totalLag();
      // exactly_once_v2: transaction markers keep a few offsets of lag per partition forever
      if (l <= 64) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        report.add("lag " + l + " did not drain " + what + " within " + max);
        return false;
      }
      progress.say(String.format(Locale.ROOT, "draining %s: lag %,d", what, l));
      Machine.sleepMillis(250);
    }
  }

  /** Drains, and reports how long since {@code since} (System.nanoTime) it took. */
  public void timedDrain(LagMeter lag, String what, Duration max, long since) {
    boolean drained = drain(lag, what, max);
    report.add(
        String.format(
            Locale.ROOT,
            "%s: %s in %.1f s (load %s)",
            what,
            drained ? "decided and committed" : "NOT drained",
            (System.nanoTime() - since) / 1e9,
            Machine.loadAverage()));
  }

  /**
   * Waits until read_committed readers of {@code topic} see at least {@code records} more than
   * {@code before} (its last stable offsets, summed; transaction markers count too), and reports
   * the time since {@code since}. Returns when it saw them (System.nanoTime), or -1 if it did not
   * within 15 minutes.
   */
  public long awaitCommitted(String topic, long before, long records, String what, long since)
      throws Exception {
    long deadline = since + TimeUnit.MINUTES.toNanos(15);
    long seen;
    while ((seen = committedEnd(topic) - before) < records) {
      if (System.nanoTime() > deadline) {
        report.add(
            String.format(
                Locale.ROOT, "%s: only %,d of %,d committed in 15 min", what, seen, records));
        return -1;
      }
      progress.say(String.format(Locale.ROOT, "waiting for %s: %,d of %,d", what, seen, records));
      Machine.sleepMillis(50); // the time is read to 50 ms
    }
    long at = System.nanoTime();
    report.add(
        String.format(
            Locale.ROOT,
            "%s: %,d records committed to %s in %.1f s (load %s)",
            what,
            seen,
            topic,
            (at - since) / 1e9,
            Machine.loadAverage()));
    return at;
  }

  /** The topic's last stable offsets, summed: what read_committed consumers can read. */
  public long committedEnd(String topic) throws Exception {
    var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    for (var p : partitions.partitions()) {
      ask.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
    }
    long sum = 0;
    var committed = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    for (var r : admin.listOffsets(ask, committed).all().get().values()) {
      sum += r.offset();
    }
    return sum;
  }
}
