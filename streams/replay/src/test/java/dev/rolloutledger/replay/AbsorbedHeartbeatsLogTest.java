package dev.rolloutledger.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.Decision;
import dev.rolloutledger.domain.Detector;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InMemoryLedgerStore;
import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RolloutEngine;
import dev.rolloutledger.domain.RolloutHalted;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.WavePlan;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Logs of the journal after the host stage (ADR 0007, version 2): no "still alive" heartbeat, the
 * host stage's silence reports. They verify with heartbeats absorbed; read as version 1 (every
 * heartbeat in the log) the same inputs decide differently, which is why the version is there.
 */
class AbsorbedHeartbeatsLogTest {
  static final String T = "acme";
  static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

  /**
   * Three hosts apply and are quiet (heartbeats absorbed, or none); with {@code reports} the host
   * stage reports them silent; the clock ticks on.
   */
  static List<LedgerInput> journal(boolean reports) {
    List<LedgerInput> in = new ArrayList<>();
    for (String h : List.of("h1", "h2", "h3")) {
      in.add(new HostRegistered(T, T0, h, Map.of("env", "dev")));
    }
    in.add(
        new ReleasePublished(
            T, T0, "rel", "agent", "2", "a".repeat(64), "vendor", Severity.NORMAL));
    WavePlan all =
        new WavePlan("all", Map.of("env", "dev"), null, null, 0.3, 1, Duration.ofMinutes(10));
    in.add(new RolloutPlanned(T, T0, "r1", "rel", new Plan(List.of(all))));
    for (String h : List.of("h1", "h2", "h3")) {
      in.add(new UpdateApplied(T, T0.plusSeconds(2), h, "rel", true, null));
    }
    for (int s = 3; s <= 40; s++) {
      in.add(new ClockTick(T, T0.plusSeconds(s)));
      if (reports && s == 17) {
        for (String h : List.of("h1", "h2", "h3")) {
          in.add(new HostSilent(T, T0.plusSeconds(s), h, T0.plusSeconds(2), Detector.HOST_STAGE));
        }
      }
    }
    return in;
  }

  static byte[] log(int version, boolean reports) {
    return log(
        new RolloutLog.Header(T, "r1", "export", version),
        EngineConfig.defaults().withHeartbeatsAbsorbed(true),
        journal(reports));
  }

  /** A log of {@code inputs} as an engine configured so decided them. */
  static byte[] log(RolloutLog.Header header, EngineConfig config, List<LedgerInput> inputs) {
    RolloutEngine engine = new RolloutEngine(new InMemoryLedgerStore(), config);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RolloutLogWriter w = new RolloutLogWriter(out, header)) {
      for (LedgerInput input : inputs) {
        w.input(input);
        Decision d = engine.apply(input);
        for (LedgerEntry e : d.entries()) {
          w.decision(e);
        }
      }
    }
    return out.toByteArray();
  }

  @Test
  void a_version_2_log_verifies_and_holds_the_host_stages_reports_and_the_halt() {
    byte[] log = log(RolloutLog.VERSION_HEARTBEATS_ABSORBED, true);
    String text = new String(log, StandardCharsets.UTF_8);
    assertThat(text)
        .startsWith("{\"log\":\"rollout-ledger\",\"version\":2,")
        .contains("\"detector\":\"host-stage\"")
        .contains("\"decision\":\"RolloutHalted\"");
    RolloutReplay.Verified v = RolloutReplay.verify(new ByteArrayInputStream(log), n -> {});
    assertThat(v.header().version()).isEqualTo(2);
    assertThat(v.decisions()).isEqualTo(2); // WaveStarted, RolloutHalted
  }

  @Test
  void quiet_hosts_without_reports_read_as_every_heartbeat_do_not_verify() {
    // absorbed, the quiet hosts are alive; read as a log of every heartbeat, they went silent
    assertThat(RolloutReplay.verify(new ByteArrayInputStream(log(2, false)), n -> {}).decisions())
        .isEqualTo(1);
    byte[] log = log(RolloutLog.VERSION_EVERY_HEARTBEAT, false);
    assertThatThrownBy(() -> RolloutReplay.verify(new ByteArrayInputStream(log), n -> {}))
        .isInstanceOf(LogException.class);
  }

  @Test
  void an_unknown_version_is_refused_naming_the_versions_it_reads() {
    String header =
        "{\"log\":\"rollout-ledger\",\"version\":7,\"tenant\":\"acme\",\"rollout\":\"r1\","
            + "\"source\":\"export\"";
    String text = header + ",\"chain\":\"" + sha256Hex("0".repeat(64) + header) + "\"}\n";
    assertThatThrownBy(
            () ->
                RolloutReplay.verify(
                    new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), n -> {}))
        .isInstanceOf(LogException.class)
        .hasMessageContaining("version 1 to 6");
  }

  @Test
  void the_engine_halted_on_the_host_stages_reports() {
    RolloutEngine engine =
        new RolloutEngine(
            new InMemoryLedgerStore(), EngineConfig.defaults().withHeartbeatsAbsorbed(true));
    List<LedgerEntry> entries = new ArrayList<>();
    journal(true).forEach(i -> entries.addAll(engine.apply(i).entries()));
    assertThat(entries).last().isInstanceOf(RolloutHalted.class);
  }

  static String sha256Hex(String text) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
