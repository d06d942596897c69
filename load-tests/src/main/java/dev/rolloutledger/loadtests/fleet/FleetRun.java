package dev.rolloutledger.loadtests.fleet;

import dev.rolloutledger.schemas.TopicInstaller;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistries;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** One FleetLoad run on one cluster: the phases in order, the report line by line. */
public final class FleetRun {
  /** The warm-up's rate at most: first sightings are transitions the host stage records. */
  static final double WARM_UP_RATE = 25_000;

  /**
   * What the pipeline wrote to Kafka beyond the telemetry it was given, by topic (FleetLoad's
   * package has it: {@code KafkaWrites}).
   */
  public interface WritesMeter {
    Map<String, Long> snapshot(Admin admin, String appId) throws Exception;

    String perThousand(Map<String, Long> before, Map<String, Long> after, long telemetry);
  }

  private final FleetOptions o;
  private final String bootstrap;
  private final boolean embedded;
  private final Path work;
  private final Progress progress;
  private final WritesMeter writes;
  private final String runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);

  /** The report, line by line as each figure is known (a run cut short keeps what it had). */
  private final Report report;

  public FleetRun(
      FleetOptions o,
      String bootstrap,
      boolean embedded,
      Path work,
      Progress progress,
      PrintStream out,
      WritesMeter writes) {
    this.o = o;
    this.writes = writes;
    this.bootstrap = bootstrap;
    this.embedded = embedded;
    this.work = work;
    this.progress = progress;
    this.report =
        line -> {
          progress.clear();
          out.println(line);
          out.flush();
        };
  }

  public void run() throws Exception {
    header();
    Properties ap = KafkaConnection.fromEnvironment(bootstrap).properties();
    try (Admin admin = Admin.create(ap)) {
      // the embedded registry lives in ledger.schemas: the topics come first
      TopicInstaller.ensureTopics(
          admin,
          Topics.all(),
          embedded
              ? TopicInstaller.DEFAULT_REPLICATION_FACTOR
              : TopicInstaller.CLUSTER_DEFAULT_REPLICATION_FACTOR);
      try (SchemaRegistry registry =
          SchemaRegistries.create(
              System.getenv("LEDGER_SCHEMA_REGISTRY_URL"),
              KafkaConnection.fromEnvironment(bootstrap))) {
        FleetContext c =
            new FleetContext(
                o,
                bootstrap,
                embedded,
                work,
                runId,
                "fleet-load-" + runId,
                report,
                progress,
                admin,
                registry,
                new Waits(admin, report, progress));
        runWith(c);
      }
    }
  }

  private void header() {
    Runtime rt = Runtime.getRuntime();
    report.add(
        String.format(
            Locale.ROOT,
            "FleetLoad %s: %d hosts in %d tenant(s), broker %s, %d cores, max heap %d MiB,"
                + " Java %s, commit.interval.ms=%d",
            Instant.now().truncatedTo(ChronoUnit.SECONDS),
            o.hosts(),
            o.tenants(),
            embedded ? "embedded in this JVM" : bootstrap,
            rt.availableProcessors(),
            rt.maxMemory() >> 20,
            System.getProperty("java.version"),
            o.commitIntervalMs()));
  }

  private void runWith(FleetContext c) throws Exception {
    LoadFleet fleet = LoadFleet.of(o, runId);
    Properties producerSettings = KafkaConnection.fromEnvironment(bootstrap).properties();
    producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
    producerSettings.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    producerSettings.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);

    double rawEndToEnd = Double.NaN;
    if (!o.skips("raw")) {
      rawEndToEnd = RawKafka.run(c, fleet.keys(), producerSettings);
    }

    StreamsInstances streams = new StreamsInstances(c);
    long heapBefore;
    Serializer<SpecificRecord> byTopic = Inputs.routingSerializer(c.registry());
    try (KafkaProducer<String, SpecificRecord> producer =
            new KafkaProducer<>(producerSettings, new StringSerializer(), byTopic);
        ClockTicker clock = new ClockTicker(bootstrap, byTopic)) {
      streams.start();
      List<String> sources =
          List.of(
              Topics.HOSTS.name(),
              Topics.RELEASES.name(),
              Topics.ROLLOUT_CONTROL.name(),
              Topics.TELEMETRY.name(),
              Topics.INPUTS.name());
      LagMeter lag = new LagMeter(c.admin(), c.appId(), sources);
      heapBefore = Machine.heapAfterGc();

      String[] probeTenants =
          Setup.probeTenants(c, fleet.tenants()[0], lag.partitionsOf(Topics.INPUTS.name()));
      new Setup(c, producer, lag).run(fleet, probeTenants);
      long heapSetup = Machine.heapAfterGc();
      report.add(
          String.format(
              Locale.ROOT,
              "heap after GC after setup (whole JVM): %d MiB, %d MiB before the fleet: %.0f B/host",
              heapSetup >> 20,
              heapBefore >> 20,
              (heapSetup - heapBefore) / (double) o.hosts()));

      StageShares shares = new StageShares(streams);
      RateSteps steps = new RateSteps(c, producer, lag, fleet.fleet(), shares);
      double sustained;
      // the profile covers the rate steps only, not the setup or the latency probes
      try (jdk.jfr.Recording recording = o.jfr() == null ? null : profile()) {
        // every host beats once before anything is counted: the host stage's first sight of a
        // host is a transition its changelog records, once per host, not a per-heartbeat cost.
        // At most WARM_UP_RATE: a million first sightings at 100,000/s left a backlog of 2.7
        // million before the first step (RESULTS.md, run W3).
        double warmRate = Math.min(o.rates().get(0), WARM_UP_RATE);
        int warmSeconds = (int) Math.max(5, Math.ceil(fleet.fleet().live().length / warmRate) + 2);
        RateSteps.Step warm = steps.step(warmRate, warmSeconds, 0, "warm-up");
        c.waits().drain(lag, "after the warm-up", Duration.ofMinutes(2));
        report.add(
            String.format(
                Locale.ROOT,
                "warm-up: every host beats once, %,d s at %,.0f/s (sent %,.0f/s, took %,.0f/s)",
                warmSeconds,
                warmRate,
                warm.sentPerSecond(),
                warm.processedPerSecond()));
        Map<String, Long> writtenBefore = writes.snapshot(c.admin(), c.appId());
        long telemetryBefore = c.waits().committedEnd(Topics.TELEMETRY.name());
        sustained = steps.run(warm.position(), rawEndToEnd);
        report.add(
            writes.perThousand(
                writtenBefore,
                writes.snapshot(c.admin(), c.appId()),
                c.waits().committedEnd(Topics.TELEMETRY.name()) - telemetryBefore));
        shares.report(report);
        if (recording != null) {
          recording.dump(Path.of(o.jfr()));
          report.add("JFR profile of the rate steps: " + o.jfr());
        }
      }
      if (!o.skips("latency") && sustained > 0 && o.probes() > 0) {
        new LatencyProbes(c, producer, lag, fleet.fleet()).run(sustained, probeTenants);
      }
      if (o.halt()) {
        new Halt(c, producer).run(fleet.tenants());
      }
      long heapAfter = Machine.heapAfterGc();
      report.add(
          String.format(
              Locale.ROOT,
              "heap after GC (whole JVM: broker, topology, generator): %d MiB before the fleet,"
                  + " %d MiB after setup, %d MiB after the run: %.0f B/host after setup,"
                  + " %.0f B/host after the run",
              heapBefore >> 20,
              heapSetup >> 20,
              heapAfter >> 20,
              (heapSetup - heapBefore) / (double) o.hosts(),
              (heapAfter - heapBefore) / (double) o.hosts()));
    } finally {
      streams.close();
    }
    if (!o.skips("memory")) {
      StateMemory.report(c, streams.stateDirs());
    }
  }

  private static jdk.jfr.Recording profile() throws Exception {
    jdk.jfr.Recording r = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
    r.start();
    return r;
  }
}
