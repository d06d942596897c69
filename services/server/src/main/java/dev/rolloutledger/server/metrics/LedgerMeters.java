package dev.rolloutledger.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ledger's own meters, by their Micrometer names; Prometheus shows them with {@code _} for
 * {@code .}, counters with {@code _total} and the timer in seconds (docs/metrics.md lists them).
 * These names are a contract: the Grafana board and the alert rules in infra/observability read
 * them, and a test checks that every name those read is exported.
 */
@Singleton
@Requires(property = "ledger.metrics.enabled", notEquals = "false")
public class LedgerMeters {
  /** Gauge {@code ledger_rollouts{tenant,status}}: rollouts this instance holds. */
  public static final String ROLLOUTS = "ledger.rollouts";

  /** Counter {@code ledger_decisions_total{tenant,type}}: committed ledger entries. */
  public static final String DECISIONS = "ledger.decisions";

  /** Counter {@code ledger_halts_total{tenant,reason}}: RolloutHalted entries. */
  public static final String HALTS = "ledger.halts";

  /**
   * Counter {@code ledger_telemetry_items_total{door}}: items accepted at an HTTP door (not those
   * written straight to Kafka: docs/metrics.md).
   */
  public static final String TELEMETRY_ITEMS = "ledger.telemetry.items";

  /** Counter {@code ledger_dead_letters_total{source,reason}}: records on ledger.dead-letters. */
  public static final String DEAD_LETTERS = "ledger.dead.letters";

  /** Timer {@code ledger_decision_latency_seconds}: an input's timestamp to its committed entry. */
  public static final String DECISION_LATENCY = "ledger.decision.latency";

  /** Counter {@code ledger_command_polls_total}: agents' polls of the command channel answered. */
  public static final String COMMAND_POLLS = "ledger.command.polls";

  /** Gauge {@code ledger_topology_running}: 1 while the topology runs or rebalances, else 0. */
  public static final String TOPOLOGY_RUNNING = "ledger.topology.running";

  /** The doors of {@link #TELEMETRY_ITEMS}: POST .../telemetry and POST .../hosts. */
  public static final String DOOR_TELEMETRY = "telemetry";

  public static final String DOOR_REGISTRATIONS = "registrations";

  /** Latency buckets: what an operator asks ("under a second?"), not a generated series. */
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60),
    Duration.ofMinutes(5)
  };

  private final MeterRegistry registry;
  private final Timer latency;
  private final Counter commandPolls;
  private final Set<String> tenants = ConcurrentHashMap.newKeySet();

  public LedgerMeters(MeterRegistry registry) {
    this.registry = registry;
    this.latency =
        Timer.builder(DECISION_LATENCY)
            .description("From an input's Kafka timestamp to reading its committed ledger entry")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
    this.commandPolls =
        Counter.builder(COMMAND_POLLS)
            .description("Polls of the command channel by agents, answered")
            .register(registry);
    for (String door : new String[] {DOOR_TELEMETRY, DOOR_REGISTRATIONS}) {
      telemetryItems(door); // at 0 from the start: rate() needs the first sample
    }
    for (String source : MetricLabels.DEAD_LETTER_SOURCES) {
      for (String reason : MetricLabels.DEAD_LETTER_REASONS) {
        deadLetters(source, reason); // at 0: increase() sees the first dead letter of each
      }
    }
  }

  /**
   * Registers {@code tenant}'s halts (every reason) and decisions (every entry type) at 0, once per
   * tenant and process: a counter born at its first event hides that event from {@code increase()}.
   * Called where a tenant is first seen: the rollouts store ({@link RolloutGauges}) and the ledger.
   */
  public void tenant(String tenant) {
    if (tenants.add(tenant)) {
      for (String reason : MetricLabels.HALT_REASONS_ALL) {
        halts(tenant, reason);
      }
      for (String type : MetricLabels.ENTRY_TYPES) {
        decisions(tenant, type);
      }
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void decision(String tenant, String type) {
    tenant(tenant);
    decisions(tenant, type).increment();
  }

  public void halt(String tenant, String reason) {
    tenant(tenant);
    halts(tenant, reason).increment();
  }

  public void deadLetter(String source, String reason) {
    deadLetters(source, reason).increment();
  }

  private Counter decisions(String tenant, String type) {
    return Counter.builder(DECISIONS)
        .description("Ledger entries committed, by tenant and entry type")
        .tag("tenant", tenant)
        .tag("type", type)
        .register(registry);
  }

  private Counter halts(String tenant, String reason) {
    return Counter.builder(HALTS)
        .description("Rollouts halted, by tenant and a bounded reason")
        .tag("tenant", tenant)
        .tag("reason", reason)
        .register(registry);
  }

  private Counter deadLetters(String source, String reason) {
    return Counter.builder(DEAD_LETTERS)
        .description("Records dead-lettered, by source topic and a bounded reason")
        .tag("source", source)
        .tag("reason", reason)
        .register(registry);
  }

  public void latency(Duration d) {
    latency.record(d.isNegative() ? Duration.ZERO : d);
  }

  public void telemetryItems(String door, int items) {
    telemetryItems(door).increment(items);
  }

  public void commandPoll() {
    commandPolls.increment();
  }

  private Counter telemetryItems(String door) {
    return Counter.builder(TELEMETRY_ITEMS)
        .description("Items accepted at an HTTP door: telemetry items, host registrations")
        .tag("door", door)
        .register(registry);
  }
}
