package dev.rolloutledger.topology;

import dev.rolloutledger.avro.state.HostWatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Maps a tenant's {@link dev.rolloutledger.domain.hoststage.HostWatch} to Avro and back. */
final class HostWatches {
  private HostWatches() {}

  static HostWatch toAvro(dev.rolloutledger.domain.hoststage.HostWatch w) {
    Map<String, List<Double>> limits = new TreeMap<>(w.limits());
    return HostWatch.newBuilder()
        .setTenant(w.tenant())
        .setSilenceAfterMillis(w.silenceAfter() == null ? null : w.silenceAfter().toMillis())
        .setLimits(new java.util.HashMap<>(limits))
        .setRollouts(w.rollouts())
        .build();
  }

  static dev.rolloutledger.domain.hoststage.HostWatch toDomain(HostWatch w) {
    Map<String, List<Double>> limits = new TreeMap<>();
    w.getLimits().forEach((k, v) -> limits.put(k.toString(), new ArrayList<>(v)));
    return new dev.rolloutledger.domain.hoststage.HostWatch(
        w.getTenant(),
        w.getSilenceAfterMillis() == null ? null : Duration.ofMillis(w.getSilenceAfterMillis()),
        limits,
        w.getRollouts());
  }
}
