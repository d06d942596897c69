package dev.rolloutledger.loadtests.fleet;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;

/**
 * Where the work of the rate steps ran: per Streams instance, the active tasks it owns of each
 * stage and the share of a core each stage used, from Kafka Streams' own metrics (INFO level), and
 * the CPU time of the instance's threads (ThreadMXBean, threads named after its client id).
 *
 * <p>A stage's share on an instance is, summed over the instance's stream threads and the stage's
 * tasks, the task's {@code active-process-ratio} (its part of the thread's time in {@code
 * process()}) times the thread's {@code process-ratio} (the thread's time in {@code process()} in
 * its last loop): wall time in the stage's processors, not the thread's polls, commits or
 * punctuations. Both are the values of the thread's last loop, in whole milliseconds, so they are
 * sampled every {@link #SAMPLE_MS} ms while a step runs and averaged.
 */
public final class StageShares {
  static final long SAMPLE_MS = 250;

  private static final String HOST = "host stage";
  private static final String DECISION = "decision stage";
  private static final String OTHER = "other";

  private final StreamsInstances streams;
  private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();

  /** Per instance (index) and stage: the sum of the sampled shares; and the samples taken. */
  private final Map<String, double[]> shareSums = new HashMap<>();

  private long samples;

  /** Per instance: CPU nanos of its threads in the windows, and the windows' nanos. */
  private final long[] cpuNanos;

  private long windowNanos;

  /** Per instance and stage: the active tasks at the end of the last window. */
  private final Map<String, int[]> tasks = new HashMap<>();

  private boolean tasksMoved;
  private boolean tasksCounted;
  private Map<Long, Long> cpuAtStart;
  private long windowStart;
  private Thread sampler;
  private volatile boolean sampling;

  public StageShares(StreamsInstances streams) {
    this.streams = streams;
    this.cpuNanos = new long[streams.instances().size()];
    for (String stage : List.of(HOST, DECISION, OTHER)) {
      shareSums.put(stage, new double[cpuNanos.length]);
      tasks.put(stage, new int[cpuNanos.length]);
    }
  }

  /** A measured stretch begins (a rate step). */
  public void start() {
    cpuAtStart = threadCpu();
    windowStart = System.nanoTime();
    sampling = true;
    sampler =
        new Thread(
            () -> {
              while (sampling) {
                Machine.sleepMillis(SAMPLE_MS);
                if (sampling) {
                  sample();
                }
              }
            },
            "stage-shares");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** The measured stretch ends. */
  public void stop() throws InterruptedException {
    sampling = false;
    sampler.join();
    windowNanos += System.nanoTime() - windowStart;
    Map<Long, Long> now = threadCpu();
    for (int i = 0; i < cpuNanos.length; i++) {
      String prefix = streams.instances().get(i).clientId() + "-";
      for (long id : mx.getAllThreadIds()) {
        var info = mx.getThreadInfo(id);
        if (info != null && info.getThreadName().contains(prefix) && now.containsKey(id)) {
          cpuNanos[i] += now.get(id) - cpuAtStart.getOrDefault(id, 0L);
        }
      }
    }
    countTasks();
  }

  private Map<Long, Long> threadCpu() {
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : mx.getAllThreadIds()) {
      long t = mx.getThreadCpuTime(id);
      if (t >= 0) {
        cpu.put(id, t);
      }
    }
    return cpu;
  }

  private String stageOf(int subtopology) {
    StreamsInstances.Stages s = streams.stages();
    if (s.hostStage().contains(subtopology)) {
      return HOST;
    }
    return s.decisionStage().contains(subtopology) ? DECISION : OTHER;
  }

  /** One sample of every instance's task and thread process ratios. */
  private synchronized void sample() {
    List<StreamsInstances.Instance> all = streams.instances();
    for (int i = 0; i < all.size(); i++) {
      Map<MetricName, ? extends Metric> metrics = all.get(i).streams().metrics();
      Map<String, Double> threadRatio = new HashMap<>();
      metrics.forEach(
          (name, m) -> {
            if (name.group().equals("stream-thread-metrics")
                && name.name().equals("process-ratio")) {
              threadRatio.put(name.tags().get("thread-id"), value(m));
            }
          });
      for (var e : metrics.entrySet()) {
        MetricName name = e.getKey();
        if (!name.group().equals("stream-task-metrics")
            || !name.name().equals("active-process-ratio")) {
          continue;
        }
        String task = name.tags().get("task-id");
        double thread = threadRatio.getOrDefault(name.tags().get("thread-id"), 0.0);
        int subtopology = Integer.parseInt(task.substring(0, task.indexOf('_')));
        shareSums.get(stageOf(subtopology))[i] += value(e.getValue()) * thread;
      }
    }
    samples++;
  }

  private static double value(Metric m) {
    Object v = m.metricValue();
    if (v instanceof Number) {
      double d = ((Number) v).doubleValue();
      return Double.isFinite(d) ? d : 0; // 0/0 in a loop that processed nothing
    }
    return 0;
  }

  private void countTasks() {
    List<StreamsInstances.Instance> all = streams.instances();
    Map<String, int[]> now = new HashMap<>();
    for (String stage : List.of(HOST, DECISION, OTHER)) {
      now.put(stage, new int[all.size()]);
    }
    for (int i = 0; i < all.size(); i++) {
      KafkaStreams s = all.get(i).streams();
      for (ThreadMetadata t : s.metadataForLocalThreads()) {
        for (var task : t.activeTasks()) {
          now.get(stageOf(task.taskId().subtopology()))[i]++;
        }
      }
    }
    if (tasksCounted) {
      for (String stage : now.keySet()) {
        if (!Arrays.equals(now.get(stage), tasks.get(stage))) {
          tasksMoved = true;
        }
      }
    }
    tasks.putAll(now);
    tasksCounted = true;
  }

  /** The table: a line per instance, then the stages over all instances. */
  public synchronized void report(Report report) {
    if (windowNanos == 0) {
      return;
    }
    List<StreamsInstances.Instance> all = streams.instances();
    StreamsInstances.Stages s = streams.stages();
    report.add(
        String.format(
            Locale.ROOT,
            "where the rate steps ran (%d instance(s) of %d stream thread(s); sub-topologies: host"
                + " stage %s reads ledger.telemetry, decision stage %s reads ledger.inputs; a"
                + " stage's core = sum over its tasks of active-process-ratio x the thread's"
                + " process-ratio: wall time in process(), more than CPU when the cores are"
                + " oversubscribed; %d samples every %d ms over %.0f s of steps; threads CPU ="
                + " the instance's threads by ThreadMXBean; active tasks at the end of the"
                + " steps%s):",
            all.size(),
            streams.threads(),
            s.hostStage(),
            s.decisionStage(),
            samples,
            SAMPLE_MS,
            windowNanos / 1e9,
            tasksMoved ? ", they moved between steps" : ""));
    double[] totals = new double[3];
    for (int i = 0; i < all.size(); i++) {
      StringBuilder line = new StringBuilder("instance " + all.get(i).number() + ":");
      int k = 0;
      for (String stage : List.of(HOST, DECISION, OTHER)) {
        double core = shareSums.get(stage)[i] / Math.max(1, samples);
        totals[k++] += core;
        int n = tasks.get(stage)[i];
        if (stage.equals(OTHER) && n == 0) {
          continue;
        }
        line.append(
            String.format(
                Locale.ROOT,
                "%s %s %d task%s %.2f core",
                k == 1 ? "" : ",",
                stage,
                n,
                n == 1 ? "" : "s",
                core));
      }
      line.append(
          String.format(
              Locale.ROOT, "; threads CPU %.2f core", cpuNanos[i] / (double) windowNanos));
      report.add(line.toString());
    }
    long cpu = 0;
    for (long n : cpuNanos) {
      cpu += n;
    }
    report.add(
        String.format(
            Locale.ROOT,
            "all instances: host stage %.2f core, decision stage %.2f core, other %.2f core;"
                + " threads CPU %.2f core",
            totals[0],
            totals[1],
            totals[2],
            cpu / (double) windowNanos));
  }
}
