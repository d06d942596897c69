package dev.rolloutledger.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.HostCommand;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class CommandSignerTest {
  static final Instant AT = Instant.parse("2026-12-07T09:00:00Z");
  static final String SHA = "ab".repeat(32);

  static List<HostCommand> holds(int n) {
    List<HostCommand> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          new dev.rolloutledger.domain.Hold(
              "acme", "r1", String.format("h%05d", i), "rel", SHA, 3, AT, AT.plusSeconds(3600)));
    }
    return out;
  }

  @Test
  void hands_on_every_command_in_order_signed_as_one_by_one() {
    CommandSigner signer = new CommandSigner(CommandSigningKey.generate());
    // more than one batch per worker and a last batch that is not full
    List<HostCommand> commands = holds(CommandSigner.PARALLEL_MIN * 4 + 17);

    List<HostCommand> order = new ArrayList<>();
    List<SpecificRecord> signed = new ArrayList<>();
    signer.signAll(
        commands,
        (command, record) -> {
          order.add(command);
          signed.add(record);
        });

    assertThat(order).containsExactlyElementsOf(commands);
    List<SpecificRecord> oneByOne = commands.stream().map(signer::sign).toList();
    assertThat(signed).containsExactlyElementsOf(oneByOne);
  }

  @Test
  void a_small_decision_is_signed_on_the_callers_thread() {
    CommandSigner signer = new CommandSigner(CommandSigningKey.generate());
    Thread caller = Thread.currentThread();
    List<Thread> threads = new ArrayList<>();
    signer.signAll(
        holds(CommandSigner.PARALLEL_MIN - 1), (c, r) -> threads.add(Thread.currentThread()));
    assertThat(threads).hasSize(CommandSigner.PARALLEL_MIN - 1).containsOnly(caller);
  }
}
