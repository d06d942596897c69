package dev.rolloutledger.topology;

import dev.rolloutledger.domain.ApprovalGranted;
import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostLifecycleChanged;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.ManualHalt;
import dev.rolloutledger.domain.PolicySet;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RollbackRequested;
import dev.rolloutledger.domain.RolloutPaused;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.RolloutResumed;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.Topics;
import org.apache.avro.specific.SpecificRecord;

/** Where each input event is published: its topic, its key and its Avro value. */
public final class InputTopics {
  private InputTopics() {}

  /** An input ready to produce. */
  public record Routed(TopicDescriptor<String, ?> topic, String key, SpecificRecord value) {}

  public static Routed route(LedgerInput input) {
    SpecificRecord value = AvroMapper.toAvro(input);
    String t = input.tenant();
    if (input instanceof HostRegistered e) {
      return new Routed(Topics.HOSTS, Keys.of(t, e.host()), value);
    } else if (input instanceof ReleasePublished e) {
      return new Routed(Topics.RELEASES, Keys.of(t, e.release()), value);
    } else if (input instanceof RolloutPlanned e) {
      return new Routed(Topics.ROLLOUT_CONTROL, Keys.of(t, e.rollout()), value);
    } else if (input instanceof ApprovalGranted e) {
      return new Routed(Topics.ROLLOUT_CONTROL, Keys.of(t, e.rollout()), value);
    } else if (input instanceof RolloutPaused e) {
      return new Routed(Topics.ROLLOUT_CONTROL, Keys.of(t, e.rollout()), value);
    } else if (input instanceof RolloutResumed e) {
      return new Routed(Topics.ROLLOUT_CONTROL, Keys.of(t, e.rollout()), value);
    } else if (input instanceof ManualHalt e) {
      return new Routed(Topics.ROLLOUT_CONTROL, Keys.of(t, e.rollout()), value);
    } else if (input instanceof RollbackRequested e) {
      return new Routed(Topics.ROLLOUT_CONTROL, Keys.of(t, e.rollout()), value);
    } else if (input instanceof PolicySet) {
      return new Routed(Topics.ROLLOUT_CONTROL, Keys.of(t, "policy"), value);
    } else if (input instanceof HostLifecycleChanged e) {
      // by host: one host's changes stay in order; not the compacted hosts topic (its labels)
      return new Routed(Topics.ROLLOUT_CONTROL, Keys.of(t, e.host()), value);
    } else if (input instanceof UpdateApplied e) {
      return new Routed(Topics.TELEMETRY, Keys.of(t, e.host()), value);
    } else if (input instanceof Heartbeat e) {
      return new Routed(Topics.TELEMETRY, Keys.of(t, e.host()), value);
    } else if (input instanceof CrashReport e) {
      return new Routed(Topics.TELEMETRY, Keys.of(t, e.host()), value);
    } else if (input instanceof HostSilent e) {
      return new Routed(Topics.TELEMETRY, Keys.of(t, e.host()), value);
    } else if (input instanceof HostBack e) {
      return new Routed(Topics.TELEMETRY, Keys.of(t, e.host()), value);
    }
    throw new IllegalArgumentException("unrouted input " + input.getClass());
  }
}
