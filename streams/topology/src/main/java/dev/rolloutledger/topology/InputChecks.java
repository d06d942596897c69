package dev.rolloutledger.topology;

import dev.rolloutledger.domain.ApprovalGranted;
import dev.rolloutledger.domain.Checks;
import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.ManualHalt;
import dev.rolloutledger.domain.PolicySet;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RollbackRequested;
import dev.rolloutledger.domain.RolloutPaused;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.RolloutResumed;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.WavePlan;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The checks an input must pass at every door beyond its domain record's own invariants: ids as the
 * HTTP API accepts them ({@link Checks#doorId}), no time before 1970 or beyond what epoch
 * milliseconds hold, finite metrics, and on Kafka the key the topic's contract requires. The HTTP
 * API calls {@link #check} before it publishes; the Kafka doors (the control topics' {@link
 * InputValidator} and the {@link HostStageProcessor} for telemetry) call {@link #check} and {@link
 * #key}. One function, so that nothing one door accepts can be refused by another later (an
 * infinite metric accepted over HTTP used to break {@code ledger replay --verify}). Reading the
 * journal ({@link AvroMapper#toDomain}) checks finite metrics only: journals written before the
 * other checks must still replay as they were decided.
 *
 * <p>Each failure is an {@link InvalidFieldException} naming the field; the API answers it as a 400
 * and the topology dead-letters the record with it.
 */
public final class InputChecks {
  /**
   * No input happened before 1970: a negative time is a producer's bug, and the engine's clock and
   * every bake and timeout are measured forward from inputs' times.
   */
  private static final Instant EARLIEST = Instant.EPOCH;

  private static final Instant LATEST = Instant.ofEpochMilli(Long.MAX_VALUE);

  private InputChecks() {}

  /**
   * {@code input} if it passes every check; otherwise throws, naming the field. Its ids (tenant,
   * host, rollout, release, wave, by) follow {@link Checks#doorId}: what the HTTP API accepts.
   */
  public static <T extends LedgerInput> T check(T input) {
    Checks.doorId("tenant", input.tenant());
    time("at", input.at());
    if (input instanceof Heartbeat e) {
      host(e.host());
      Checks.optionalDoorId("release", e.release());
      finite("metrics", e.metrics());
    } else if (input instanceof UpdateApplied e) {
      host(e.host());
      Checks.doorId("release", e.release());
    } else if (input instanceof CrashReport e) {
      host(e.host());
      Checks.doorId("release", e.release());
    } else if (input instanceof HostSilent e) {
      host(e.host());
      time("lastSeenAt", e.lastSeenAt());
    } else if (input instanceof HostBack e) {
      host(e.host());
    } else if (input instanceof HostRegistered e) {
      host(e.host());
    } else if (input instanceof ReleasePublished e) {
      Checks.doorId("release", e.release());
    } else if (input instanceof RolloutPlanned e) {
      Checks.doorId("rollout", e.rollout());
      Checks.doorId("release", e.release());
      List<WavePlan> waves = e.plan().waves();
      for (int i = 0; i < waves.size(); i++) {
        Checks.doorId("plan.waves[" + i + "].name", waves.get(i).name());
      }
    } else if (input instanceof ApprovalGranted e) {
      Checks.doorId("rollout", e.rollout());
      Checks.doorId("wave", e.wave());
      Checks.doorId("by", e.by());
    } else if (input instanceof RolloutPaused e) {
      control(e.rollout(), e.by());
    } else if (input instanceof RolloutResumed e) {
      control(e.rollout(), e.by());
    } else if (input instanceof ManualHalt e) {
      control(e.rollout(), e.by());
    } else if (input instanceof RollbackRequested e) {
      control(e.rollout(), e.by());
    } else if (input instanceof PolicySet e) {
      Checks.optionalDoorId("policy.pin", e.policy().pin());
      Checks.doorId("policy.by", e.policy().by());
    }
    return input;
  }

  /**
   * The key a Kafka door requires of {@code input}: the one {@link InputTopics#route} gives it,
   * {@code tenant/host}, {@code tenant/release}, {@code tenant/rollout} or {@code tenant/policy}. A
   * key naming another tenant would let one tenant's record be compacted, partitioned and
   * dead-lettered as another's.
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
    } else if (input instanceof ReleasePublished e) {
      return e.release();
    } else if (input instanceof PolicySet) {
      return "policy";
    }
    String key = InputTopics.route(input).key(); // the rollout-control events: tenant/rollout
    return key.substring(key.indexOf('/') + 1);
  }

  private static void host(String host) {
    Checks.doorId("host", host);
  }

  private static void control(String rollout, String by) {
    Checks.doorId("rollout", rollout);
    Checks.doorId("by", by);
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
