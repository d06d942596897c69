package dev.rolloutledger.topology;

import dev.rolloutledger.domain.ApprovalGranted;
import dev.rolloutledger.domain.AssignmentContinued;
import dev.rolloutledger.domain.Checks;
import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Detector;
import dev.rolloutledger.domain.FanOutContinued;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostLifecycleChanged;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.ManualHalt;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PolicySet;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RollbackRequested;
import dev.rolloutledger.domain.RolloutPaused;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.RolloutResumed;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.WavePlan;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * The one set of rules every door applies to an input, beyond its domain record's own invariants:
 * the HTTP API before it publishes, the Kafka doors (the control topics' {@link InputValidator},
 * the {@link HostStageProcessor} for telemetry) before the engine sees a record, and {@code ledger
 * replay} for each input line of a log. One function, so that nothing one door accepts can be
 * refused by another later (an infinite metric accepted over HTTP used to break {@code ledger
 * replay --verify}). The table of which field follows which rule is docs/api.md, "What every door
 * accepts"; the kinds of rule are {@link Checks#doorId}, {@link Checks#doorName}, {@link
 * Checks#doorText} and {@link Checks#doorCount}, plus finite numbers ({@link #finite}), times
 * ({@link #time}) and durations ({@link #duration}). Reading the journal ({@link
 * AvroMapper#toDomain}) checks finite metrics only: journals written before the other checks must
 * still be readable.
 *
 * <p>Each failure is an {@link InvalidFieldException} naming the field; the API answers it as a
 * 400, the topology dead-letters the record with it, and replay refuses the line.
 */
public final class InputChecks {
  /**
   * No input happened before 1970: a negative time is a producer's bug, and the engine's clock and
   * every bake and timeout are measured forward from inputs' times.
   */
  static final Instant EARLIEST = Instant.EPOCH;

  /**
   * No input happens after the year 9999: a time with a four-digit year is what every ISO-8601
   * reader (and the exported log) takes, and a time plus the longest duration ({@link
   * #MAX_DURATION}) still fits the epoch milliseconds a topic stores.
   */
  static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  /**
   * The longest bake, heartbeat timeout or policy delay: ten years. Longer would never end in
   * practice, and an unbounded one overflows the time it is added to.
   */
  static final Duration MAX_DURATION = Duration.ofDays(3650);

  private InputChecks() {}

  /**
   * {@code input} if it passes every rule of the doors; otherwise throws, naming the field. Only
   * what a producer may send: an input only the system writes (a host stage's silence, a journal's
   * continuation) is refused.
   */
  public static <T extends LedgerInput> T check(T input) {
    if (input instanceof HostSilent e && e.detector() != Detector.EXTERNAL) {
      throw new InvalidFieldException(
          "detector", "only the host stage reports as '" + e.detector().wireName() + "'");
    }
    if (input instanceof FanOutContinued || input instanceof AssignmentContinued) {
      throw new InvalidFieldException("type", "is written by the decision stage only");
    }
    return logged(input);
  }

  /**
   * {@code input} if it may be in a rollout log: what {@link #check} accepts, and the inputs the
   * system itself writes into the journal (a clock tick, a host stage's silence, a continuation),
   * whose ids come from inputs that passed the doors.
   */
  public static <T extends LedgerInput> T logged(T input) {
    Checks.doorId("tenant", input.tenant());
    time("at", input.at());
    if (input instanceof Heartbeat e) {
      Checks.doorId("host", e.host());
      Checks.optionalDoorId("release", e.release());
      Checks.doorCount("metrics", e.metrics().size());
      names("metrics", e.metrics());
      finite("metrics", e.metrics());
    } else if (input instanceof UpdateApplied e) {
      Checks.doorId("host", e.host());
      Checks.doorId("release", e.release());
      Checks.optionalDoorText("error", e.error(), Checks.MAX_TEXT_LENGTH);
    } else if (input instanceof CrashReport e) {
      Checks.doorId("host", e.host());
      Checks.doorId("release", e.release());
      Checks.doorName("signature", e.signature(), Checks.MAX_TEXT_LENGTH);
      Checks.doorName("kind", e.kind(), Checks.MAX_ID_LENGTH);
    } else if (input instanceof HostSilent e) {
      Checks.doorId("host", e.host());
      time("lastSeenAt", e.lastSeenAt());
    } else if (input instanceof HostBack e) {
      Checks.doorId("host", e.host());
    } else if (input instanceof HostRegistered e) {
      Checks.doorId("host", e.host());
      labels("labels", e.labels());
    } else if (input instanceof ReleasePublished e) {
      Checks.doorId("release", e.release());
      Checks.doorName("artifact", e.artifact(), Checks.MAX_TEXT_LENGTH);
      Checks.doorName("version", e.version(), Checks.MAX_ID_LENGTH);
      Checks.doorName("publisher", e.publisher(), Checks.MAX_ID_LENGTH);
    } else if (input instanceof RolloutPlanned e) {
      Checks.doorId("rollout", e.rollout());
      Checks.doorId("release", e.release());
      plan("plan", e.plan());
    } else if (input instanceof ApprovalGranted e) {
      Checks.doorId("rollout", e.rollout());
      Checks.doorId("wave", e.wave());
      Checks.doorId("by", e.by());
    } else if (input instanceof RolloutPaused e) {
      control(e.rollout(), e.by(), e.reason());
    } else if (input instanceof RolloutResumed e) {
      control(e.rollout(), e.by(), e.reason());
    } else if (input instanceof ManualHalt e) {
      control(e.rollout(), e.by(), e.reason());
    } else if (input instanceof RollbackRequested e) {
      control(e.rollout(), e.by(), e.reason());
    } else if (input instanceof PolicySet e) {
      policy("policy", e.policy());
    } else if (input instanceof HostLifecycleChanged e) {
      Checks.doorId("host", e.host());
      Checks.doorId("by", e.by());
    } else if (input instanceof FanOutContinued e) {
      Checks.doorId("rollout", e.rollout());
      Checks.doorId("after", e.after());
    } else if (input instanceof AssignmentContinued e) {
      Checks.doorId("rollout", e.rollout());
      Checks.optionalDoorId("after", e.after());
    } else if (!(input instanceof ClockTick)) {
      throw new InvalidFieldException("type", "has no door rules: " + input.getClass().getName());
    }
    return input;
  }

  private static void plan(String path, Plan plan) {
    List<WavePlan> waves = plan.waves();
    Checks.doorCount(path + ".waves", waves.size());
    for (int i = 0; i < waves.size(); i++) {
      WavePlan w = waves.get(i);
      String wave = path + ".waves[" + i + "]";
      Checks.doorId(wave + ".name", w.name());
      labels(wave + ".selector", w.selector());
      duration(wave + ".bake", w.bake());
      duration(wave + ".batchBake", w.batchBake());
      if (w.spread() != null) {
        Checks.doorName(wave + ".spread.by", w.spread().by(), Checks.MAX_ID_LENGTH);
      }
    }
    duration(path + ".heartbeatTimeout", plan.heartbeatTimeout());
    Checks.doorCount(path + ".limits", plan.limits().size());
    names(path + ".limits", plan.limits());
    finite(path + ".limits", plan.limits());
  }

  private static void policy(String path, OwnerPolicy policy) {
    Checks.optionalDoorId(path + ".pin", policy.pin());
    Checks.doorCount(path + ".windows", policy.windows().size());
    duration(path + ".delay", policy.delay());
    List<String> publishers = policy.allowedPublishers();
    Checks.doorCount(path + ".allowedPublishers", publishers.size());
    for (int i = 0; i < publishers.size(); i++) {
      Checks.doorName(
          path + ".allowedPublishers[" + i + "]", publishers.get(i), Checks.MAX_ID_LENGTH);
    }
    Checks.doorId(path + ".by", policy.by());
    List<OwnerPolicy.TrustedPublisher> trusted = policy.trustedPublishers();
    Checks.doorCount(path + ".trustedPublishers", trusted.size());
    for (int i = 0; i < trusted.size(); i++) {
      Checks.doorName(
          path + ".trustedPublishers[" + i + "].name", trusted.get(i).name(), Checks.MAX_ID_LENGTH);
    }
  }

  /**
   * Labels (a host's, a wave's selector): names to short texts, at most {@link Checks#MAX_ENTRIES}.
   */
  private static void labels(String field, Map<String, String> labels) {
    Checks.doorCount(field, labels.size());
    for (Map.Entry<String, String> e : labels.entrySet()) {
      Checks.doorName(field + " key", e.getKey(), Checks.MAX_ID_LENGTH);
      Checks.doorText(field + "[" + e.getKey() + "]", e.getValue(), Checks.MAX_ID_LENGTH);
    }
  }

  /** The keys of a metrics or limits map: names. */
  private static void names(String field, Map<String, ?> values) {
    for (String name : values.keySet()) {
      Checks.doorName(field + " key", name, Checks.MAX_ID_LENGTH);
    }
  }

  private static void control(String rollout, String by, String reason) {
    Checks.doorId("rollout", rollout);
    Checks.doorId("by", by);
    Checks.doorText("reason", reason, Checks.MAX_TEXT_LENGTH);
  }

  /** A duration of at most {@link #MAX_DURATION}. */
  public static Duration duration(String field, Duration value) {
    if (value != null && value.compareTo(MAX_DURATION) > 0) {
      throw new InvalidFieldException(
          field, "must be at most " + MAX_DURATION + " (ten years), was " + value);
    }
    return value;
  }

  /**
   * Before an Avro record is mapped to the domain: every string at most {@link
   * Checks#MAX_TEXT_LENGTH} characters and every map and array at most {@link Checks#MAX_ENTRIES}
   * entries, so that no oversized value is parsed, copied or quoted back in a dead letter's reason.
   * The rules per field ({@link #check}) are stricter.
   */
  public static void bounded(GenericRecord record) {
    bounded("", record.getSchema(), record);
  }

  private static void bounded(String path, Schema schema, Object value) {
    if (value == null) {
      return;
    }
    switch (schema.getType()) {
      case UNION -> {
        for (Schema s : schema.getTypes()) {
          if (s.getType() != Schema.Type.NULL) {
            bounded(path, s, value);
          }
        }
      }
      case STRING -> {
        int length = value.toString().length();
        if (length > Checks.MAX_TEXT_LENGTH) {
          throw new InvalidFieldException(
              path, "must be at most " + Checks.MAX_TEXT_LENGTH + " characters, was " + length);
        }
      }
      case ARRAY -> {
        List<?> items = (List<?>) value;
        Checks.doorCount(path, items.size());
        for (int i = 0; i < items.size(); i++) {
          bounded(path + "[" + i + "]", schema.getElementType(), items.get(i));
        }
      }
      case MAP -> {
        Map<?, ?> map = (Map<?, ?>) value;
        Checks.doorCount(path, map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
          bounded(path + " key", Schema.create(Schema.Type.STRING), e.getKey());
          bounded(path + "[" + e.getKey() + "]", schema.getValueType(), e.getValue());
        }
      }
      case RECORD -> {
        GenericRecord r = (GenericRecord) value;
        for (Schema.Field f : schema.getFields()) {
          bounded(path.isEmpty() ? f.name() : path + "." + f.name(), f.schema(), r.get(f.pos()));
        }
      }
      default -> {
        // numbers, booleans, enums: bounded by their type
      }
    }
  }

  /**
   * The key a Kafka door requires of {@code input}: the one {@link InputTopics#route} gives it,
   * {@code tenant/host} (telemetry, a registration, a lifecycle change), {@code tenant/release},
   * {@code tenant/rollout} or {@code tenant/policy}. A key naming another tenant would let one
   * tenant's record be compacted, partitioned and dead-lettered as another's.
   */
  public static void key(String key, LedgerInput input) {
    String tenant = input.tenant();
    String id = keyId(input);
    if (key == null) {
      throw new InvalidFieldException("key", "must be " + tenant + "/" + id + ", was null");
    }
    int slash = key.indexOf('/');
    if (slash < 0) {
      throw new InvalidFieldException("key", "must be " + tenant + "/" + id + ", was " + key);
    }
    if (slash != tenant.length() || !key.startsWith(tenant)) {
      String keyTenant = key.substring(0, slash);
      throw new InvalidFieldException(
          "key", "tenant '" + keyTenant + "' differs from the value's tenant '" + tenant + "'");
    }
    if (key.length() != slash + 1 + id.length() || !key.endsWith(id)) {
      throw new InvalidFieldException("key", "must be " + tenant + "/" + id + ", was " + key);
    }
  }

  /**
   * The id part of {@code input}'s key: by hand, not by {@link InputTopics#route}, per heartbeat.
   */
  private static String keyId(LedgerInput input) {
    if (input instanceof Heartbeat e) {
      return e.host();
    } else if (input instanceof UpdateApplied e) {
      return e.host();
    } else if (input instanceof CrashReport e) {
      return e.host();
    } else if (input instanceof HostSilent e) {
      return e.host();
    } else if (input instanceof HostBack e) {
      return e.host();
    } else if (input instanceof HostRegistered e) {
      return e.host();
    } else if (input instanceof HostLifecycleChanged e) {
      return e.host();
    } else if (input instanceof ReleasePublished e) {
      return e.release();
    } else if (input instanceof PolicySet) {
      return "policy";
    }
    String key = InputTopics.route(input).key(); // the rollout-control events: tenant/rollout
    return key.substring(key.indexOf('/') + 1);
  }

  /**
   * Every value finite: JSON has no NaN or Infinity, so an exported log holding one could not be
   * read back, and a comparison with a limit would silently be false.
   */
  public static Map<String, Double> finite(String field, Map<String, Double> values) {
    for (Map.Entry<String, Double> e : values.entrySet()) {
      Double value = e.getValue();
      if (value != null && !Double.isFinite(value)) {
        throw new InvalidFieldException(
            field + "[" + e.getKey() + "]", "must be a finite number, was " + value);
      }
    }
    return values;
  }

  /** An instant in milliseconds since the epoch fits a long: what every topic stores. */
  public static Instant time(String field, Instant value) {
    if (value != null && (value.isBefore(EARLIEST) || value.isAfter(LATEST))) {
      throw new InvalidFieldException(
          field, "must be between " + EARLIEST + " and " + LATEST + ", was " + value);
    }
    return value;
  }
}
