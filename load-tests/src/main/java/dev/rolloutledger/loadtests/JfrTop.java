package dev.rolloutledger.loadtests;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU went in a JFR recording: execution samples by thread group, by top frame, and by
 * the innermost frame of our own code ({@code dev.rolloutledger}) on the stack, each as a share of
 * all samples. For the profile in load-tests/RESULTS.md.
 *
 * <pre>
 * java -cp "load-tests/target/ledger-load-tests-0.1.0-SNAPSHOT.jar:load-tests/target/lib/*" \
 *   dev.rolloutledger.loadtests.JfrTop recording.jfr [ROWS]
 * </pre>
 */
public final class JfrTop {
  private JfrTop() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: JfrTop RECORDING.jfr [ROWS]");
      System.exit(2);
    }
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    Map<String, Integer> byThread = new HashMap<>();
    Map<String, Integer> byTop = new HashMap<>();
    Map<String, Integer> byOurs = new HashMap<>();
    Map<String, Integer> streamTop = new HashMap<>();
    Map<String, Integer> streamInclusive = new HashMap<>();
    int total = 0;
    int stream = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
        continue;
      }
      total++;
      String thread = group(e.getThread("sampledThread").getJavaName());
      byThread.merge(thread, 1, Integer::sum);
      List<RecordedFrame> frames =
          e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames();
      String top = frames.isEmpty() ? "?" : name(frames.get(0));
      byTop.merge(top, 1, Integer::sum);
      if (thread.equals("stream thread")) {
        stream++;
        streamTop.merge(top, 1, Integer::sum);
        String ours = "(no dev.rolloutledger frame)";
        for (RecordedFrame f : frames) {
          if (f.getMethod().getType().getName().startsWith("dev.rolloutledger")) {
            ours = name(f);
            break;
          }
        }
        byOurs.merge(ours, 1, Integer::sum);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (RecordedFrame f : frames) {
          if (seen.add(name(f))) {
            streamInclusive.merge(name(f), 1, Integer::sum);
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "%d execution samples%n", total);
    print("by thread", byThread, total, rows);
    print("top frame, all threads", byTop, total, rows);
    print("top frame, stream thread (" + stream + " samples)", streamTop, stream, rows);
    print("innermost dev.rolloutledger frame, stream thread", byOurs, stream, rows);
    print("on the stack (inclusive), stream thread", streamInclusive, stream, 2 * rows);
  }

  private static String group(String thread) {
    if (thread == null) {
      return "?";
    }
    if (thread.startsWith("kafka-producer-network-thread")) {
      return "producer network threads";
    }
    if (thread.contains("StreamThread")) {
      return "stream thread";
    }
    if (thread.startsWith("data-plane-kafka") || thread.contains("kafka-request-handler")) {
      return "broker request handlers";
    }
    if (thread.startsWith("data-plane") || thread.contains("network-thread")) {
      return "broker network threads";
    }
    return thread.replaceAll("[-_ ]?[0-9]+$", "").replaceAll("-[0-9]+-", "-N-");
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static void print(String title, Map<String, Integer> counts, int total, int rows) {
    System.out.printf(Locale.ROOT, "%n%s:%n", title);
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(rows)
        .forEach(
            en ->
                System.out.printf(
                    Locale.ROOT,
                    "  %5.1f%%  %s%n",
                    100.0 * en.getValue() / Math.max(1, total),
                    en.getKey()));
  }
}
