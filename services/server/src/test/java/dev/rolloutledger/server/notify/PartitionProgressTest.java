package dev.rolloutledger.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartitionProgressTest {
  @Test
  void commits_nothing_before_the_first_entry() {
    assertThat(new PartitionProgress().committable()).isEqualTo(-1);
  }

  @Test
  void commits_past_entries_with_nothing_to_send() {
    PartitionProgress p = new PartitionProgress();
    p.read(7, 0);
    p.read(8, 0);
    assertThat(p.committable()).isEqualTo(9);
  }

  @Test
  void stops_at_the_first_entry_still_in_flight_so_a_restart_sends_it_again() {
    PartitionProgress p = new PartitionProgress();
    p.read(10, 2); // two webhooks
    p.read(11, 1);
    p.read(12, 0);
    assertThat(p.committable()).isEqualTo(10);
    p.done(11);
    assertThat(p.committable()).as("11 is done but 10 is not").isEqualTo(10);
    p.done(10);
    assertThat(p.committable()).as("one of 10's two webhooks is still waiting").isEqualTo(10);
    p.done(10);
    assertThat(p.committable()).isEqualTo(13);
  }
}
