package dev.rolloutledger.loadtests;

import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.avro.Heartbeat;
import dev.rolloutledger.avro.HostRegistered;
import dev.rolloutledger.avro.ManualHalt;
import dev.rolloutledger.avro.PlanSpec;
import dev.rolloutledger.avro.ReleasePublished;
import dev.rolloutledger.avro.RolloutPlanned;
import dev.rolloutledger.avro.Severity;
import dev.rolloutledger.avro.UpdateApplied;
import dev.rolloutledger.avro.WaveSpec;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.infra.BrokerOptions;
import dev.rolloutledger.infra.EmbeddedKafkaBroker;
import dev.rolloutledger.loadtests.fleet.HeartbeatSender;
import dev.rolloutledger.loadtests.fleet.LagMeter;
import dev.rolloutledger.loadtests.fleet.Outputs;
import dev.rolloutledger.loadtests.fleet.Percentiles;
import dev.rolloutledger.loadtests.fleet.RawBaseline;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.TopicInstaller;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.registry.SchemaRegistries;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.topology.LedgerStreamsConfig;
import dev.rolloutledger.topology.LedgerTopology;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * The fleet load benchmark: the full ledger topology (exactly_once_v2, configured as the server
 * configures it) on a real broker (the embedded KRaft broker in this JVM by default, or any cluster
 * by {@code --bootstrap-servers}), fed through the topic contract (Avro, Confluent wire format, the
 * embedded registry) by a simulated fleet.
 *
 * <ol>
 *   <li>Raw Kafka: the same keys and heartbeat bytes produced and consumed with no processing.
 *   <li>Setup: N hosts, a release and a rollout of them per load tenant; probe tenants (two hosts,
 *       both applied) on the same journal partition as the first load tenant.
 *   <li>Steps: heartbeats at rising rates, each for a fixed time; a step is kept up when the
 *       group's lag stays under two seconds of input through its second half. The sustained rate is
 *       the highest step kept up; stepping stops at the first step that is not.
 *   <li>Latency at 10/50/90% of the sustained rate: one probe tenant at a time gets the crash that
 *       tips its gate; measured from just before the send to the first Hold read by a
 *       read_committed consumer of {@code ledger.commands} (and to the RolloutHalted on {@code
 *       ledger.decisions}).
 *   <li>Memory: heap after GC before and after the fleet was registered, the state directory after
 *       the topology closed, and the hosts store's live bytes from its changelog.
 * </ol>
 *
 * Progress goes to the terminal only; the report goes to stdout. Every phase is bounded in time.
 */
public final class FleetLoad {
  private static final String USAGE =
      """
      usage: FleetLoad [--hosts N] [--tenants T] [--interval SECONDS] [--rates R1,R2,...]
                       [--step-seconds S] [--probes P] [--raw-records N] [--commit-interval-ms MS]
                       [--silent-percent P] [--crashes-per-second C] [--bootstrap-servers HOST:PORT]
                       [--skip raw,latency,memory] [--streams-config key=value ...] [--jfr FILE]
                       [--halt true]   (at the end, halt every load rollout: one Hold per host)
      """;

  private FleetLoad() {}

  /** What to run; see {@link #USAGE}. */
  record Options(
      int hosts,
      int tenants,
      double interval,
      List<Double> rates,
      int stepSeconds,
      int probes,
      long rawRecords,
      int commitIntervalMs,
      double silentPercent,
      double crashesPerSecond,
      String bootstrapServers,
      List<String> skip,
      Map<String, Object> streamsConfig,
      String jfr,
      boolean halt) {

    static Options parse(String[] args) {
      int hosts = 100_000;
      int tenants = 1;
      double interval = 10;
      List<Double> rates = null;
      int stepSeconds = 20;
      int probes = 40;
      long rawRecords = 1_000_000;
      int commit = 100;
      double silent = 0;
      double crashes = 0;
      String bootstrap = null;
      List<String> skip = new ArrayList<>();
      Map<String, Object> streams = new LinkedHashMap<>();
      String jfr = null;
      boolean halt = false;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          System.out.print(USAGE);
          System.exit(0);
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value\n" + USAGE);
        }
        String v = args[++i];
        switch (a) {
          case "--hosts" -> hosts = Integer.parseInt(v);
          case "--tenants" -> tenants = Integer.parseInt(v);
          case "--interval" -> interval = Double.parseDouble(v);
          case "--rates" -> {
            rates = new ArrayList<>();
            for (String r : v.split(",")) {
              rates.add(Double.parseDouble(r));
            }
          }
          case "--step-seconds" -> stepSeconds = Integer.parseInt(v);
          case "--probes" -> probes = Integer.parseInt(v);
          case "--raw-records" -> rawRecords = Long.parseLong(v);
          case "--commit-interval-ms" -> commit = Integer.parseInt(v);
          case "--silent-percent" -> silent = Double.parseDouble(v);
          case "--crashes-per-second" -> crashes = Double.parseDouble(v);
          case "--bootstrap-servers" -> bootstrap = v;
          case "--skip" -> skip.addAll(List.of(v.split(",")));
          case "--jfr" -> jfr = v;
          case "--halt" -> halt = Boolean.parseBoolean(v);
          case "--streams-config" -> {
            int eq = v.indexOf('=');
            if (eq <= 0) {
              throw new IllegalArgumentException("--streams-config takes key=value, not " + v);
            }
            streams.put(v.substring(0, eq), v.substring(eq + 1));
          }
          default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
        }
      }
      if (hosts < 1 || tenants < 1 || tenants > hosts || stepSeconds < 5 || probes < 0) {
        throw new IllegalArgumentException(
            "need hosts >= tenants >= 1, step-seconds >= 5\n" + USAGE);
      }
      if (rates == null) {
        // steps of about 1.25x from 250/s up to the 100k/s goal
        rates = new ArrayList<>(List.of(250.0, 500.0, 1000.0, 1500.0));
        for (double r = 2000; r <= 100_000; r = Math.round(r * 1.25 / 500) * 500.0) {
          rates.add(r);
        }
      }
      return new Options(
          hosts,
          tenants,
          interval,
          List.copyOf(rates),
          stepSeconds,
          probes,
          rawRecords,
          commit,
          silent,
          crashes,
          bootstrap,
          List.copyOf(skip),
          streams,
          jfr,
          halt);
    }
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Progress progress = new Progress(System.console() != null);
    Path work = Files.createTempDirectory("fleet-load");
    EmbeddedKafkaBroker broker = null;
    try {
      String bootstrap = o.bootstrapServers();
      if (bootstrap == null) {
        progress.say("starting the embedded broker");
        broker = EmbeddedKafkaBroker.start(BrokerOptions.of(work.resolve("broker")));
        bootstrap = broker.bootstrapServers();
      }
      new Run(o, bootstrap, broker != null, work, progress, System.out).run();
    } finally {
      progress.done();
      if (broker != null) {
        broker.close();
      }
      deleteTree(work);
    }
    System.exit(0); // Kafka's non-daemon threads of a closed broker must not keep the JVM
  }

  /** One benchmark run on one cluster. */
  static final class Run {
    private final Options o;
    private final String bootstrap;
    private final boolean embedded;
    private final Path work;
    private final Progress progress;
    private final PrintStream out;
    private final String runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
    private final String appId = "fleet-load-" + runId;

    /** The report, line by line as each figure is known (a run cut short keeps what it had). */
    private final Report report;

    Run(
        Options o,
        String bootstrap,
        boolean embedded,
        Path work,
        Progress progress,
        PrintStream out) {
      this.o = o;
      this.bootstrap = bootstrap;
      this.embedded = embedded;
      this.work = work;
      this.progress = progress;
      this.out = out;
      this.report =
          line -> {
            progress.clear();
            out.println(line);
            out.flush();
          };
    }

    void run() throws Exception {
      header();
      Properties ap = new Properties();
      ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      try (Admin admin = Admin.create(ap)) {
        // the embedded registry lives in ledger.schemas: the topics come first
        TopicInstaller.ensureTopics(
            admin,
            Topics.all(),
            embedded
                ? TopicInstaller.DEFAULT_REPLICATION_FACTOR
                : TopicInstaller.CLUSTER_DEFAULT_REPLICATION_FACTOR);
        try (SchemaRegistry registry =
            SchemaRegistries.create(System.getenv("LEDGER_SCHEMA_REGISTRY_URL"), bootstrap)) {
          runWith(admin, registry);
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
              Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
              o.hosts(),
              o.tenants(),
              embedded ? "embedded in this JVM" : bootstrap,
              rt.availableProcessors(),
              rt.maxMemory() >> 20,
              System.getProperty("java.version"),
              o.commitIntervalMs()));
    }

    private void runWith(Admin admin, SchemaRegistry registry) throws Exception {
      String[] tenants = new String[o.tenants()];
      for (int t = 0; t < tenants.length; t++) {
        tenants[t] = "fleet-" + runId + "-" + t;
      }
      String[] hosts = new String[o.hosts()];
      String[] keys = new String[o.hosts()];
      String[] tenantOf = new String[o.hosts()];
      for (int i = 0; i < hosts.length; i++) {
        hosts[i] = String.format(Locale.ROOT, "h%07d", i);
        tenantOf[i] = tenants[i % tenants.length];
        keys[i] = Keys.of(tenantOf[i], hosts[i]);
      }
      int silent = (int) Math.round(o.hosts() * o.silentPercent() / 100.0);
      int[] live = new int[o.hosts() - silent];
      for (int i = 0; i < live.length; i++) {
        live[i] = silent + i; // the first `silent` hosts never send
      }
      var fleet = new HeartbeatSender.Fleet(hosts, keys, tenantOf, live, "rel-1");

      Properties producerSettings = new Properties();
      producerSettings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
      producerSettings.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      producerSettings.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);

      if (!o.skip().contains("raw")) {
        raw(admin, registry, keys, producerSettings);
      }

      Map<String, Object> overrides = new HashMap<>();
      // one stream thread per core: the host stage's 16 tasks share them (ADR 0007)
      overrides.put(
          StreamsConfig.NUM_STREAM_THREADS_CONFIG, Runtime.getRuntime().availableProcessors());
      overrides.putAll(o.streamsConfig());
      overrides.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, o.commitIntervalMs());
      Path stateDir = work.resolve("streams");
      KafkaStreams streams =
          new KafkaStreams(
              LedgerTopology.build(registry, EngineConfig.defaults(), CommandSigningKey.generate()),
              LedgerStreamsConfig.properties(
                  appId, bootstrap, stateDir.toString(), registry, overrides));
      streams.setUncaughtExceptionHandler(
          e -> {
            progress.fail("stream thread failed: " + e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
          });
      long heapBefore;
      Serializer<SpecificRecord> byTopic = routingSerializer(registry);
      try (KafkaProducer<String, SpecificRecord> producer =
              new KafkaProducer<>(producerSettings, new StringSerializer(), byTopic);
          Clock clock = new Clock(bootstrap, byTopic)) {
        progress.say("starting the topology (" + appId + ")");
        streams.start();
        awaitRunning(streams);
        List<String> sources =
            List.of(
                Topics.HOSTS.name(),
                Topics.RELEASES.name(),
                Topics.ROLLOUT_CONTROL.name(),
                Topics.TELEMETRY.name(),
                Topics.INPUTS.name());
        LagMeter lag = new LagMeter(admin, appId, sources);
        heapBefore = heapAfterGc();

        String[] probeTenants = probeTenants(tenants[0], lag.partitionsOf(Topics.INPUTS.name()));
        setup(producer, admin, lag, tenants, hosts, tenantOf, probeTenants);
        long heapSetup = heapAfterGc();
        report.add(
            String.format(
                Locale.ROOT,
                "heap after GC after setup (whole JVM): %d MiB, %d MiB before the fleet: %.0f B/host",
                heapSetup >> 20,
                heapBefore >> 20,
                (heapSetup - heapBefore) / (double) o.hosts()));

        double sustained;
        // the profile covers the rate steps only, not the setup or the latency probes
        try (jdk.jfr.Recording recording = o.jfr() == null ? null : profile()) {
          // every host beats once before anything is counted: the host stage's first sight of a
          // host is a transition its changelog records, once per host, not a per-heartbeat cost
          double warmRate = o.rates().get(0);
          int warmSeconds = (int) Math.max(5, Math.ceil(fleet.live().length / warmRate) + 2);
          Step warm = step(producer, lag, fleet, warmRate, warmSeconds, 0, "warm-up");
          drain(lag, "after the warm-up", Duration.ofMinutes(2));
          report.add(
              String.format(
                  Locale.ROOT,
                  "warm-up: every host beats once, %,d s at %,.0f/s (sent %,.0f/s, took %,.0f/s)",
                  warmSeconds,
                  warmRate,
                  warm.sentPerSecond(),
                  warm.processedPerSecond()));
          Map<String, Long> writtenBefore = KafkaWrites.snapshot(admin, appId);
          long telemetryBefore = committedEnd(admin, Topics.TELEMETRY.name());
          sustained = steps(producer, lag, fleet, warm.position());
          report.add(
              KafkaWrites.perThousand(
                  writtenBefore,
                  KafkaWrites.snapshot(admin, appId),
                  committedEnd(admin, Topics.TELEMETRY.name()) - telemetryBefore));
          if (recording != null) {
            recording.dump(Path.of(o.jfr()));
            report.add("JFR profile of the rate steps: " + o.jfr());
          }
        }
        if (!o.skip().contains("latency") && sustained > 0 && o.probes() > 0) {
          latency(producer, registry, lag, fleet, sustained, probeTenants);
        }
        if (o.halt()) {
          halt(producer, admin, lag, tenants);
        }
        long heapAfter = heapAfterGc();
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
        progress.say("closing the topology");
        streams.close(Duration.ofSeconds(60));
      }
      if (!o.skip().contains("memory")) {
        memory(stateDir);
      }
    }

    private static jdk.jfr.Recording profile() throws Exception {
      jdk.jfr.Recording r =
          new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
      r.start();
      return r;
    }

    private void raw(Admin admin, SchemaRegistry registry, String[] keys, Properties settings)
        throws Exception {
      String topic = "fleet-load.raw-" + runId;
      int partitions = Topics.TELEMETRY.partitions();
      admin
          .createTopics(
              List.of(
                  new NewTopic(
                      topic,
                      java.util.Optional.of(partitions),
                      embedded
                          ? java.util.Optional.of(TopicInstaller.DEFAULT_REPLICATION_FACTOR)
                          : java.util.Optional.empty())))
          .all()
          .get();
      Heartbeat beat =
          Heartbeat.newBuilder()
              .setTenant(Keys.tenantOf(keys[0]))
              .setAt(Instant.now())
              .setHost("h0000000")
              .setRelease("rel-1")
              .setMetrics(Map.of("cpu", 0.31, "errorRate", 0.001))
              .build();
      byte[] value =
          Topics.TELEMETRY
              .valueSerde(registry)
              .serializer()
              .serialize(Topics.TELEMETRY.name(), beat);
      progress.say(String.format(Locale.ROOT, "raw Kafka: %,d records", o.rawRecords()));
      RawBaseline.Result r =
          RawBaseline.run(bootstrap, topic, partitions, keys, value, o.rawRecords(), settings);
      rawEndToEnd = r.endToEndPerSecond();
      report.add(
          String.format(
              Locale.ROOT,
              "raw Kafka (same keys, %d-byte heartbeat values, acks=all, linger 5 ms, read_committed"
                  + " consumer): %,d records, produce %,.0f/s, produce->consume %,.0f/s (%.1f s),"
                  + " load %s",
              value.length,
              r.records(),
              r.producePerSecond(),
              r.endToEndPerSecond(),
              r.endToEndSeconds(),
              loadAverage()));
      admin.deleteTopics(List.of(topic)).all().get();
    }

    private double rawEndToEnd = Double.NaN;

    /** Tenants on the journal partition of {@code loadTenant}, so probes share its task's queue. */
    private String[] probeTenants(String loadTenant, int partitions) {
      int target = LedgerTopology.partitionOf(loadTenant, partitions);
      List<String> found = new ArrayList<>();
      for (int j = 0; found.size() < 3 * o.probes(); j++) {
        String t = "probe-" + runId + "-" + j;
        if (LedgerTopology.partitionOf(t, partitions) == target) {
          found.add(t);
        }
      }
      return found.toArray(String[]::new);
    }

    private void setup(
        KafkaProducer<String, SpecificRecord> producer,
        Admin admin,
        LagMeter lag,
        String[] tenants,
        String[] hosts,
        String[] tenantOf,
        String[] probeTenants)
        throws Exception {
      long start = System.nanoTime();
      Instant now = Instant.now();
      progress.say(String.format(Locale.ROOT, "registering %,d hosts", hosts.length));
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
      timedDrain(lag, "hosts and releases", Duration.ofMinutes(10), start);
      long decisionsBefore = committedEnd(admin, Topics.LEDGER.name());
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
        send(
            producer,
            Topics.ROLLOUT_CONTROL,
            Keys.of(t, "r-1"),
            RolloutPlanned.newBuilder()
                .setTenant(t)
                .setAt(Instant.now())
                .setRollout("r-1")
                .setRelease("rel-1")
                .setPlan(
                    PlanSpec.newBuilder()
                        .setWaves(List.of(wave))
                        // probes are judged by their crash only; the fleet's hosts are silent only
                        // when made so (--silent-percent), not because a slow step stretches their
                        // interval past the timeout
                        .setHeartbeatTimeout(probe ? "P1D" : heartbeatTimeout().toString())
                        .build())
                .build());
      }
      producer.flush();
      // one input per rollout: the lag check cannot see it (it allows a few offsets of markers),
      // so wait for the WaveStarted of every rollout to be committed to the ledger
      awaitCommitted(admin, Topics.LEDGER.name(), decisionsBefore, all.size(), "plans", planned);
      timedDrain(lag, "rollouts", Duration.ofMinutes(10), planned);
      for (String t : probeTenants) {
        for (String h : List.of("p1", "p2")) {
          send(
              producer,
              Topics.TELEMETRY,
              Keys.of(t, h),
              UpdateApplied.newBuilder()
                  .setTenant(t)
                  .setAt(Instant.now())
                  .setHost(h)
                  .setRelease("rel-1")
                  .setOk(true)
                  .build());
        }
      }
      producer.flush();
      drain(lag, "probe applies", Duration.ofMinutes(2));
      report.add(
          String.format(
              Locale.ROOT,
              "setup: %,d hosts, %d load rollout(s), %d probe tenants registered, planned and"
                  + " drained in %.1f s",
              hosts.length,
              tenants.length,
              probeTenants.length,
              (System.nanoTime() - start) / 1e9));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void send(
        KafkaProducer<String, SpecificRecord> producer,
        TopicDescriptor<String, ?> topic,
        String key,
        SpecificRecord value) {
      producer.send(new ProducerRecord(topic.name(), key, value));
    }

    /**
     * The load plan's heartbeat timeout: three of the longest per-host heartbeat interval of the
     * run (the lowest rate's), at least the default 30 s.
     */
    private Duration heartbeatTimeout() {
      double lowest = o.rates().stream().mapToDouble(Double::doubleValue).min().orElse(1);
      long seconds = (long) Math.ceil(3 * o.hosts() / lowest);
      return Duration.ofSeconds(Math.max(30, seconds));
    }

    /** Runs the rate steps; returns the sustained rate (0 if even the first step was not). */
    private double steps(
        KafkaProducer<String, SpecificRecord> producer,
        LagMeter lag,
        HeartbeatSender.Fleet fleet,
        int startPosition)
        throws InterruptedException {
      report.add(
          String.format(
              Locale.ROOT,
              "steps of %d s (fleet rate at %.0f s heartbeats: %,.0f/s; plan heartbeatTimeout %s;"
                  + " silent %.1f%%, injected crashes %.1f/s):",
              o.stepSeconds(),
              o.interval(),
              fleet.live().length / o.interval(),
              heartbeatTimeout(),
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
        Step s = step(producer, lag, fleet, rate, o.stepSeconds(), position, "step");
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
        if (!drain(lag, "after step", Duration.ofSeconds(90))) {
          break;
        }
      }
      drain(lag, "after the steps", Duration.ofMinutes(5));
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

    /** What one step did. */
    record Step(
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

    private Step step(
        KafkaProducer<String, SpecificRecord> producer,
        LagMeter lag,
        HeartbeatSender.Fleet fleet,
        double rate,
        int seconds,
        int position,
        String what)
        throws InterruptedException {
      LagMeter.Reading first = lag.read();
      long processCpu = processCpuNanos();
      long streamCpu = streamThreadCpuNanos();
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
        sleepUntil(start + TimeUnit.SECONDS.toNanos(s));
        last = lag.read();
        lastLag = last.lag(Topics.TELEMETRY.name()) + last.lag(Topics.INPUTS.name());
        if (s > seconds / 2) {
          maxLag = Math.max(maxLag, lastLag);
          secondHalf.add(lastLag);
        }
        progress.say(
            String.format(
                Locale.ROOT,
                "%s %,.0f/s: %d/%d s, sent %,d, lag %,d, load %s",
                what,
                rate,
                s,
                seconds,
                sender.sent(),
                lastLag,
                loadAverage()));
      }
      t.join();
      producer.flush();
      if (sender.failed() > 0) {
        throw new IllegalStateException(
            sender.failed() + " sends failed, first: " + sender.firstFailure());
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      processCpu = processCpuNanos() - processCpu;
      streamCpu = streamThreadCpuNanos() - streamCpu;
      // taken: telemetry the host stage consumed and committed (ADR 0007: only its news goes on
      // to the decision stage's journal, so the journal's offsets no longer count heartbeats)
      long took =
          last.committed(Topics.TELEMETRY.name()) - first.committed(Topics.TELEMETRY.name());
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
          loadAverage(),
          sender.position());
    }

    private void latency(
        KafkaProducer<String, SpecificRecord> producer,
        SchemaRegistry registry,
        LagMeter lag,
        HeartbeatSender.Fleet fleet,
        double sustained,
        String[] probeTenants)
        throws Exception {
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
      Properties pp = new Properties();
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      pp.put(ProducerConfig.ACKS_CONFIG, "all");
      pp.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      try (Outputs outputs = new Outputs(bootstrap, registry, "probe-" + runId + "-");
          KafkaProducer<String, SpecificRecord> probeProducer =
              new KafkaProducer<>(pp, new StringSerializer(), routingSerializer(registry))) {
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
            send(
                probeProducer,
                Topics.TELEMETRY,
                Keys.of(tenant, "p2"),
                CrashReport.newBuilder()
                    .setTenant(tenant)
                    .setAt(Instant.now())
                    .setHost("p2")
                    .setRelease("rel-1")
                    .setSignature("PAGE_FAULT_IN_NONPAGED_AREA")
                    .setKind("BSOD")
                    .build());
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
            progress.say(
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
          Percentiles ph =
              new Percentiles(hold.stream().mapToDouble(Double::doubleValue).toArray());
          Percentiles pd =
              new Percentiles(halt.stream().mapToDouble(Double::doubleValue).toArray());
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
                  loadAverage()));
          drain(lag, "after latency level", Duration.ofMinutes(2));
          level++;
        }
      }
    }

    private void memory(Path stateDir) throws IOException {
      Map<String, Long> byStore = new TreeMap<>();
      long total = 0;
      try (Stream<Path> files = Files.walk(stateDir)) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          long size = Files.size(f);
          total += size;
          Path rel = stateDir.relativize(f);
          // <app>/<task>/rocksdb/<store>/...
          if (rel.getNameCount() > 3 && rel.getName(2).toString().equals("rocksdb")) {
            byStore.merge(rel.getName(3).toString(), size, Long::sum);
          }
        }
      }
      report.add(
          String.format(
              Locale.ROOT,
              "state directory after close (RocksDB, all tasks): %,d bytes = %.0f B/host; by store"
                  + " %s",
              total,
              total / (double) o.hosts(),
              byStore));
      progress.say("reading the hosts changelog");
      long[] live = changelogLiveBytes(appId + "-" + LedgerTopology.HOSTS_STORE + "-changelog");
      report.add(
          String.format(
              Locale.ROOT,
              "hosts store, live key+value bytes from its changelog: %,d keys, %,d bytes = %.0f"
                  + " B/host (changelog records read: %,d)",
              live[0],
              live[1],
              live[1] / (double) Math.max(1, live[0]),
              live[2]));
    }

    /** Keys, live bytes (latest key+value per key) and records of a changelog topic. */
    private long[] changelogLiveBytes(String topic) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
      Map<String, Integer> sizes = new HashMap<>();
      long records = 0;
      try (KafkaConsumer<byte[], byte[]> c =
          new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        List<TopicPartition> tps = new ArrayList<>();
        c.partitionsFor(topic).forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
        c.assign(tps);
        c.seekToBeginning(tps);
        Map<TopicPartition, Long> ends = c.endOffsets(tps);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline
            && tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
            records++;
            String k = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
            if (r.value() == null) {
              sizes.remove(k);
            } else {
              sizes.put(k, r.key().length + r.value().length);
            }
          }
        }
      }
      long bytes = sizes.values().stream().mapToLong(Integer::longValue).sum();
      return new long[] {sizes.size(), bytes, records};
    }

    /** Waits until the group has consumed everything; false if it did not within {@code max}. */
    /** Drains, and reports how long since {@code since} (System.nanoTime) it took. */
    private void timedDrain(LagMeter lag, String what, Duration max, long since) {
      boolean drained = drain(lag, what, max);
      report.add(
          String.format(
              Locale.ROOT,
              "%s: %s in %.1f s (load %s)",
              what,
              drained ? "decided and committed" : "NOT drained",
              (System.nanoTime() - since) / 1e9,
              loadAverage()));
    }

    /**
     * Halts every load rollout (ManualHalt on the control topic): one input that sends a signed
     * Hold to every host of the rollout in one transaction. Reports the time until the topology
     * committed it and the records it added to the commands topic.
     */
    private void halt(
        KafkaProducer<String, SpecificRecord> producer, Admin admin, LagMeter lag, String[] tenants)
        throws Exception {
      long before = committedEnd(admin, Topics.COMMANDS.name());
      long entriesBefore = committedEnd(admin, Topics.LEDGER.name());
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
      awaitCommitted(
          admin, Topics.LEDGER.name(), entriesBefore, tenants.length, "RolloutHalted", start);
      awaitCommitted(admin, Topics.COMMANDS.name(), before, o.hosts(), "Holds of the halt", start);
    }

    /**
     * Waits until read_committed readers of {@code topic} see at least {@code records} more than
     * {@code before} (its last stable offsets, summed; transaction markers count too), and reports
     * the time since {@code since}.
     */
    private void awaitCommitted(
        Admin admin, String topic, long before, long records, String what, long since)
        throws Exception {
      long deadline = since + TimeUnit.MINUTES.toNanos(15);
      long seen;
      while ((seen = committedEnd(admin, topic) - before) < records) {
        if (System.nanoTime() > deadline) {
          report.add(
              String.format(
                  Locale.ROOT, "%s: only %,d of %,d committed in 15 min", what, seen, records));
          return;
        }
        progress.say(String.format(Locale.ROOT, "waiting for %s: %,d of %,d", what, seen, records));
        sleepMillis(50); // the time is read to 50 ms
      }
      report.add(
          String.format(
              Locale.ROOT,
              "%s: %,d records committed to %s in %.1f s (load %s)",
              what,
              seen,
              topic,
              (System.nanoTime() - since) / 1e9,
              loadAverage()));
    }

    /** The topic's last stable offsets, summed: what read_committed consumers can read. */
    private static long committedEnd(Admin admin, String topic) throws Exception {
      var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ask =
          new HashMap<>();
      for (var p : partitions.partitions()) {
        ask.put(
            new org.apache.kafka.common.TopicPartition(topic, p.partition()),
            org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
      long sum = 0;
      var committed =
          new org.apache.kafka.clients.admin.ListOffsetsOptions(
              org.apache.kafka.common.IsolationLevel.READ_COMMITTED);
      for (var r : admin.listOffsets(ask, committed).all().get().values()) {
        sum += r.offset();
      }
      return sum;
    }

    private boolean drain(LagMeter lag, String what, Duration max) {
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
        sleepMillis(250);
      }
    }

    private void awaitRunning(KafkaStreams streams) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (streams.state() != KafkaStreams.State.RUNNING) {
        if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()) {
          throw new IllegalStateException("topology not RUNNING: " + streams.state());
        }
        sleepMillis(50);
      }
    }
  }

  /** One serializer for every input topic: each topic's own Confluent Avro serializer. */
  @SuppressWarnings("unchecked")
  static Serializer<SpecificRecord> routingSerializer(SchemaRegistry registry) {
    Map<String, Serializer<SpecificRecord>> byTopic = new HashMap<>();
    for (TopicDescriptor<String, ?> t :
        List.of(
            Topics.HOSTS,
            Topics.RELEASES,
            Topics.ROLLOUT_CONTROL,
            Topics.TELEMETRY,
            Topics.CLOCK)) {
      byTopic.put(
          t.name(),
          (Serializer<SpecificRecord>) (Serializer<?>) t.valueSerde(registry).serializer());
    }
    return (topic, data) -> byTopic.get(topic).serialize(topic, data);
  }

  /** The server's clock: a tick on {@code ledger.clock} every second, as ClockTicker does. */
  static final class Clock implements AutoCloseable {
    private final KafkaProducer<String, SpecificRecord> producer;
    private final Thread thread;
    private volatile boolean closed;

    Clock(String bootstrap, Serializer<SpecificRecord> serializer) {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      producer = new KafkaProducer<>(p, new StringSerializer(), serializer);
      thread =
          new Thread(
              () -> {
                while (!closed) {
                  producer.send(
                      new ProducerRecord<>(
                          Topics.CLOCK.name(),
                          "clock",
                          ClockTick.newBuilder().setAt(Instant.now()).build()));
                  sleepMillis(1000);
                }
              },
              "clock-ticker");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      closed = true;
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      producer.close(Duration.ofSeconds(5));
    }
  }

  /** Where the report's lines go. */
  interface Report {
    void add(String line);
  }

  /** A status line on the terminal, rewritten in place; nothing when output is piped. */
  static final class Progress {
    private final boolean on;
    private long lastAt;

    Progress(boolean on) {
      this.on = on;
    }

    void say(String line) {
      if (!on) {
        return;
      }
      long now = System.nanoTime();
      if (now - lastAt < 100_000_000L) {
        return;
      }
      lastAt = now;
      System.err.print("\r\033[K" + line);
      System.err.flush();
    }

    void clear() {
      if (on) {
        System.err.print("\r\033[K");
        System.err.flush();
      }
    }

    void fail(String line) {
      System.err.println((on ? "\r\033[K" : "") + line);
    }

    void done() {
      if (on) {
        System.err.print("\r\033[K");
        System.err.flush();
      }
    }
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * CPU time of the topology's stream threads (both hops and the engine run there) and their
   * producers' I/O threads.
   */
  static long streamThreadCpuNanos() {
    var threads = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().contains("StreamThread")) {
        sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return sum;
  }

  static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static void sleepMillis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void sleepUntil(long nanos) throws InterruptedException {
    long wait = nanos - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort: a temp dir left behind is harmless
                }
              });
    } catch (IOException | UncheckedIOException ignored) {
      // best effort
    }
  }
}
