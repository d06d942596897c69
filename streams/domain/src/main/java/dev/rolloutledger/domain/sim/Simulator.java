package dev.rolloutledger.domain.sim;

import dev.rolloutledger.domain.Apply;
import dev.rolloutledger.domain.ApprovalGranted;
import dev.rolloutledger.domain.Decision;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PolicySet;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RolloutEngine;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.hoststage.HostStage;
import dev.rolloutledger.domain.hoststage.HostWatch;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Drives what the server runs (ADR 0007) with a simulated fleet in virtual time, one second at a
 * time: a {@link HostStage} that absorbs the fleet's telemetry, and the real {@link RolloutEngine}
 * on the journal of its news ({@link EngineConfig#journalV6()}). Each second: scheduled events (an
 * agent applying a second after its Apply, failures, recoveries, shocks, approvals), then the
 * hosts' heartbeats, then a clock tick to the engine, then the host stage's silence reports found
 * at that tick, the order of the server's journal. Telemetry (heartbeats, applies, crash reports, a
 * detector's reports) goes to the host stage, and only what it forwards reaches the engine; the
 * listener hears the journal (what a rollout log of version 2 holds). A decision's {@link
 * Decision#continuations()} are journal inputs and are fed back at once; after every decision with
 * entries the host stage gets the watch of the gated rollouts, as the decision stage sends it.
 * Everything random comes from one {@link SplittableRandom} seeded by the scenario, in a fixed
 * order, so a scenario and seed give the same report byte for byte.
 *
 * <p>Heartbeats are most of the events, and almost all of them only tell the host stage "still
 * alive". It needs a host's exact last beat only when it would report the host silent, so the
 * simulator hands it a beat when the host's next one would come more than the stage's {@code
 * silenceAfter} after the last delivered, when it is the host's last before it goes silent, and
 * whenever it carries a metric or is the first without one after that; the stage then forwards
 * exactly what it would forward with every beat (tested). At 10 s beats and a 30 s timeout ({@code
 * silenceAfter} 14 s) that is every beat; it saves beats when they come at most half {@code
 * silenceAfter} apart. An absorbed beat costs the stage a map lookup, not an engine input.
 *
 * <p>With {@code fleet.liveness: reported} (ADR 0006) a failure detector speaks for the hosts
 * instead: a host that goes down is reported by a {@link HostSilent} {@code fleet.detectorDelay}
 * after its last sign of life (its last beat or its apply; not before it went down), naming that
 * moment, and by a {@link HostBack} at its first beat after it is up again; only the heartbeats of
 * hosts over limits (and the first after) still reach the host stage, which forwards them and the
 * reports. No second visits every host any more, so a week costs its events and its ticks, not
 * hosts x time. With a delay of at most the plan's heartbeat timeout the engine judges each silence
 * at the same second as from heartbeats.
 *
 * <p>This class runs the clock; the fleet's agents are {@link Hosts}, the events to come {@link
 * Schedule}, the random draws {@link Draws}, the two stages {@link Stages}, and what the run counts
 * and reports {@link Tally}.
 */
public final class Simulator {

  /** The tenant every simulation runs in. */
  public static final String TENANT = "sim";

  /** Publication time of the simulated release: the CrowdStrike update's, 2024-07-19 04:09 UTC. */
  public static final Instant T0 = Instant.parse("2024-07-19T04:09:00Z");

  /** The one rollout every simulation runs. */
  public static final String ROLLOUT = "sim-rollout";

  private static final String SHA = "0".repeat(64);

  /** What a simulation reports as it goes; every method is optional. */
  public interface Listener {
    /**
     * What a host (or, with reported liveness, the fleet's failure detector) sent, before the host
     * stage absorbs it; only what it forwards reaches {@link #input}. Heartbeats are thinned to the
     * ones the host stage needs.
     */
    default void telemetry(LedgerInput sent) {}

    /** An input the engine is about to apply, in log order. */
    default void input(LedgerInput input) {}

    /** What the engine decided for the last input. */
    default void decision(LedgerInput input, Decision decision) {}

    /** Virtual time advanced; called about once per simulated minute. */
    default void progress(Duration elapsed, Duration horizon) {}
  }

  private static final Listener QUIET = new Listener() {};

  private final Scenario scenario;
  private final Plan plan;
  private final Listener listener;
  private final Draws draws;
  private final Schedule schedule;
  private final Tally tally = new Tally();
  private final Stages stages;
  private final Hosts hosts;

  private Simulator(
      Scenario scenario, Listener listener, boolean everyHeartbeat, EngineConfig config) {
    this.scenario = scenario;
    this.plan = scenario.effectivePlan();
    this.listener = listener == null ? QUIET : listener;
    this.draws = new Draws(scenario.seed());
    this.schedule = new Schedule(scenario.fleet().hosts());
    this.stages = new Stages(config, this.listener, tally, this::applySent);
    Duration silenceAfter = HostWatch.of(TENANT, List.of(plan)).silenceAfter();
    this.hosts =
        new Hosts(
            scenario,
            draws,
            schedule,
            stages,
            tally,
            everyHeartbeat,
            silenceAfter == null ? Long.MAX_VALUE : silenceAfter.toMillis());
  }

  /**
   * Runs a scenario to its end (HALT, completion or horizon) and reports, on the server's engine
   * configuration ({@link EngineConfig#journalV6()}).
   */
  public static SimulationReport run(Scenario scenario, Listener listener) {
    return run(scenario, listener, EngineConfig.defaults().journalV6());
  }

  /**
   * {@link #run(Scenario, Listener)} with the engine configured as {@code config} says, which must
   * absorb heartbeats ({@link EngineConfig#journalV2()} or a later journal's): to measure a journal
   * version's rules before the simulator's logs are written in it.
   */
  public static SimulationReport run(Scenario scenario, Listener listener, EngineConfig config) {
    if (!config.heartbeatsAbsorbed()) {
      throw new IllegalArgumentException("the simulator runs the host stage: heartbeats absorbed");
    }
    return new Simulator(scenario, listener, false, config).simulate();
  }

  /**
   * {@link #run(Scenario, Listener)} handing the host stage every heartbeat instead of the ones
   * that matter: the reference the thinning is tested against.
   */
  static SimulationReport runEveryHeartbeat(Scenario scenario, Listener listener) {
    return new Simulator(scenario, listener, true, EngineConfig.defaults().journalV6()).simulate();
  }

  public static SimulationReport run(Scenario scenario) {
    return run(scenario, QUIET);
  }

  /** {@link #run(Scenario, Listener, EngineConfig)} without a listener. */
  public static SimulationReport run(Scenario scenario, EngineConfig config) {
    return run(scenario, QUIET, config);
  }

  private void applySent(Apply apply, long s) {
    hosts.applySent(apply, s);
  }

  private SimulationReport simulate() {
    Tally.Historical historical = historical();
    long horizon = scenario.horizon().toSeconds();
    hosts.scheduleBackground(horizon);
    hosts.scheduleShocks(horizon);
    hosts.scheduleOffline(horizon);
    hosts.drawDeathsAtApply();
    for (int a = 0; a < scenario.approvals().size(); a++) {
      schedule.push(scenario.approvals().get(a).at().toSeconds(), Schedule.Kind.APPROVE, -1, a);
    }

    Instant start = T0.minusSeconds(1);
    hosts.register(start);
    hosts.beatBeforePublication();
    if (scenario.policy() != null) {
      stages.feed(new PolicySet(TENANT, start, scenario.policy()), -1);
    }
    stages.feed(
        new ReleasePublished(
            TENANT,
            T0,
            scenario.release().id(),
            "agent",
            "2",
            SHA,
            "vendor",
            scenario.release().severity()),
        0);
    stages.feed(new RolloutPlanned(TENANT, T0, ROLLOUT, scenario.release().id(), plan), 0);

    long lastProgress = 0;
    for (long s = 1; s <= horizon && !tally.over(); s++) {
      Schedule.Event e;
      while (!tally.halted() && (e = schedule.due(s)) != null) {
        handle(e, s);
      }
      hosts.beats(s, at(s));
      stages.tick(s, at(s));
      if (s - lastProgress >= 60) {
        lastProgress = s;
        listener.progress(Duration.ofSeconds(s), scenario.horizon());
      }
    }
    listener.progress(scenario.horizon(), scenario.horizon());
    return tally.report(
        scenario, plan, horizon, historical, hosts.failedExposed(), stages.rollout());
  }

  private void handle(Schedule.Event e, long s) {
    if (e.kind() == Schedule.Kind.APPROVE) {
      Scenario.Approval a = scenario.approvals().get(e.ref());
      stages.feed(new ApprovalGranted(TENANT, at(s), ROLLOUT, a.wave(), "simulated-approver"), s);
    } else {
      hosts.handle(e, s);
    }
  }

  /** The all-at-once propagation to compare with, split off before anything else draws. */
  private Tally.Historical historical() {
    if (scenario.historical() == null) {
      return null;
    }
    return Tally.Historical.of(scenario, draws.split());
  }

  private static Instant at(long s) {
    return T0.plusSeconds(s);
  }
}
