package dev.rolloutledger.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A tenant's world for engine tests: one store, one engine, a clock that ticks per input. */
final class Scenario {
  static final String TENANT = "acme";
  static final Instant START = Instant.parse("2025-03-01T10:00:00Z");
  static final Duration TTL = Duration.ofMinutes(30);

  final InMemoryLedgerStore store = new InMemoryLedgerStore();
  final RolloutEngine engine;
  final List<Decision> decisions = new ArrayList<>();
  Instant now = START;

  Scenario() {
    this(new EngineConfig(TTL));
  }

  Scenario(EngineConfig config) {
    engine = new RolloutEngine(store, config);
  }

  Decision apply(LedgerInput input) {
    Decision d = engine.apply(input);
    decisions.add(d);
    return d;
  }

  /**
   * Lets a heartbeat timeout pass with every applied, healthy host heartbeating: what promotion
   * waits for (no silence verdict may still be pending). Returns what it decided, merged.
   */
  Decision settle() {
    Instant alive = now.plus(Plan.DEFAULT_HEARTBEAT_TIMEOUT);
    List<Decision> parts = new ArrayList<>();
    for (HostRecord h : store.hosts(TENANT)) {
      if (h.rollout() != null && h.applied() && !h.failing()) {
        String release = store.rollout(TENANT, h.rollout()).orElseThrow().release();
        parts.add(apply(new Heartbeat(TENANT, alive, h.host(), release, Map.of())));
      }
    }
    now = alive.plusSeconds(1);
    parts.add(apply(new ClockTick(TENANT, now)));
    return new Decision(
        parts.stream().flatMap(d -> d.entries().stream()).toList(),
        parts.stream().flatMap(d -> d.commands().stream()).toList(),
        parts.stream().flatMap(d -> d.rejections().stream()).toList());
  }

  Instant tick() {
    now = now.plusSeconds(1);
    return now;
  }

  /** {@code host("h1", "env", "prod")}: registers h1 with labels given as key, value pairs. */
  Decision host(String id, String... labels) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      map.put(labels[i], labels[i + 1]);
    }
    return apply(new HostRegistered(TENANT, tick(), id, map));
  }

  Scenario hosts(String env, String... ids) {
    for (String id : ids) {
      host(id, "env", env);
    }
    return this;
  }

  Decision release(String id) {
    return apply(
        new ReleasePublished(
            TENANT, tick(), id, "agent", "1.0." + id.length(), sha(id), "ci", Severity.NORMAL));
  }

  Decision plan(String rollout, String release, Plan plan) {
    return apply(new RolloutPlanned(TENANT, tick(), rollout, release, plan));
  }

  /** Publishes the release if needed, then plans it. */
  Decision rollout(String rollout, String release, WavePlan... waves) {
    if (store.release(TENANT, release).isEmpty()) {
      release(release);
    }
    return plan(rollout, release, new Plan(List.of(waves)));
  }

  Decision applied(String host, String release) {
    return apply(new UpdateApplied(TENANT, tick(), host, release, true, null));
  }

  Decision failed(String host, String release) {
    return apply(new UpdateApplied(TENANT, tick(), host, release, false, "disk full"));
  }

  Decision crash(String host, String release) {
    return apply(new CrashReport(TENANT, tick(), host, release, "SIGSEGV@0x1", "native"));
  }

  Decision pause(String rollout) {
    return apply(new RolloutPaused(TENANT, tick(), rollout, "ops", "lunch"));
  }

  Decision resume(String rollout) {
    return apply(new RolloutResumed(TENANT, tick(), rollout, "ops", "back"));
  }

  Decision halt(String rollout) {
    return apply(new ManualHalt(TENANT, tick(), rollout, "ops", "bad smell"));
  }

  Decision rollback(String rollout) {
    return apply(new RollbackRequested(TENANT, tick(), rollout, "ops", "bad release"));
  }

  RolloutState rolloutState(String id) {
    return store.rollout(TENANT, id).orElseThrow();
  }

  HostRecord hostRecord(String id) {
    return store.host(TENANT, id).orElseThrow();
  }

  List<LedgerEntry> allEntries() {
    return decisions.stream().flatMap(d -> d.entries().stream()).toList();
  }

  List<HostCommand> allCommands() {
    return decisions.stream().flatMap(d -> d.commands().stream()).toList();
  }

  static WavePlan wave(String name, String... selector) {
    return wave(name, null, null, selector);
  }

  static WavePlan capped(String name, int hosts, String... selector) {
    return wave(name, hosts, null, selector);
  }

  static WavePlan percent(String name, int percent, String... selector) {
    return wave(name, null, percent, selector);
  }

  static WavePlan wave(String name, Integer hosts, Integer percent, String... selector) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < selector.length; i += 2) {
      map.put(selector[i], selector[i + 1]);
    }
    return new WavePlan(name, map, hosts, percent, 0.2, 1);
  }

  static WavePlan gate(WavePlan wave, double maxCrashFraction, int minCrashes) {
    return new WavePlan(
        wave.name(), wave.selector(), wave.hosts(), wave.percent(), maxCrashFraction, minCrashes);
  }

  static String sha(String release) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(release.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> hostsOf(List<HostCommand> commands) {
    return commands.stream().map(HostCommand::host).toList();
  }
}
