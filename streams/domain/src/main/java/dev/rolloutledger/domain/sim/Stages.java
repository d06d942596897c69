package dev.rolloutledger.domain.sim;

import dev.rolloutledger.domain.Apply;
import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.Decision;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.HostCommand;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InMemoryLedgerStore;
import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.RolloutEngine;
import dev.rolloutledger.domain.RolloutState;
import dev.rolloutledger.domain.hoststage.HostStage;
import dev.rolloutledger.domain.hoststage.HostWatch;
import java.time.Instant;
import java.util.Optional;
import java.util.function.ObjLongConsumer;

/**
 * The two stages the server runs (ADR 0007), in front of the simulated fleet: a {@link HostStage}
 * that absorbs the fleet's telemetry, and the real {@link RolloutEngine} on the journal of its
 * news. Every input of the journal goes to the listener and the tally; an Apply the engine sends
 * goes to the fleet.
 */
final class Stages {
  private final InMemoryLedgerStore store = new InMemoryLedgerStore();
  private final RolloutEngine engine;
  private final HostStage stage;
  private final Simulator.Listener listener;
  private final Tally tally;
  private final ObjLongConsumer<Apply> applySent;

  /** {@code applySent}: an Apply the engine sent, and the second it was sent. */
  Stages(
      EngineConfig config,
      Simulator.Listener listener,
      Tally tally,
      ObjLongConsumer<Apply> applySent) {
    this.engine = new RolloutEngine(store, config);
    // an engine that follows reachability learns from the host stage who can be reached
    this.stage = config.reachability() ? new HostStage().withFirstSightNews() : new HostStage();
    this.listener = listener;
    this.tally = tally;
    this.applySent = applySent;
  }

  /** Telemetry goes to the host stage; what it forwards goes on to the engine. */
  void telemetry(LedgerInput input, long s) {
    listener.telemetry(input);
    for (LedgerInput news : stage.absorb(input).news()) {
      feed(news, s);
    }
  }

  /**
   * A clock tick: to the engine first, then the host stage's silence reports of that tick, the
   * order of the server's journal (the ticker writes the tick, the host stage reports on reading
   * it).
   */
  void tick(long s, Instant at) {
    feed(new ClockTick(Simulator.TENANT, at), s);
    for (HostSilent report : stage.tick(at)) {
      feed(report, s);
    }
  }

  /**
   * An input of the journal to the engine (and the listener). Its continuations are journal inputs
   * too, fed at once; a decision with entries may change the host stage's watch.
   */
  void feed(LedgerInput input, long s) {
    listener.input(input);
    tally.input();
    Decision d = engine.apply(input);
    listener.decision(input, d);
    if (!d.entries().isEmpty()) { // the gated rollouts may have changed
      stage.watch(HostWatch.ofGated(Simulator.TENANT, store.rollouts(Simulator.TENANT)));
    }
    for (LedgerEntry entry : d.entries()) {
      tally.entry(entry, s);
    }
    for (HostCommand c : d.commands()) {
      if (c instanceof Apply a) {
        applySent.accept(a, s);
      }
    }
    for (LedgerInput next : d.continuations()) {
      feed(next, s);
    }
  }

  /** The engine's state of the simulated rollout, once planned. */
  Optional<RolloutState> rollout() {
    return store.rollout(Simulator.TENANT, Simulator.ROLLOUT);
  }
}
