package dev.rolloutledger.server.cluster;

import dev.rolloutledger.topology.LedgerQueries;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Where a tenant's state lives. Every instance of a deployment (same application id) advertises its
 * HTTP address as Kafka Streams' {@code application.server}; the group's assignment then tells
 * every instance which one holds a tenant's partition.
 */
@Singleton
public class Instances {
  /** This instance's address as the others reach it ({@code host:port}); empty: alone. */
  private final Optional<HostInfo> self;

  private final String scheme;

  public Instances(
      @Value("${ledger.instance.advertised-host:127.0.0.1}") String advertisedHost,
      @Value("${micronaut.server.port:8080}") int port,
      @Value("${micronaut.server.ssl.enabled:false}") boolean tls) {
    // a random port (-1, tests) is known only once the server has bound: such an instance cannot
    // be reached by the others, so it is taken to be alone and answers everything itself
    this.self = port > 0 ? Optional.of(new HostInfo(advertisedHost, port)) : Optional.empty();
    // instances talk to each other as clients do: HTTPS when TLS is on
    this.scheme = tls ? "https" : "http";
  }

  /** The value of {@code application.server}, if this instance can be reached by the others. */
  public Optional<String> applicationServer() {
    return self.map(h -> h.host() + ":" + h.port());
  }

  public String scheme() {
    return scheme;
  }

  /** Who answers for {@code tenant} now. */
  public Owner ownerOf(KafkaStreams streams, LedgerQueries queries, String tenant) {
    if (self.isEmpty()) {
      return Owner.LOCAL;
    }
    KafkaStreams.State state = streams.state();
    // while a rebalance moves some tasks, the others keep running (cooperative rebalancing): the
    // assignment answers, and an owner whose task is on the move answers 503 itself
    if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
      return Owner.unavailable("the topology is " + state.name().toLowerCase());
    }
    KeyQueryMetadata owner = queries.ownerOf(tenant);
    if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
      return Owner.unavailable("no instance holds the tenant's partition yet");
    }
    HostInfo active = owner.activeHost();
    return active.equals(self.get()) ? Owner.LOCAL : Owner.remote(active);
  }

  /** LOCAL, another instance, or nobody now (starting, rebalancing). */
  public record Owner(@Nullable HostInfo remote, @Nullable String unavailable) {
    static final Owner LOCAL = new Owner(null, null);

    static Owner remote(HostInfo host) {
      return new Owner(host, null);
    }

    static Owner unavailable(String why) {
      return new Owner(null, why);
    }

    public boolean local() {
      return remote == null && unavailable == null;
    }
  }
}
