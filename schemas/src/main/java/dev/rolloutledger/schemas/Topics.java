package dev.rolloutledger.schemas;

import dev.rolloutledger.avro.Apply;
import dev.rolloutledger.avro.ApprovalGranted;
import dev.rolloutledger.avro.AssignmentContinued;
import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.avro.FanOutContinued;
import dev.rolloutledger.avro.HaltLifted;
import dev.rolloutledger.avro.Heartbeat;
import dev.rolloutledger.avro.Hold;
import dev.rolloutledger.avro.HostBack;
import dev.rolloutledger.avro.HostLifecycleChanged;
import dev.rolloutledger.avro.HostRegistered;
import dev.rolloutledger.avro.HostSilent;
import dev.rolloutledger.avro.ManualHalt;
import dev.rolloutledger.avro.NotificationSettings;
import dev.rolloutledger.avro.OutageRecorded;
import dev.rolloutledger.avro.PauseLifted;
import dev.rolloutledger.avro.PauseRecorded;
import dev.rolloutledger.avro.PolicySet;
import dev.rolloutledger.avro.ReleasePublished;
import dev.rolloutledger.avro.Rollback;
import dev.rolloutledger.avro.RollbackRequested;
import dev.rolloutledger.avro.RolloutCompleted;
import dev.rolloutledger.avro.RolloutHalted;
import dev.rolloutledger.avro.RolloutPaused;
import dev.rolloutledger.avro.RolloutPlanned;
import dev.rolloutledger.avro.RolloutResumed;
import dev.rolloutledger.avro.UpdateApplied;
import dev.rolloutledger.avro.WaveApproved;
import dev.rolloutledger.avro.WavePromoted;
import dev.rolloutledger.avro.WaveStarted;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of Rollout Ledger, declared once. Topic names appear nowhere else in the code.
 *
 * <p>Inputs: {@link #HOSTS}, {@link #RELEASES}, {@link #ROLLOUT_CONTROL}, {@link #TELEMETRY},
 * {@link #CLOCK}. Outputs: {@link #LEDGER} (decisions, the audit trail), {@link #COMMANDS} (to
 * hosts), {@link #DEAD_LETTERS}. {@link #SCHEMAS} stores the embedded schema registry, {@link
 * #TOKENS} the hashed API tokens.
 */
public final class Topics {
  private Topics() {}

  /** Partitions of the event topics on the local default; a real cluster may use more. */
  public static final int PARTITIONS = 4;

  /**
   * Partitions of {@link #TELEMETRY} and {@link #HOST_WATCH} when they are created: the host stage
   * (ADR 0007) runs one task per partition, so this bounds how many stream threads and instances
   * share a large tenant's heartbeats. A deployment sets it with {@link #withTelemetryPartitions}.
   */
  public static final int TELEMETRY_PARTITIONS = 16;

  /**
   * The largest ledger entry the ledger's topic, its store's changelog and the producer that writes
   * them accept: 64 MiB. A {@code WaveStarted} lists every host of its wave, 1 + (id length) bytes
   * a host in Avro: 9 MB for a wave of 1,000,000 hosts with 8-character ids (Kafka's default limit
   * is 1 MB, so a wave of more than about 110,000 such hosts could not be written), 37 MB with
   * UUIDs. 64 MiB keeps a million-host wave of ids up to 60 characters, and no more than a few such
   * records are in flight at once (waves start one at a time).
   */
  public static final int MAX_LEDGER_ENTRY_BYTES = 64 << 20;

  private static final Map<String, String> FOREVER = Map.of("retention.ms", "-1");
  private static final Map<String, String> WEEK = Map.of("retention.ms", "604800000");

  public static final TopicDescriptor<String, HostRegistered> HOSTS =
      new TopicDescriptor<>(
          "ledger.hosts",
          Serdes.String(),
          HostRegistered.getClassSchema(),
          HostRegistered.class,
          PARTITIONS,
          TopicDescriptor.COMPACT,
          Map.of(),
          "HostRegistered, key tenant/host; the latest labels of each host");

  public static final TopicDescriptor<String, ReleasePublished> RELEASES =
      new TopicDescriptor<>(
          "ledger.releases",
          Serdes.String(),
          ReleasePublished.getClassSchema(),
          ReleasePublished.class,
          PARTITIONS,
          TopicDescriptor.COMPACT,
          Map.of(),
          "ReleasePublished, key tenant/release");

  public static final TopicDescriptor<String, SpecificRecord> ROLLOUT_CONTROL =
      new TopicDescriptor<>(
          "ledger.rollout-control",
          Serdes.String(),
          union(
              RolloutPlanned.getClassSchema(),
              ApprovalGranted.getClassSchema(),
              RolloutPaused.getClassSchema(),
              RolloutResumed.getClassSchema(),
              ManualHalt.getClassSchema(),
              RollbackRequested.getClassSchema(),
              PolicySet.getClassSchema(),
              // last: a union grows at its end (ADR 0003)
              HostLifecycleChanged.getClassSchema()),
          SpecificRecord.class,
          PARTITIONS,
          TopicDescriptor.DELETE,
          FOREVER,
          "RolloutPlanned | ApprovalGranted | RolloutPaused | RolloutResumed | ManualHalt |"
              + " RollbackRequested, key tenant/rollout;"
              + " PolicySet, key tenant/policy;"
              + " HostLifecycleChanged, key tenant/host (not on the compacted hosts topic, where"
              + " it would compact a host's labels away)");

  public static final TopicDescriptor<String, SpecificRecord> TELEMETRY =
      new TopicDescriptor<>(
          "ledger.telemetry",
          Serdes.String(),
          union(
              UpdateApplied.getClassSchema(),
              Heartbeat.getClassSchema(),
              CrashReport.getClassSchema(),
              HostSilent.getClassSchema(),
              HostBack.getClassSchema()),
          SpecificRecord.class,
          TELEMETRY_PARTITIONS,
          TopicDescriptor.DELETE,
          WEEK,
          "UpdateApplied | Heartbeat | CrashReport | HostSilent | HostBack, key tenant/host;"
              + " absorbed by the host stage, only news goes on to the journal");

  /**
   * The host stage's back channel (ADR 0007): each tenant's {@code HostWatch} from the decision
   * stage, and clock ticks, both copied to every partition, so every host-stage task knows what to
   * watch and that time passed. As many partitions as {@link #TELEMETRY}, or more.
   */
  public static final TopicDescriptor<String, SpecificRecord> HOST_WATCH =
      new TopicDescriptor<>(
          "ledger.host-watch",
          Serdes.String(),
          union(
              dev.rolloutledger.avro.state.HostWatch.getClassSchema(), ClockTick.getClassSchema()),
          SpecificRecord.class,
          TELEMETRY_PARTITIONS,
          // compacted: a host-stage task that starts from nothing still finds every tenant's
          // latest watch (and the latest tick) on its partition
          TopicDescriptor.COMPACT,
          Map.of(),
          "HostWatch, key tenant | ClockTick, key 'clock'; each on every partition; internal");

  /** Ticks of time (one partition): the engine's only notion of "now". */
  public static final TopicDescriptor<String, ClockTick> CLOCK =
      new TopicDescriptor<>(
          "ledger.clock",
          Serdes.String(),
          ClockTick.getClassSchema(),
          ClockTick.class,
          1,
          TopicDescriptor.DELETE,
          FOREVER,
          "ClockTick, key 'clock'; written by the servers every second, kept for replay");

  /**
   * The input journal: every valid input of every topic above, keyed by tenant, in the order the
   * engine of that tenant consumed it (a tick is copied to every partition). The engine reads its
   * inputs from here, so this log is what {@code ledger export} reads and {@code ledger replay}
   * recomputes: the same inputs in the same order give the same decisions.
   */
  public static final TopicDescriptor<String, SpecificRecord> INPUTS =
      new TopicDescriptor<>(
          "ledger.inputs",
          Serdes.String(),
          flatUnion(
              HOSTS.valueSchema(),
              RELEASES.valueSchema(),
              // the control topic's union as it was before HostLifecycleChanged joined its end
              without(ROLLOUT_CONTROL.valueSchema(), HostLifecycleChanged.getClassSchema()),
              TELEMETRY.valueSchema(),
              CLOCK.valueSchema(),
              // last: a union grows at its end (ADR 0003), so older readers keep their indexes
              FanOutContinued.getClassSchema(),
              AssignmentContinued.getClassSchema(),
              HostLifecycleChanged.getClassSchema()),
          SpecificRecord.class,
          PARTITIONS,
          TopicDescriptor.DELETE,
          FOREVER,
          "Every valid input but telemetry, the host stage's news, and the engine's own"
              + " FanOutContinued; key tenant ('clock' for ticks, copied to every partition), in the"
              + " order the engine consumed it; kept for export and replay");

  public static final TopicDescriptor<String, SpecificRecord> LEDGER =
      new TopicDescriptor<>(
          "ledger.decisions",
          Serdes.String(),
          union(
              WaveStarted.getClassSchema(),
              WavePromoted.getClassSchema(),
              RolloutHalted.getClassSchema(),
              RolloutCompleted.getClassSchema(),
              HaltLifted.getClassSchema(),
              // a union grows at its end (ADR 0003)
              OutageRecorded.getClassSchema(),
              PauseRecorded.getClassSchema(),
              PauseLifted.getClassSchema(),
              WaveApproved.getClassSchema()),
          SpecificRecord.class,
          PARTITIONS,
          TopicDescriptor.DELETE,
          Map.of(
              "retention.ms", "-1", "max.message.bytes", Integer.toString(MAX_LEDGER_ENTRY_BYTES)),
          "WaveStarted | WavePromoted | RolloutHalted | RolloutCompleted | HaltLifted | OutageRecorded"
              + " | PauseRecorded | PauseLifted | WaveApproved, key tenant/rollout;"
              + " hash-chained");

  public static final TopicDescriptor<String, SpecificRecord> COMMANDS =
      new TopicDescriptor<>(
          "ledger.commands",
          Serdes.String(),
          union(Apply.getClassSchema(), Hold.getClassSchema(), Rollback.getClassSchema()),
          SpecificRecord.class,
          PARTITIONS,
          TopicDescriptor.DELETE,
          WEEK,
          "Apply | Hold | Rollback, key tenant/host; read with isolation.level=read_committed");

  public static final TopicDescriptor<String, DeadLetter> DEAD_LETTERS =
      new TopicDescriptor<>(
          "ledger.dead-letters",
          Serdes.String(),
          DeadLetter.getClassSchema(),
          DeadLetter.class,
          1,
          TopicDescriptor.DELETE,
          FOREVER,
          "DeadLetter: a rejected record with its reason and source topic, partition and offset");

  /** Storage of the embedded schema registry (one partition: the log order gives versions). */
  public static final TopicDescriptor<String, String> SCHEMAS =
      new TopicDescriptor<>(
          "ledger.schemas",
          Serdes.String(),
          Schema.create(Schema.Type.STRING),
          String.class,
          1,
          TopicDescriptor.COMPACT,
          Map.of(),
          "Embedded schema registry: key subject/fingerprint[/deleted], value JSON {subject, schema[, deleted]}");

  /**
   * The API tokens of every tenant (one partition, compacted): key {@code tenant/name}, value JSON
   * {@code {tenant, name, role, host, id, sha256, createdAt}} with only the SHA-256 of the secret;
   * a tombstone revokes. Plain UTF-8 JSON, as {@link #SCHEMAS}: server-internal state that no
   * pipeline consumes, so it needs no schema in the registry.
   */
  public static final TopicDescriptor<String, String> TOKENS =
      new TopicDescriptor<>(
          "ledger.tokens",
          Serdes.String(),
          Schema.create(Schema.Type.STRING),
          String.class,
          1,
          TopicDescriptor.COMPACT,
          Map.of(),
          "API tokens: key tenant/name, value JSON with the SHA-256 of the secret; tombstone = revoked");

  /**
   * Each deployment's command-signing public keys and their status (one partition, kept for ever):
   * key = {@code <application id>/<key id>}, value JSON {@code {keyId, algorithm, publicKey,
   * status, at, claim}}; read in log order ({@code KeySet}). Plain UTF-8 JSON, as {@link #TOKENS}:
   * server-internal state.
   */
  public static final TopicDescriptor<String, String> KEYS =
      new TopicDescriptor<>(
          "ledger.keys",
          Serdes.String(),
          Schema.create(Schema.Type.STRING),
          String.class,
          1,
          TopicDescriptor.DELETE,
          FOREVER,
          "Command-signing public keys: key app-id/key-id, value JSON {keyId, publicKey, status, at}");

  /**
   * Each rollout's regression evidence and counts over time ({@code EvidenceSnapshot}, key
   * tenant/rollout): written by the engine with every ledger entry and, at most once a second of
   * event time per rollout, whenever they change. Outside the hash-chained ledger: it explains
   * decisions (the dashboard's chart), it decides nothing, and replay does not need it.
   */
  public static final TopicDescriptor<String, dev.rolloutledger.avro.EvidenceSnapshot> EVIDENCE =
      new TopicDescriptor<>(
          "ledger.evidence",
          Serdes.String(),
          dev.rolloutledger.avro.EvidenceSnapshot.getClassSchema(),
          dev.rolloutledger.avro.EvidenceSnapshot.class,
          PARTITIONS,
          TopicDescriptor.DELETE,
          FOREVER,
          "EvidenceSnapshot, key tenant/rollout; the evidence path behind the ledger's decisions");

  /**
   * Each tenant's notifications (docs/notifications.md), compacted: key tenant, value the whole
   * list of its webhooks ({@link NotificationSettings}); every instance holds it in memory. One
   * partition, as {@link #TOKENS}: a few records a tenant, read to the end at start.
   */
  public static final TopicDescriptor<String, NotificationSettings> NOTIFICATIONS =
      new TopicDescriptor<>(
          "ledger.notifications",
          Serdes.String(),
          NotificationSettings.getClassSchema(),
          NotificationSettings.class,
          1,
          TopicDescriptor.COMPACT,
          Map.of(),
          "NotificationSettings, key tenant; the tenant's webhooks, the latest record is the list");

  public static List<TopicDescriptor<?, ?>> all() {
    return List.of(
        HOSTS,
        RELEASES,
        ROLLOUT_CONTROL,
        TELEMETRY,
        HOST_WATCH,
        CLOCK,
        INPUTS,
        LEDGER,
        COMMANDS,
        DEAD_LETTERS,
        SCHEMAS,
        TOKENS,
        KEYS,
        EVIDENCE,
        NOTIFICATIONS);
  }

  /**
   * Every topic, with {@link #TELEMETRY} and {@link #HOST_WATCH} created with {@code
   * telemetryPartitions} partitions instead of {@link #TELEMETRY_PARTITIONS}.
   */
  public static List<TopicDescriptor<?, ?>> withTelemetryPartitions(int telemetryPartitions) {
    List<TopicDescriptor<?, ?>> topics = new java.util.ArrayList<>();
    for (TopicDescriptor<?, ?> t : all()) {
      topics.add(t == TELEMETRY || t == HOST_WATCH ? t.withPartitions(telemetryPartitions) : t);
    }
    return List.copyOf(topics);
  }

  /** The union of records and unions of records, as one flat union. */
  private static Schema flatUnion(Schema... schemas) {
    List<Schema> types = new java.util.ArrayList<>();
    for (Schema s : schemas) {
      if (s.getType() == Schema.Type.UNION) {
        types.addAll(s.getTypes());
      } else {
        types.add(s);
      }
    }
    return Schema.createUnion(types);
  }

  /** {@code union} without its member {@code member}. */
  private static Schema without(Schema union, Schema member) {
    return Schema.createUnion(
        union.getTypes().stream()
            .filter(s -> !s.getFullName().equals(member.getFullName()))
            .toList());
  }

  private static Schema union(Schema... schemas) {
    return Schema.createUnion(List.of(schemas));
  }
}
