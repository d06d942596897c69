package dev.rolloutledger.loadtests.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What FleetLoad runs: its command line, see {@link #USAGE}. */
public record FleetOptions(
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
    boolean halt,
    int instances,
    int threads,
    boolean probeDuringHalt,
    int fanOutChunk) {

  public static final String USAGE =
      """
      usage: FleetLoad [--hosts N] [--tenants T] [--interval SECONDS] [--rates R1,R2,...]
                       [--step-seconds S] [--probes P] [--raw-records N] [--commit-interval-ms MS]
                       [--silent-percent P] [--crashes-per-second C] [--bootstrap-servers HOST:PORT]
                       [--skip raw,latency,memory] [--streams-config key=value ...] [--jfr FILE]
                       [--halt true]   (at the end, halt every load rollout: one Hold per host)
                       [--probe-during-halt true]   (with --halt: a probe rollout of the first
                                        load tenant is halted by a crash while the Holds go out)
                       [--instances N]  (KafkaStreams instances of the topology in this JVM)
                       [--threads T]    (stream threads per instance; default cores / N, >= 1)
                       [--fan-out-chunk C]  (commands a halt sends per transaction; default the
                                        server's, 5,000: an experiment, not the server's setting)
      """;

  /** Parses the command line; --help prints the usage and exits. */
  public static FleetOptions parse(String[] args) {
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
    int instances = 1;
    int threads = 0;
    boolean probeDuringHalt = false;
    int fanOutChunk = 0;
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
        case "--probe-during-halt" -> probeDuringHalt = Boolean.parseBoolean(v);
        case "--instances" -> instances = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--fan-out-chunk" -> fanOutChunk = Integer.parseInt(v);
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
      throw new IllegalArgumentException("need hosts >= tenants >= 1, step-seconds >= 5\n" + USAGE);
    }
    if (instances < 1 || threads < 0 || fanOutChunk < 0) {
      throw new IllegalArgumentException(
          "need instances >= 1, threads >= 0 (0: cores / instances)\n" + USAGE);
    }
    if (probeDuringHalt && !halt) {
      throw new IllegalArgumentException("--probe-during-halt needs --halt true\n" + USAGE);
    }
    if (rates == null) {
      // steps of about 1.25x from 250/s up to the 100k/s goal
      rates = new ArrayList<>(List.of(250.0, 500.0, 1000.0, 1500.0));
      for (double r = 2000; r <= 100_000; r = Math.round(r * 1.25 / 500) * 500.0) {
        rates.add(r);
      }
    }
    return new FleetOptions(
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
        halt,
        instances,
        threads,
        probeDuringHalt,
        fanOutChunk);
  }

  /** Whether {@code --skip} names this phase. */
  public boolean skips(String phase) {
    return skip.contains(phase);
  }

  /**
   * The load plan's heartbeat timeout: three of the longest per-host heartbeat interval of the run
   * (the lowest rate's), at least the default 30 s.
   */
  public Duration heartbeatTimeout() {
    double lowest = rates.stream().mapToDouble(Double::doubleValue).min().orElse(1);
    long seconds = (long) Math.ceil(3 * hosts / lowest);
    return Duration.ofSeconds(Math.max(30, seconds));
  }
}
