package dev.rolloutledger.cli;

import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.sim.IncidentComparison;
import dev.rolloutledger.domain.sim.Scenario;
import dev.rolloutledger.replay.ScenarioJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ledger incidents [DIR] [--write FILE.md]}: every scenario of the incident library under
 * the default plan, beside its historical all-at-once propagation, as one markdown table.
 */
@Command(
    name = "incidents",
    description = {
      "Runs every scenario (*.json) of DIR, sorted by file name, under the default plan and prints"
          + " a markdown table: what all-at-once propagation did, and what the staged rollout did."
          + " Same files, same table.",
      "Exit codes: 0 done, 2 invalid scenario (the message names the file and the field) or"
          + " missing markers, 3 I/O error."
    })
final class IncidentsCommand implements Callable<Integer> {
  static final String BEGIN = "<!-- incidents:begin -->";
  static final String END = "<!-- incidents:end -->";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      defaultValue = "load-tests/incidents",
      description = "The library (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = "--write",
      paramLabel = "FILE.md",
      description = "Also replace the table between " + BEGIN + " and " + END + " in this file.")
  Path write;

  @Option(names = "--quiet", description = "No progress bar, even on a terminal.")
  boolean quiet;

  /** A scenario of the library and the file it came from. */
  record Incident(Path file, Scenario scenario) {}

  @Override
  public Integer call() throws Exception {
    // every file is read before any runs, so a typo in the last one fails at once
    List<Incident> library = library(dir);
    // the document too is checked before the minutes of simulation, not after
    Slot slot = write == null ? null : Slot.in(write, Files2.read(write));
    String table = table(run(library));
    if (slot != null) {
      Files2.write(write, slot.with(table));
    }
    spec.commandLine().getOut().print(table);
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** The scenarios of {@code dir}, by file name; an invalid one is named with its field. */
  static List<Incident> library(Path dir) {
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new LedgerCli.UsageProblem(dir + ": not a readable directory");
    }
    if (files.isEmpty()) {
      throw new LedgerCli.UsageProblem(dir + ": no scenario (*.json) in it");
    }
    List<Incident> library = new ArrayList<>();
    for (Path file : files) {
      library.add(new Incident(file, scenario(file)));
    }
    return library;
  }

  private static Scenario scenario(Path file) {
    try {
      // the table says "default plan": a scenario's own plan would make it lie
      return IncidentComparison.requireNoPlan(ScenarioJson.scenario(Files2.read(file)));
    } catch (InvalidFieldException e) {
      throw new LedgerCli.UsageProblem(file + ": invalid " + e.field() + ": " + e.problem());
    }
  }

  /** Runs the scenarios on every core; reports in library order, whichever finishes first. */
  private List<IncidentComparison> run(List<Incident> library) throws InterruptedException {
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
    try (Progress progress = Progress.of("incidents", quiet)) {
      List<Future<IncidentComparison>> runs = new ArrayList<>();
      for (Incident incident : library) {
        runs.add(pool.submit(() -> IncidentComparison.run(incident.scenario(), null)));
      }
      List<IncidentComparison> reports = new ArrayList<>();
      for (int i = 0; i < runs.size(); i++) {
        progress.update(i, runs.size(), library.get(i).file().getFileName().toString());
        reports.add(result(runs.get(i)));
      }
      return reports;
    } finally {
      pool.shutdownNow();
    }
  }

  private static IncidentComparison result(Future<IncidentComparison> run)
      throws InterruptedException {
    try {
      return run.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The markdown table, one row per scenario, in the library's order. */
  private static String table(List<IncidentComparison> reports) {
    StringBuilder b = new StringBuilder();
    b.append(
        "| incident | hosts | all at once: exposed / failed | default plan: halted"
            + " | signal | exposed | failed | time to halt | completed in |\n");
    b.append("|---|--:|---|---|---|--:|--:|--:|---|\n");
    for (IncidentComparison r : reports) {
      b.append(row(r));
    }
    return b.toString();
  }

  private static String row(IncidentComparison c) {
    IncidentComparison.Staged r = c.whatIf();
    return String.join(
            " | ",
            "| " + c.name().replace("|", "\\|"),
            count(c.hosts()),
            historical(c.historical()),
            r.halted() ? "in " + r.haltedWave() : "no",
            r.halted() ? r.haltSignal() : "-",
            count(r.exposedHosts()),
            count(r.failedHosts()),
            r.halted() ? duration(r.timeToHalt()) : "-",
            completion(r))
        + " |\n";
  }

  private static String historical(IncidentComparison.Historical h) {
    if (h == null) {
      return "-";
    }
    return count(h.exposedHosts())
        + " / "
        + count(h.failedHosts())
        + " within "
        + duration(h.propagation());
  }

  private static String completion(IncidentComparison.Staged r) {
    if (r.completed()) {
      return duration(r.duration());
    }
    return r.halted() ? "-" : "no, horizon " + duration(r.duration());
  }

  private static String count(int n) {
    return IncidentComparison.count(n);
  }

  private static String duration(Duration d) {
    return IncidentComparison.human(d);
  }

  /** Where the table goes in a document: between the markers; the rest stays as it is. */
  private record Slot(String before, String after) {
    static Slot in(Path file, String doc) {
      int begin = doc.indexOf(BEGIN);
      int end = begin < 0 ? -1 : doc.indexOf(END, begin);
      if (end < 0) {
        throw new LedgerCli.UsageProblem(
            file + ": needs the lines " + BEGIN + " and then " + END + " around the table");
      }
      return new Slot(doc.substring(0, begin + BEGIN.length()), doc.substring(end));
    }

    String with(String table) {
      return before + "\n" + table + after;
    }
  }
}
