package dev.rolloutledger.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/** Properties over random histories of one tenant: a small fleet, two releases, three rollouts. */
class RolloutEnginePropertiesTest {
  private static final String T = "acme";
  private static final Instant START = Instant.parse("2025-03-01T10:00:00Z");
  private static final EngineConfig CONFIG = new EngineConfig(Duration.ofMinutes(10));

  @Property
  void replaying_the_same_inputs_yields_the_same_decisions(
      @ForAll("histories") List<LedgerInput> inputs) {
    // Given two fresh stores, one of which lists hosts and rollouts in reverse order
    List<Decision> first = run(new InMemoryLedgerStore(), inputs);

    // When the same log is replayed, with label maps built in another insertion order
    List<Decision> second = run(new ReversingStore(new InMemoryLedgerStore()), reordered(inputs));

    // Then every decision is the same
    assertThat(second).isEqualTo(first);
    // Guard against a vacuous pass: many histories must get as far as promoting a wave.
    boolean promoted =
        first.stream().flatMap(d -> d.entries().stream()).anyMatch(WavePromoted.class::isInstance);
    Statistics.label("promoted a wave").collect(promoted);
    Statistics.label("promoted a wave").coverage(c -> c.check(true).percentage(p -> p > 10));
  }

  @Property
  void an_engine_restarted_mid_log_decides_as_one_that_ran_throughout(
      @ForAll("histories") List<LedgerInput> inputs, @ForAll @IntRange(max = 60) int cut) {
    // Given one engine over the whole log
    List<Decision> throughout = run(new InMemoryLedgerStore(), inputs);

    // When another stops after `cut` inputs and a new engine (its index rebuilt from the store,
    // as after a restart or rebalance) takes over the same store
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    int split = Math.min(cut, inputs.size());
    List<Decision> restarted = new ArrayList<>(run(store, inputs.subList(0, split)));
    restarted.addAll(run(store, inputs.subList(split, inputs.size())));

    // Then the decisions are the same
    assertThat(restarted).isEqualTo(throughout);
  }

  @Property
  void the_engines_index_always_agrees_with_the_store(
      @ForAll("histories") List<LedgerInput> inputs) {
    RolloutEngine engine = new RolloutEngine(new InMemoryLedgerStore(), CONFIG);
    for (LedgerInput input : inputs) {
      engine.apply(input);
      assertThat(engine.indexMatchesStore(T)).as("index after %s", input).isTrue();
    }
  }

  @Property
  void once_halted_a_rollout_never_promotes_starts_a_wave_or_sends_apply(
      @ForAll("histories") List<LedgerInput> inputs) {
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    RolloutEngine engine = new RolloutEngine(store, CONFIG);
    Set<String> halted = new HashSet<>();
    boolean inputAfterHalt = false;

    for (LedgerInput input : inputs) {
      inputAfterHalt |= !halted.isEmpty();
      Decision d = engine.apply(input);

      boolean lifted = d.entries().stream().anyMatch(HaltLifted.class::isInstance);
      for (LedgerEntry e : d.entries()) {
        if (halted.contains(e.rollout()) && !lifted) {
          assertThat(e).isNotInstanceOfAny(WavePromoted.class, WaveStarted.class);
          assertThat(e).isNotInstanceOf(RolloutHalted.class);
        }
        if (e instanceof RolloutHalted) {
          halted.add(e.rollout());
        } else if (e instanceof HaltLifted) {
          halted.remove(e.rollout()); // only a person's resume lifts a halt
        }
      }
      for (HostCommand c : d.commands()) {
        if (c instanceof Apply && !lifted) {
          assertThat(halted).doesNotContain(c.rollout());
        }
      }
      for (String rollout : halted) {
        assertThat(store.rollout(T, rollout).orElseThrow().status())
            .isEqualTo(RolloutStatus.HALTED);
      }
    }
    // Guard against a vacuous pass: many histories must halt something and go on afterwards.
    Statistics.label("input after a halt").collect(inputAfterHalt);
    Statistics.label("input after a halt").coverage(c -> c.check(true).percentage(p -> p > 20));
  }

  @Property
  void a_tenant_paused_by_its_owner_never_receives_an_apply(
      @ForAll("histories") List<LedgerInput> inputs) {
    RolloutEngine engine = new RolloutEngine(new InMemoryLedgerStore(), CONFIG);
    boolean paused = false;
    boolean pausedAtSomePoint = false;
    for (LedgerInput input : inputs) {
      if (input instanceof PolicySet p) {
        paused = p.policy().paused();
        pausedAtSomePoint |= paused;
      }
      Decision d = engine.apply(input);
      if (paused) {
        assertThat(d.commands()).noneMatch(Apply.class::isInstance);
        assertThat(d.entries()).noneMatch(WavePromoted.class::isInstance);
      }
    }
    Statistics.label("paused at some point").collect(pausedAtSomePoint);
    Statistics.label("paused at some point").coverage(c -> c.check(true).percentage(p -> p > 5));
  }

  @Property
  void waves_start_in_plan_order_and_none_is_skipped(
      @ForAll("histories") List<LedgerInput> inputs) {
    Map<String, Integer> lastStarted = new HashMap<>();
    for (Decision d : run(new InMemoryLedgerStore(), inputs)) {
      for (LedgerEntry e : d.entries()) {
        if (e instanceof WaveStarted w) {
          assertThat(w.waveIndex()).isEqualTo(lastStarted.getOrDefault(w.rollout(), -1) + 1);
          lastStarted.put(w.rollout(), w.waveIndex());
        }
      }
    }
  }

  @Property
  void ledger_chains_and_host_command_sequences_stay_well_formed(
      @ForAll("histories") List<LedgerInput> inputs) {
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    List<Decision> decisions = run(store, inputs);

    // Each rollout's entries are numbered 1, 2, ... and each points at its predecessor's hash.
    Map<String, LedgerEntry> lastEntry = new HashMap<>();
    Map<String, Long> lastCommandSeq = new HashMap<>();
    for (Decision d : decisions) {
      for (LedgerEntry e : d.entries()) {
        LedgerEntry previous = lastEntry.put(e.rollout(), e);
        assertThat(e.seq()).isEqualTo(previous == null ? 1 : previous.seq() + 1);
        assertThat(e.prevHash())
            .isEqualTo(previous == null ? LedgerHash.GENESIS : LedgerHash.of(previous));
      }
      for (HostCommand c : d.commands()) {
        Long previous = lastCommandSeq.put(c.host(), c.seq());
        assertThat(c.seq()).isEqualTo(previous == null ? 1 : previous + 1);
      }
    }
    for (RolloutState r : store.rollouts(T)) {
      Optional<LedgerEntry> last = Optional.ofNullable(lastEntry.get(r.rollout()));
      assertThat(r.lastHash()).isEqualTo(last.map(LedgerHash::of).orElse(LedgerHash.GENESIS));
    }
  }

  @Property
  void wave_counts_of_live_rollouts_match_their_hosts(
      @ForAll("histories") List<LedgerInput> inputs) {
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    run(store, inputs);

    for (RolloutState r : store.rollouts(T)) {
      if (r.status().isFinal()) {
        continue; // their hosts may have moved on to later rollouts
      }
      for (WaveCounts counts : r.waves()) {
        List<HostRecord> members =
            store.hosts(T).stream()
                .filter(h -> r.rollout().equals(h.rollout()) && counts.wave().equals(h.wave()))
                .toList();
        assertThat(counts)
            .usingRecursiveComparison()
            .ignoringFields("lastAppliedAt")
            .isEqualTo(
                new WaveCounts(
                    counts.wave(),
                    members.size(),
                    (int) members.stream().filter(HostRecord::applied).count(),
                    (int) members.stream().filter(HostRecord::crashed).count(),
                    (int) members.stream().filter(HostRecord::silent).count(),
                    (int) members.stream().filter(HostRecord::hot).count(),
                    (int) members.stream().filter(HostRecord::dispatched).count()));
      }
    }
  }

  private static List<Decision> run(LedgerStore store, List<LedgerInput> inputs) {
    RolloutEngine engine = new RolloutEngine(store, CONFIG);
    List<Decision> decisions = new ArrayList<>();
    for (LedgerInput input : inputs) {
      decisions.add(engine.apply(input));
    }
    return decisions;
  }

  /** The same inputs with host labels rebuilt in reverse key order. */
  private static List<LedgerInput> reordered(List<LedgerInput> inputs) {
    return inputs.stream()
        .map(
            i -> {
              if (i instanceof HostRegistered h) {
                Map<String, String> labels = new LinkedHashMap<>();
                List<String> keys = new ArrayList<>(h.labels().keySet());
                for (int k = keys.size() - 1; k >= 0; k--) {
                  labels.put(keys.get(k), h.labels().get(keys.get(k)));
                }
                return (LedgerInput) new HostRegistered(h.tenant(), h.at(), h.host(), labels);
              }
              return i;
            })
        .toList();
  }

  // ---- generators ---------------------------------------------------------------------------

  /**
   * A fleet registers, both releases are published and a rollout is planned; then anything happens
   * (more plans, outcomes, crashes, operators, re-registrations, conflicting re-publications).
   */
  @Provide
  Arbitrary<List<LedgerInput>> histories() {
    Arbitrary<LedgerInput> anything =
        Arbitraries.frequencyOf(
            Tuple.of(3, hostRegistered()),
            Tuple.of(1, releasePublished()),
            Tuple.of(2, rolloutPlanned()),
            Tuple.of(8, updateApplied()),
            Tuple.of(3, crashReport()),
            Tuple.of(1, operator()),
            Tuple.of(1, quiet()));
    return Combinators.combine(
            hostRegistered().list().ofMinSize(2).ofMaxSize(7),
            rolloutPlanned(),
            anything.list().ofMaxSize(50))
        .as(
            (fleet, plan, rest) -> {
              List<LedgerInput> history = new ArrayList<>(fleet);
              for (String release : List.of("rel1", "rel2")) {
                history.add(
                    new ReleasePublished(
                        T,
                        START,
                        release,
                        "agent",
                        "1.0",
                        Scenario.sha(release),
                        "ci",
                        Severity.NORMAL));
              }
              history.add(plan);
              history.addAll(rest);
              return history;
            });
  }

  private static Arbitrary<String> hosts() {
    return Arbitraries.of("h1", "h2", "h3", "h4", "h5", "h6", "h7");
  }

  private static Arbitrary<String> releases() {
    return Arbitraries.of("rel1", "rel2");
  }

  private static Arbitrary<String> rollouts() {
    return Arbitraries.of("ro1", "ro2", "ro3");
  }

  private static Arbitrary<Instant> times() {
    return Arbitraries.longs().between(0, 86_400).map(START::plusSeconds);
  }

  private static Arbitrary<LedgerInput> hostRegistered() {
    return Combinators.combine(
            times(), hosts(), Arbitraries.of("dev", "staging", "prod"), Arbitraries.of("a", "b"))
        .as((t, h, env, zone) -> new HostRegistered(T, t, h, Map.of("env", env, "zone", zone)));
  }

  private static Arbitrary<LedgerInput> releasePublished() {
    // Mostly the canonical digest; sometimes a conflicting re-publication.
    return Combinators.combine(times(), releases(), Arbitraries.of(true, true, true, false))
        .as(
            (t, r, canonical) ->
                new ReleasePublished(
                    T,
                    t,
                    r,
                    "agent",
                    "1.0",
                    Scenario.sha(canonical ? r : r + "-other"),
                    "ci",
                    Severity.NORMAL));
  }

  private static Arbitrary<LedgerInput> rolloutPlanned() {
    Arbitrary<Plan> plans = Arbitraries.oneOf(Arbitraries.just(Plan.defaultPlan()), plans());
    return Combinators.combine(times(), rollouts(), releases(), plans)
        .as((t, ro, rel, plan) -> new RolloutPlanned(T, t, ro, rel, plan));
  }

  private static Arbitrary<Plan> plans() {
    Arbitrary<WavePlan> wave =
        Combinators.combine(
                Arbitraries.of(
                    Map.<String, String>of(), Map.of("env", "prod"), Map.of("zone", "a")),
                Arbitraries.of("all", "hosts:1", "hosts:2", "percent:50"),
                Arbitraries.of(0.0, 0.2, 0.5, 1.0),
                Arbitraries.integers().between(1, 2))
            .as(
                (selector, size, fraction, min) ->
                    new WavePlan(
                        "w",
                        selector,
                        size.startsWith("hosts") ? Integer.valueOf(size.substring(6)) : null,
                        size.startsWith("percent") ? Integer.valueOf(size.substring(8)) : null,
                        fraction,
                        min));
    return wave.list()
        .ofMinSize(1)
        .ofMaxSize(3)
        .map(
            waves -> {
              List<WavePlan> named = new ArrayList<>();
              for (int i = 0; i < waves.size(); i++) {
                WavePlan w = waves.get(i);
                named.add(
                    new WavePlan(
                        "w" + i,
                        w.selector(),
                        w.hosts(),
                        w.percent(),
                        w.maxCrashFraction(),
                        w.minCrashes()));
              }
              return new Plan(named);
            });
  }

  private static Arbitrary<LedgerInput> updateApplied() {
    return Combinators.combine(
            times(), hosts(), releases(), Arbitraries.of(true, true, true, true, false))
        .as((t, h, r, ok) -> new UpdateApplied(T, t, h, r, ok, ok ? null : "failed"));
  }

  private static Arbitrary<LedgerInput> crashReport() {
    return Combinators.combine(times(), hosts(), releases())
        .as((t, h, r) -> new CrashReport(T, t, h, r, "SIGSEGV", "native"));
  }

  private static Arbitrary<LedgerInput> operator() {
    return Combinators.combine(times(), rollouts(), Arbitraries.of("pause", "resume", "halt"))
        .as(
            (t, ro, action) ->
                switch (action) {
                  case "pause" -> new RolloutPaused(T, t, ro, "ops", "wait");
                  case "resume" -> new RolloutResumed(T, t, ro, "ops", "go");
                  default -> new ManualHalt(T, t, ro, "ops", "stop");
                });
  }

  private static Arbitrary<LedgerInput> quiet() {
    return Combinators.combine(times(), hosts(), rollouts(), Arbitraries.integers().between(0, 4))
        .as(
            (t, h, ro, kind) ->
                switch (kind) {
                  case 0 -> new ApprovalGranted(T, t, ro, "w0", "ops");
                  case 1 -> new ClockTick(T, t);
                  case 2 ->
                      new PolicySet(
                          T,
                          t,
                          new OwnerPolicy(
                              T,
                              null,
                              h.equals("h1"),
                              List.of(),
                              java.time.Duration.ZERO,
                              List.of(),
                              "owner"));
                  case 3 -> new Heartbeat(T, t, h, "rel1", Map.of("cpu", 0.99));
                  default -> new Heartbeat(T, t, h, "rel1", Map.of("cpu", 0.5));
                });
  }

  /** Lists hosts and rollouts in reverse order: decisions must not depend on store order. */
  private record ReversingStore(LedgerStore delegate) implements LedgerStore {
    @Override
    public Optional<HostRecord> host(String tenant, String host) {
      return delegate.host(tenant, host);
    }

    @Override
    public void putHost(HostRecord host) {
      delegate.putHost(host);
    }

    @Override
    public List<HostRecord> hosts(String tenant) {
      List<HostRecord> hosts = new ArrayList<>(delegate.hosts(tenant));
      java.util.Collections.reverse(hosts);
      return hosts;
    }

    @Override
    public Optional<ReleaseInfo> release(String tenant, String release) {
      return delegate.release(tenant, release);
    }

    @Override
    public void putRelease(ReleaseInfo release) {
      delegate.putRelease(release);
    }

    @Override
    public Optional<RolloutState> rollout(String tenant, String rollout) {
      return delegate.rollout(tenant, rollout);
    }

    @Override
    public void putRollout(RolloutState rollout) {
      delegate.putRollout(rollout);
    }

    @Override
    public List<RolloutState> rollouts(String tenant) {
      List<RolloutState> rollouts = new ArrayList<>(delegate.rollouts(tenant));
      java.util.Collections.reverse(rollouts);
      return rollouts;
    }

    @Override
    public Optional<OwnerPolicy> policy(String tenant) {
      return delegate.policy(tenant);
    }

    @Override
    public void putPolicy(OwnerPolicy policy) {
      delegate.putPolicy(policy);
    }
  }
}
