package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.Scenario.wave;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A halt's commands in bounded chunks (ADR 0007): the entry and the first chunk in one decision,
 * each further chunk when the engine's own {@link FanOutContinued} comes back through the journal.
 */
class FanOutTest {
  static final int CHUNK = 3;

  /** Eight dev hosts (d1..d8) in one wave of a rollout of "rel", d1..d3 applied. */
  static Scenario eightHosts() {
    Scenario s = new Scenario(new EngineConfig(Scenario.TTL).withFanOutChunk(CHUNK));
    s.hosts("dev", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8");
    s.release("rel");
    s.plan("r1", "rel", new Plan(List.of(wave("dev", "env", "dev"))));
    s.applied("d1", "rel");
    s.applied("d2", "rel");
    s.applied("d3", "rel");
    return s;
  }

  /** Feeds back every continuation, as the journal does; returns every decision after the first. */
  static List<Decision> drain(Scenario s, Decision first) {
    List<Decision> rest = new ArrayList<>();
    List<LedgerInput> pending = new ArrayList<>(first.continuations());
    while (!pending.isEmpty()) {
      Decision d = s.apply(pending.remove(0));
      rest.add(d);
      pending.addAll(d.continuations());
    }
    return rest;
  }

  @Nested
  class A_halt {
    @Test
    void sends_its_entry_and_the_first_chunk_at_once_and_the_rest_chunk_by_chunk() {
      Scenario s = eightHosts();
      Decision halt = s.halt("r1");

      assertThat(halt.entries()).singleElement().isInstanceOf(RolloutHalted.class);
      assertThat(Scenario.hostsOf(halt.commands())).containsExactly("d1", "d2", "d3");
      assertThat(halt.continuations())
          .singleElement()
          .isInstanceOfSatisfying(
              FanOutContinued.class,
              c -> {
                assertThat(c.after()).isEqualTo("d3");
                assertThat(c.entrySeq()).isEqualTo(halt.entries().get(0).seq());
                assertThat(c.rollback()).isFalse();
              });

      List<Decision> rest = drain(s, halt);
      assertThat(rest).hasSize(2);
      assertThat(Scenario.hostsOf(rest.get(0).commands())).containsExactly("d4", "d5", "d6");
      assertThat(Scenario.hostsOf(rest.get(1).commands())).containsExactly("d7", "d8");
      assertThat(rest.get(1).continuations()).isEmpty();
      assertThat(rest).allSatisfy(d -> assertThat(d.entries()).isEmpty());
      assertThat(rest)
          .flatMap(Decision::commands)
          .allSatisfy(c -> assertThat(c).isInstanceOf(Hold.class));
    }

    @Test
    void sends_every_host_the_same_commands_as_one_decision_would() {
      Scenario chunked = eightHosts();
      List<HostCommand> inChunks = new ArrayList<>(chunked.halt("r1").commands());
      drain(chunked, chunked.decisions.get(chunked.decisions.size() - 1))
          .forEach(d -> inChunks.addAll(d.commands()));

      Scenario whole = new Scenario();
      whole.hosts("dev", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8");
      whole.release("rel");
      whole.plan("r1", "rel", new Plan(List.of(wave("dev", "env", "dev"))));
      whole.applied("d1", "rel");
      whole.applied("d2", "rel");
      whole.applied("d3", "rel");
      List<HostCommand> atOnce = whole.halt("r1").commands();

      assertThat(inChunks).containsExactlyElementsOf(atOnce);
    }

    @Test
    void lets_the_tenants_other_inputs_be_decided_between_chunks() {
      Scenario s = eightHosts();
      s.hosts("prod", "p1");
      s.plan("r2", "rel", new Plan(List.of(wave("prod", "env", "prod"))));
      Decision halt = s.halt("r1");
      // between two chunks of r1's Holds, r2's host crashes: r2 halts at once
      s.applied("p1", "rel");
      Decision crash = s.crash("p1", "rel");
      assertThat(crash.entries()).singleElement().isInstanceOf(RolloutHalted.class);
      assertThat(drain(s, halt)).flatMap(Decision::commands).hasSize(5);
    }

    @Test
    void keeps_its_hosts_from_another_rollout_until_the_last_chunk() {
      Scenario s = eightHosts();
      Decision halt = s.halt("r1");
      assertThat(s.rolloutState("r1").fanOutAfter()).isEqualTo("d3");

      // planned while Holds are still going out: r1's hosts are not free yet
      Decision early = s.plan("r2", "rel", new Plan(List.of(wave("dev", "env", "dev"))));
      assertThat(early.entries())
          .filteredOn(e -> e instanceof WaveStarted)
          .allSatisfy(e -> assertThat(((WaveStarted) e).hosts()).isEmpty());

      assertThat(drain(s, halt)).flatMap(Decision::commands).hasSize(5);
      assertThat(s.rolloutState("r1").fanOutAfter()).isNull();
      Decision later = s.plan("r3", "rel", new Plan(List.of(wave("dev", "env", "dev"))));
      assertThat(later.entries())
          .filteredOn(e -> e instanceof WaveStarted)
          .singleElement()
          .satisfies(e -> assertThat(((WaveStarted) e).hosts()).hasSize(8));
    }

    @Test
    void stops_when_a_person_lifts_it_before_the_rest_is_out() {
      Scenario s = eightHosts();
      Decision halt = s.halt("r1");
      s.resume("r1");
      assertThat(drain(s, halt)).allSatisfy(d -> assertThat(d.isEmpty()).isTrue());
    }
  }

  @Test
  void a_rollback_sends_rollback_to_hosts_that_got_the_release_in_chunks_too() {
    Scenario s = eightHosts();
    Decision rollback = s.rollback("r1");
    List<HostCommand> all = new ArrayList<>(rollback.commands());
    drain(s, rollback).forEach(d -> all.addAll(d.commands()));

    assertThat(rollback.commands()).hasSize(CHUNK);
    assertThat(all).hasSize(8);
    // every host of the wave was sent the release (600 a minute), so each is rolled back once
    assertThat(all)
        .allSatisfy(c -> assertThat(c).isInstanceOf(Rollback.class))
        .extracting(HostCommand::host)
        .containsExactly("d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8");
  }

  @Test
  void without_a_chunk_every_command_goes_in_one_decision() {
    Scenario s = new Scenario();
    s.hosts("dev", "d1", "d2", "d3", "d4");
    s.release("rel");
    s.plan("r1", "rel", new Plan(List.of(wave("dev", "env", "dev"))));
    Decision halt = s.halt("r1");
    assertThat(halt.commands()).hasSize(4);
    assertThat(halt.continuations()).isEmpty();
  }
}
