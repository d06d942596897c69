package dev.rolloutledger.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.domain.LedgerHash;
import dev.rolloutledger.domain.RolloutCompleted;
import dev.rolloutledger.domain.WaveStarted;
import dev.rolloutledger.topology.AvroMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The verifier's chain check finds what it must: run in every build, no Kafka needed. */
class VerifierTest {
  private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");
  private static final String GENESIS = "0".repeat(64);

  private static List<SpecificRecord> chain() {
    WaveStarted first = new WaveStarted("t", AT, "r-1", 1, GENESIS, "canary", 0, List.of("h1"));
    RolloutCompleted second =
        new RolloutCompleted("t", AT.plusSeconds(5), "r-1", 2, LedgerHash.of(first));
    return new ArrayList<>(List.of(AvroMapper.toAvro(first), AvroMapper.toAvro(second)));
  }

  @Test
  void an_intact_chain_has_no_problem() {
    List<String> problems = new ArrayList<>();

    Verifier.checkChain("t/r-1", chain(), problems);

    assertThat(problems).isEmpty();
  }

  @Test
  void finds_a_duplicate_entry() {
    List<SpecificRecord> entries = chain();
    entries.add(entries.get(1));
    List<String> problems = new ArrayList<>();

    Verifier.checkChain("t/r-1", entries, problems);

    assertThat(problems).singleElement().asString().contains("duplicate ledger entry seq 2");
  }

  @Test
  void finds_a_missing_entry() {
    List<SpecificRecord> entries = chain();
    entries.remove(0);
    List<String> problems = new ArrayList<>();

    Verifier.checkChain("t/r-1", entries, problems);

    assertThat(problems)
        .anyMatch(p -> p.contains("seq 2 after 0"))
        .anyMatch(p -> p.contains("prevHash does not name the entry before it"));
  }

  @Test
  void finds_an_entry_whose_fields_changed_after_hashing() {
    List<SpecificRecord> entries = chain();
    dev.rolloutledger.avro.WaveStarted w = (dev.rolloutledger.avro.WaveStarted) entries.get(0);
    w.setHosts(List.of("h1", "h2"));
    List<String> problems = new ArrayList<>();

    Verifier.checkChain("t/r-1", entries, problems);

    assertThat(problems).singleElement().asString().contains("seq 1 hash").contains("recomputes");
  }
}
