package dev.rolloutledger.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.testing.Seeds;
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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties over random histories of one tenant: a small fleet, two releases, three rollouts;
 * 1,000 seeded histories each ({@link Seeds}).
 */
class RolloutEnginePropertiesTest {
  private static final String T = "acme";
  private static final Instant START = Instant.parse("2025-03-01T10:00:00Z");
  private static final EngineConfig CONFIG = new EngineConfig(Duration.ofMinutes(10));

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void replaying_the_same_inputs_yields_the_same_decisions(long seed) {
    Seeds.check(
        seed,
        random -> {
          List<LedgerInput> inputs = histories(random);
          // Given two fresh stores, one of which lists hosts and rollouts in reverse order
          List<Decision> first = run(new InMemoryLedgerStore(), inputs);

          // When the same log is replayed, with label maps built in another insertion order
          List<Decision> second =
              run(new ReversingStore(new InMemoryLedgerStore()), reordered(inputs));

          // Then every decision is the same
          assertThat(second).isEqualTo(first);
        });
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void an_engine_restarted_mid_log_decides_as_one_that_ran_throughout(long seed) {
    Seeds.check(
        seed,
        random -> {
          List<LedgerInput> inputs = histories(random);
          int cut = Seeds.ints(random, 0, 60);
          // Given one engine over the whole log
          List<Decision> throughout = run(new InMemoryLedgerStore(), inputs);

          // When another stops after `cut` inputs and a new engine (its index rebuilt from the
          // store,
          // as after a restart or rebalance) takes over the same store
          InMemoryLedgerStore store = new InMemoryLedgerStore();
          int split = Math.min(cut, inputs.size());
          List<Decision> restarted = new ArrayList<>(run(store, inputs.subList(0, split)));
          restarted.addAll(run(store, inputs.subList(split, inputs.size())));

          // Then the decisions are the same
          assertThat(restarted).isEqualTo(throughout);
        });
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void the_engines_index_always_agrees_with_the_store(long seed) {
    Seeds.check(
        seed,
        random -> {
          List<LedgerInput> inputs = histories(random);
          RolloutEngine engine = new RolloutEngine(new InMemoryLedgerStore(), CONFIG);
          for (LedgerInput input : inputs) {
            engine.apply(input);
            assertThat(engine.indexMatchesStore(T)).as("index after %s", input).isTrue();
          }
        });
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void once_halted_a_rollout_never_promotes_starts_a_wave_or_sends_apply(long seed) {
    Seeds.check(
        seed,
        random -> {
          List<LedgerInput> inputs = histories(random);
          InMemoryLedgerStore store = new InMemoryLedgerStore();
          RolloutEngine engine = new RolloutEngine(store, CONFIG);
          Set<String> halted = new HashSet<>();

          for (LedgerInput input : inputs) {
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
        });
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void a_tenant_paused_by_its_owner_never_receives_an_apply(long seed) {
    Seeds.check(
        seed,
        random -> {
          List<LedgerInput> inputs = histories(random);
          RolloutEngine engine = new RolloutEngine(new InMemoryLedgerStore(), CONFIG);
          boolean paused = false;
          for (LedgerInput input : inputs) {
            if (input instanceof PolicySet p) {
              paused = p.policy().paused();
            }
            Decision d = engine.apply(input);
            if (paused) {
              assertThat(d.commands()).noneMatch(Apply.class::isInstance);
              assertThat(d.entries()).noneMatch(WavePromoted.class::isInstance);
            }
          }
        });
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void waves_start_in_plan_order_and_none_is_skipped(long seed) {
    Seeds.check(
        seed,
        random -> {
          List<LedgerInput> inputs = histories(random);
          Map<String, Integer> lastStarted = new HashMap<>();
          for (Decision d : run(new InMemoryLedgerStore(), inputs)) {
            for (LedgerEntry e : d.entries()) {
              if (e instanceof WaveStarted w) {
                assertThat(w.waveIndex()).isEqualTo(lastStarted.getOrDefault(w.rollout(), -1) + 1);
                lastStarted.put(w.rollout(), w.waveIndex());
              }
            }
          }
        });
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void ledger_chains_and_host_command_sequences_stay_well_formed(long seed) {
    Seeds.check(
        seed,
        random -> {
          List<LedgerInput> inputs = histories(random);
          InMemoryLedgerStore store = new InMemoryLedgerStore();
          List<Decision> decisions = run(store, inputs);

          // Each rollout's entries are numbered 1, 2, ... and each points at its predecessor's
          // hash.
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
        });
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource(Seeds.SEEDS)
  void wave_counts_of_live_rollouts_match_their_hosts(long seed) {
    Seeds.check(
        seed,
        random -> {
          List<LedgerInput> inputs = histories(random);
          InMemoryLedgerStore store = new InMemoryLedgerStore();
          run(store, inputs);

          for (RolloutState r : store.rollouts(T)) {
            if (r.status().isFinal()) {
              continue; // their hosts may have moved on to later rollouts
            }
            for (WaveCounts counts : r.waves()) {
              List<HostRecord> members =
                  store.hosts(T).stream()
                      .filter(
                          h -> r.rollout().equals(h.rollout()) && counts.wave().equals(h.wave()))
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
        });
  }

  /**
   * Guards against a vacuous pass: of the histories CI tries (seeds 0 to 999), many must get as far
   * as promoting a wave, halt something and go on afterwards, or have their tenant paused by its
   * owner.
   */
  @Test
  void the_histories_promote_halt_and_pause_often_enough() {
    int tries = Seeds.TRIES;
    long promoted = 0;
    long inputAfterHalt = 0;
    long pausedAtSomePoint = 0;
    for (long seed = 0; seed < tries; seed++) {
      List<LedgerInput> inputs = histories(new SplittableRandom(seed));
      RolloutEngine engine = new RolloutEngine(new InMemoryLedgerStore(), CONFIG);
      Set<String> halted = new HashSet<>();
      boolean promotes = false;
      boolean afterHalt = false;
      for (LedgerInput input : inputs) {
        afterHalt |= !halted.isEmpty();
        for (LedgerEntry e : engine.apply(input).entries()) {
          promotes |= e instanceof WavePromoted;
          if (e instanceof RolloutHalted) {
            halted.add(e.rollout());
          } else if (e instanceof HaltLifted) {
            halted.remove(e.rollout());
          }
        }
      }
      promoted += promotes ? 1 : 0;
      inputAfterHalt += afterHalt ? 1 : 0;
      pausedAtSomePoint +=
          inputs.stream().anyMatch(i -> i instanceof PolicySet p && p.policy().paused()) ? 1 : 0;
    }

    assertThat(100.0 * promoted / tries)
        .as("%% promoting a wave (%d of %d)", promoted, tries)
        .isGreaterThan(10);
    assertThat(100.0 * inputAfterHalt / tries)
        .as("%% with an input after a halt (%d of %d)", inputAfterHalt, tries)
        .isGreaterThan(20);
    assertThat(100.0 * pausedAtSomePoint / tries)
        .as("%% paused at some point (%d of %d)", pausedAtSomePoint, tries)
        .isGreaterThan(5);
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
  static List<LedgerInput> histories(SplittableRandom random) {
    List<LedgerInput> history = new ArrayList<>();
    int fleet = Seeds.sizes(random, 2, 7);
    for (int i = 0; i < fleet; i++) {
      history.add(hostRegistered(random));
    }
    for (String release : List.of("rel1", "rel2")) {
      history.add(
          new ReleasePublished(
              T, START, release, "agent", "1.0", Scenario.sha(release), "ci", Severity.NORMAL));
    }
    history.add(rolloutPlanned(random));
    int rest = Seeds.sizes(random, 0, 50);
    for (int i = 0; i < rest; i++) {
      history.add(anything(random));
    }
    return history;
  }

  /** Weighted 3 : 1 : 2 : 8 : 3 : 1 : 1, in this order. */
  private static LedgerInput anything(SplittableRandom random) {
    int roll = random.nextInt(19);
    if (roll < 3) {
      return hostRegistered(random);
    } else if (roll < 4) {
      return releasePublished(random);
    } else if (roll < 6) {
      return rolloutPlanned(random);
    } else if (roll < 14) {
      return updateApplied(random);
    } else if (roll < 17) {
      return crashReport(random);
    } else if (roll < 18) {
      return operator(random);
    }
    return quiet(random);
  }

  private static String host(SplittableRandom random) {
    return Seeds.oneOf(random, "h1", "h2", "h3", "h4", "h5", "h6", "h7");
  }

  private static String release(SplittableRandom random) {
    return Seeds.oneOf(random, "rel1", "rel2");
  }

  private static String rollout(SplittableRandom random) {
    return Seeds.oneOf(random, "ro1", "ro2", "ro3");
  }

  private static Instant time(SplittableRandom random) {
    return START.plusSeconds(Seeds.longs(random, 0, 86_400));
  }

  private static LedgerInput hostRegistered(SplittableRandom random) {
    return new HostRegistered(
        T,
        time(random),
        host(random),
        Map.of(
            "env", Seeds.oneOf(random, "dev", "staging", "prod"),
            "zone", Seeds.oneOf(random, "a", "b")));
  }

  private static LedgerInput releasePublished(SplittableRandom random) {
    Instant t = time(random);
    String r = release(random);
    // Mostly the canonical digest; sometimes a conflicting re-publication.
    boolean canonical = random.nextInt(4) < 3;
    return new ReleasePublished(
        T, t, r, "agent", "1.0", Scenario.sha(canonical ? r : r + "-other"), "ci", Severity.NORMAL);
  }

  private static LedgerInput rolloutPlanned(SplittableRandom random) {
    Instant t = time(random);
    String ro = rollout(random);
    String rel = release(random);
    Plan plan = random.nextBoolean() ? Plan.defaultPlan() : plan(random);
    return new RolloutPlanned(T, t, ro, rel, plan);
  }

  private static Plan plan(SplittableRandom random) {
    int waves = Seeds.sizes(random, 1, 3);
    List<WavePlan> named = new ArrayList<>();
    for (int i = 0; i < waves; i++) {
      Map<String, String> selector =
          Seeds.oneOf(random, Map.<String, String>of(), Map.of("env", "prod"), Map.of("zone", "a"));
      String size = Seeds.oneOf(random, "all", "hosts:1", "hosts:2", "percent:50");
      double fraction = Seeds.oneOf(random, 0.0, 0.2, 0.5, 1.0);
      int min = Seeds.ints(random, 1, 2);
      named.add(
          new WavePlan(
              "w" + i,
              selector,
              size.startsWith("hosts") ? Integer.valueOf(size.substring(6)) : null,
              size.startsWith("percent") ? Integer.valueOf(size.substring(8)) : null,
              fraction,
              min));
    }
    return new Plan(named);
  }

  private static LedgerInput updateApplied(SplittableRandom random) {
    Instant t = time(random);
    String h = host(random);
    String r = release(random);
    boolean ok = random.nextInt(5) < 4;
    return new UpdateApplied(T, t, h, r, ok, ok ? null : "failed");
  }

  private static LedgerInput crashReport(SplittableRandom random) {
    return new CrashReport(T, time(random), host(random), release(random), "SIGSEGV", "native");
  }

  private static LedgerInput operator(SplittableRandom random) {
    Instant t = time(random);
    String ro = rollout(random);
    return switch (random.nextInt(3)) {
      case 0 -> new RolloutPaused(T, t, ro, "ops", "wait");
      case 1 -> new RolloutResumed(T, t, ro, "ops", "go");
      default -> new ManualHalt(T, t, ro, "ops", "stop");
    };
  }

  private static LedgerInput quiet(SplittableRandom random) {
    Instant t = time(random);
    String h = host(random);
    String ro = rollout(random);
    return switch (random.nextInt(5)) {
      case 0 -> new ApprovalGranted(T, t, ro, "w0", "ops");
      case 1 -> new ClockTick(T, t);
      // An owner pauses or unpauses as likely: about one history in eleven pauses its tenant (a
      // pause in one policy of seven would pause one history in fifty).
      case 2 ->
          new PolicySet(
              T,
              t,
              new OwnerPolicy(
                  T,
                  null,
                  random.nextBoolean(),
                  List.of(),
                  java.time.Duration.ZERO,
                  List.of(),
                  "owner"));
      case 3 -> new Heartbeat(T, t, h, "rel1", Map.of("cpu", 0.99));
      default -> new Heartbeat(T, t, h, "rel1", Map.of("cpu", 0.5));
    };
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
