package dev.rolloutledger.topology;

import dev.rolloutledger.avro.AssignmentContinued;
import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.avro.FanOutContinued;
import dev.rolloutledger.avro.OwnerPolicySpec;
import dev.rolloutledger.avro.state.HostSlotState;
import dev.rolloutledger.avro.state.HostState;
import dev.rolloutledger.avro.state.HostWatch;
import dev.rolloutledger.avro.state.RolloutSnapshot;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.schemas.serde.ConfluentAvroSerde;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The rollout ledger topology: two stages (ADR 0007).
 *
 * <p>Inputs: {@code ledger.hosts}, {@code ledger.releases}, {@code ledger.rollout-control}, {@code
 * ledger.clock} (validated, re-keyed by tenant, written to the journal {@code ledger.inputs});
 * {@code ledger.telemetry} (read by the host stage where producers key it, {@code tenant/host}) and
 * {@code ledger.host-watch} (each tenant's watch from the decision stage and the clock's ticks, on
 * every partition). Outputs: {@code ledger.decisions} (the hash-chained ledger), {@code
 * ledger.commands} (Apply/Hold/Rollback to hosts), {@code ledger.dead-letters}, {@code
 * ledger.host-watch}, and the journal itself (the host stage's news, the engine's own {@code
 * FanOutContinued}).
 *
 * <p>The host stage ({@code host-stage}) absorbs telemetry in a slot per host and forwards only
 * news to the journal; the decision stage ({@code rollout-engine}) runs the pure domain engine on
 * the journal, one task per tenant, over the hosts, rollouts, releases, policies and ledger stores.
 * The server, the tests and the load tests all build it here.
 */
public final class LedgerTopology {
  private LedgerTopology() {}

  public static final String HOSTS_STORE = "hosts";
  public static final String ROLLOUTS_STORE = "rollouts";
  public static final String RELEASES_STORE = "releases";
  public static final String LEDGER_STORE = "ledger-entries";
  public static final String POLICIES_STORE = "policies";

  /**
   * Each rollout's evidence path ({@code EvidenceSnapshot}), key tenant/rollout NUL point number
   * ({@link StoreKeys#ledger}); the dashboard's chart reads it (EvidenceRecorder).
   */
  public static final String EVIDENCE_STORE = "evidence";

  /** The host stage's slots, written at transitions only (ADR 0007). */
  public static final String HOST_SLOTS_STORE = "host-slots";

  /** The host stage's copy of each tenant's watch. */
  public static final String HOST_WATCHES_STORE = "host-watches";

  /** The decision stage's record of the last watch it sent each tenant. */
  public static final String WATCHES_SENT_STORE = "host-watches-sent";

  /** Topic configs of the ledger store's changelog: entries as large as the ledger topic's. */
  static final Map<String, String> LEDGER_CHANGELOG_CONFIG =
      Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(Topics.MAX_LEDGER_ENTRY_BYTES));

  /** The union of every input event: the value schema of the input journal. */
  public static final Schema INPUT_SCHEMA = Topics.INPUTS.valueSchema();

  /**
   * Header of a ledger entry on the decisions topic: the journal offset of the input it follows.
   */
  public static final String INPUT_OFFSET_HEADER = "ledger.input.offset";

  /**
   * Header of a ledger entry on the decisions topic: the Kafka timestamp of the input it follows,
   * in epoch milliseconds as ASCII digits. For an input a door published (HTTP, Kafka producers
   * that leave the timestamp to the client) it is when the door sent it, so "now minus this" where
   * the committed entry is read is the decision latency ({@code ledger_decision_latency_seconds}).
   */
  public static final String INPUT_TIMESTAMP_HEADER = "ledger.input.timestamp";

  /** Key of clock ticks on the by-tenant topic: they go to every partition, not by key. */
  static final String CLOCK_KEY = "clock";

  /**
   * The partition of {@code key} on a ledger topic of {@code partitions} partitions: a tenant's on
   * the input journal, a tenant/rollout's on the decisions topic (Kafka's default partitioner).
   */
  public static int partitionOf(String key, int partitions) {
    return TenantPartitioner.partitionOf(key, partitions);
  }

  /**
   * Builds the topology; the registry backs every Avro serde (topics, repartition, changelogs) and
   * every command is signed with {@code signingKey} (Ed25519).
   */
  public static Topology build(
      SchemaRegistry registry, EngineConfig config, CommandSigningKey signingKey) {
    return build(registry, config, () -> signingKey);
  }

  /**
   * As above, every command signed with the key {@code signingKeys} gives at that moment: the
   * deployment's active key, which a rotation changes while the topology runs.
   */
  public static Topology build(
      SchemaRegistry registry,
      EngineConfig config,
      java.util.function.Supplier<CommandSigningKey> signingKeys) {
    StreamsBuilder builder = new StreamsBuilder();
    Serde<SpecificRecord> inputSerde = Topics.INPUTS.valueSerde(registry);
    Serde<SpecificRecord> ledgerSerde = Topics.LEDGER.valueSerde(registry);

    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(HOSTS_STORE),
            Serdes.String(),
            ConfluentAvroSerde.of(registry, HostState.getClassSchema(), HostState.class)));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(ROLLOUTS_STORE),
            Serdes.String(),
            ConfluentAvroSerde.of(
                registry, RolloutSnapshot.getClassSchema(), RolloutSnapshot.class)));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(RELEASES_STORE),
            Serdes.String(),
            Topics.RELEASES.valueSerde(registry)));
    // its changelog carries the same entries as the ledger topic, so the same size limit
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(LEDGER_STORE), Serdes.String(), ledgerSerde)
            .withLoggingEnabled(LEDGER_CHANGELOG_CONFIG));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(POLICIES_STORE),
            Serdes.String(),
            ConfluentAvroSerde.of(
                registry, OwnerPolicySpec.getClassSchema(), OwnerPolicySpec.class)));

    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(EVIDENCE_STORE),
            Serdes.String(),
            Topics.EVIDENCE.valueSerde(registry)));

    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(HOST_SLOTS_STORE),
            Serdes.String(),
            ConfluentAvroSerde.of(registry, HostSlotState.getClassSchema(), HostSlotState.class)));
    for (String store : new String[] {HOST_WATCHES_STORE, WATCHES_SENT_STORE}) {
      builder.addStateStore(
          Stores.keyValueStoreBuilder(
              Stores.persistentKeyValueStore(store),
              Serdes.String(),
              ConfluentAvroSerde.of(registry, HostWatch.getClassSchema(), HostWatch.class)));
    }
    Serde<SpecificRecord> watchSerde = Topics.HOST_WATCH.valueSerde(registry);

    // the inputs that are not telemetry: few, each one for the journal
    KStream<String, SpecificRecord> inputs =
        source(builder, registry, Topics.HOSTS)
            .merge(source(builder, registry, Topics.RELEASES), Named.as("merge-releases"))
            .merge(source(builder, registry, Topics.ROLLOUT_CONTROL), Named.as("merge-control"))
            .merge(source(builder, registry, Topics.CLOCK), Named.as("merge-clock"));

    KStream<String, SpecificRecord> validated =
        inputs.processValues(InputValidator::new, Named.as("validate-input"));

    KStream<String, SpecificRecord> valid =
        validated
            .split(Named.as("input-"))
            .branch(
                (k, v) -> v instanceof DeadLetter,
                Branched.withConsumer(
                    dead -> toDeadLetters("invalid-input", dead, registry), "dead"))
            .defaultBranch(Branched.as("valid"))
            .get("input-valid");
    // one task owns a tenant: rollouts, hosts and news of a tenant are decided in log order; the
    // journal keeps that order for export and replay
    toJournal(
        valid.selectKey(
            (key, value) -> value instanceof ClockTick ? CLOCK_KEY : AvroMapper.tenantOf(value),
            Named.as("key-by-tenant")),
        "control",
        inputSerde);
    // every host-stage task learns that time passed, to find hosts whose heartbeats stopped
    valid
        .filter((k, v) -> v instanceof ClockTick, Named.as("ticks"))
        .to(
            Topics.HOST_WATCH.name(),
            Produced.with(Serdes.String(), watchSerde)
                .withStreamPartitioner(new BroadcastPartitioner())
                .withName("ticks-to-" + Topics.HOST_WATCH.name()));

    // the host stage: telemetry is absorbed where producers key it (tenant/host), news goes on
    KStream<String, SpecificRecord> news =
        source(builder, registry, Topics.TELEMETRY)
            .merge(source(builder, registry, Topics.HOST_WATCH), Named.as("merge-host-watch"))
            .process(
                HostStageProcessor::new,
                Named.as("host-stage"),
                HOST_SLOTS_STORE,
                HOST_WATCHES_STORE);
    toJournal(
        news.split(Named.as("news-"))
            .branch(
                (k, v) -> v instanceof DeadLetter,
                Branched.withConsumer(
                    dead -> toDeadLetters("invalid-telemetry", dead, registry), "dead"))
            .defaultBranch(Branched.as("valid"))
            .get("news-valid"),
        "news",
        inputSerde);

    // the decision stage: the engine on the journal, per tenant
    KStream<String, SpecificRecord> decisions =
        builder.stream(
                Topics.INPUTS.name(),
                Consumed.with(Serdes.String(), inputSerde).withName("from-" + Topics.INPUTS.name()))
            .process(
                () -> new LedgerProcessor(journalConfig(config), signingKeys),
                Named.as("rollout-engine"),
                HOSTS_STORE,
                ROLLOUTS_STORE,
                RELEASES_STORE,
                LEDGER_STORE,
                POLICIES_STORE,
                WATCHES_SENT_STORE,
                EVIDENCE_STORE);

    decisions
        .split(Named.as("decision-"))
        .branch(
            (k, v) -> v instanceof DeadLetter,
            Branched.withConsumer(dead -> toDeadLetters("rejected-input", dead, registry), "dead"))
        .branch(
            (k, v) -> isLedgerEntry(v),
            Branched.withConsumer(
                entries ->
                    entries.to(
                        Topics.LEDGER.name(),
                        Produced.with(Serdes.String(), ledgerSerde).withName("to-ledger")),
                "ledger"))
        .branch(
            (k, v) -> v instanceof FanOutContinued || v instanceof AssignmentContinued,
            Branched.withConsumer(
                next -> toJournal(next, "continuations", inputSerde), "continuations"))
        .branch(
            (k, v) -> v instanceof dev.rolloutledger.avro.EvidenceSnapshot,
            Branched.withConsumer(
                points ->
                    points
                        .mapValues(
                            v -> (dev.rolloutledger.avro.EvidenceSnapshot) v,
                            Named.as("as-evidence"))
                        .to(
                            Topics.EVIDENCE.name(),
                            Produced.with(Serdes.String(), Topics.EVIDENCE.valueSerde(registry))
                                .withName("to-evidence")),
                "evidence"))
        .branch(
            (k, v) -> v instanceof HostWatch,
            Branched.withConsumer(
                watches ->
                    watches.to(
                        Topics.HOST_WATCH.name(),
                        Produced.with(Serdes.String(), watchSerde)
                            .withStreamPartitioner(new BroadcastPartitioner())
                            .withName("watches-to-" + Topics.HOST_WATCH.name())),
                "watch"))
        .defaultBranch(
            Branched.withConsumer(
                commands ->
                    commands.to(
                        Topics.COMMANDS.name(),
                        Produced.with(Serdes.String(), Topics.COMMANDS.valueSerde(registry))
                            .withName("to-commands")),
                "commands"));

    return builder.build();
  }

  /**
   * The engine's configuration on a version 6 journal (ADR 0007, ADR 0008): heartbeats absorbed,
   * the system's own outages recorded and never judged as the fleet's silence, hosts' reachability
   * followed (offline hosts recorded unreachable, a death before the apply report a failure), every
   * person's decision a ledger entry (pause, resume of a pause, approval), a halt's commands in
   * chunks of {@link EngineConfig#JOURNAL_FAN_OUT_CHUNK} and a plan's hosts bound in chunks of
   * {@link EngineConfig#JOURNAL_ASSIGN_CHUNK}, unless {@code config} names other chunks (tests).
   */
  static EngineConfig journalConfig(EngineConfig config) {
    EngineConfig journal = config.journalV6();
    if (config.fanOutChunk() > 0) {
      journal = journal.withFanOutChunk(config.fanOutChunk());
    }
    return config.assignChunk() > 0 ? journal.withAssignChunk(config.assignChunk()) : journal;
  }

  private static void toJournal(
      KStream<String, SpecificRecord> byTenant, String from, Serde<SpecificRecord> inputSerde) {
    byTenant.to(
        Topics.INPUTS.name(),
        Produced.with(Serdes.String(), inputSerde)
            .withStreamPartitioner(new TenantPartitioner())
            .withName(from + "-to-" + Topics.INPUTS.name()));
  }

  private static KStream<String, SpecificRecord> source(
      StreamsBuilder builder,
      SchemaRegistry registry,
      TopicDescriptor<String, ? extends SpecificRecord> topic) {
    @SuppressWarnings("unchecked")
    TopicDescriptor<String, SpecificRecord> t = (TopicDescriptor<String, SpecificRecord>) topic;
    return builder.stream(
        t.name(), Consumed.with(t.keySerde(), t.valueSerde(registry)).withName("from-" + t.name()));
  }

  private static void toDeadLetters(
      String step, KStream<String, SpecificRecord> dead, SchemaRegistry registry) {
    dead.mapValues(v -> (DeadLetter) v, Named.as(step + "-as-dead-letter"))
        .to(
            Topics.DEAD_LETTERS.name(),
            Produced.with(Serdes.String(), Topics.DEAD_LETTERS.valueSerde(registry))
                .withName(step + "-to-dead-letters"));
  }

  /** The record types of the ledger's topic, from its union: one list, in {@link Topics}. */
  private static final java.util.Set<String> LEDGER_ENTRY_TYPES =
      Topics.LEDGER.valueSchema().getTypes().stream()
          .map(org.apache.avro.Schema::getFullName)
          .collect(java.util.stream.Collectors.toUnmodifiableSet());

  private static boolean isLedgerEntry(SpecificRecord v) {
    return LEDGER_ENTRY_TYPES.contains(v.getSchema().getFullName());
  }
}
