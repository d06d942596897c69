package dev.rolloutledger.server.kafka;

import dev.rolloutledger.schemas.kafka.KafkaConnection;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.reactivestreams.Publisher;

/**
 * {@code /health} is DOWN, with the reason, while the Kafka cluster cannot be reached: the topology
 * may still say RUNNING then, but nothing it or the API writes gets anywhere. One describeCluster
 * with a short timeout, its answer kept for a few seconds, so that a health check that polls often
 * costs the cluster little; never blocks the caller's thread.
 */
@Singleton
public class BrokerHealthIndicator implements HealthIndicator, AutoCloseable {
  /** How long the cluster has to answer before it counts as unreachable. */
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** How long an answer is reused. */
  static final Duration KEEP = Duration.ofSeconds(3);

  private final String bootstrapServers;
  private final Admin admin;
  private CompletableFuture<HealthResult> last;
  private long lastAskedNanos;

  public BrokerHealthIndicator(KafkaConnection kafka) {
    this.bootstrapServers = kafka.bootstrapServers();
    Properties p = kafka.properties();
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "ledger-health");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    // do not wait long between attempts: the first check after the broker is back should see it
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    this.admin = Admin.create(p);
  }

  @Override
  public Publisher<HealthResult> getResult() {
    return Publishers.fromCompletableFuture(current());
  }

  private synchronized CompletableFuture<HealthResult> current() {
    long now = System.nanoTime();
    if (last == null || (last.isDone() && now - lastAskedNanos > KEEP.toNanos())) {
      lastAskedNanos = now;
      last = ask();
    }
    return last;
  }

  private CompletableFuture<HealthResult> ask() {
    return admin
        .describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
        .nodes()
        .toCompletionStage()
        .toCompletableFuture()
        .handle(
            (nodes, error) -> {
              if (error == null && !nodes.isEmpty()) {
                return HealthResult.builder("kafka", HealthStatus.UP)
                    .details(Map.of("bootstrapServers", bootstrapServers, "brokers", nodes.size()))
                    .build();
              }
              String why =
                  error == null ? "the cluster has no broker" : String.valueOf(cause(error));
              return HealthResult.builder("kafka", HealthStatus.DOWN)
                  .details(
                      Map.of(
                          "bootstrapServers",
                          bootstrapServers,
                          "reason",
                          "the Kafka cluster cannot be reached within "
                              + TIMEOUT.toSeconds()
                              + " s: "
                              + why))
                  .build();
            });
  }

  private static Throwable cause(Throwable error) {
    while ((error instanceof CompletionException || error instanceof ExecutionException)
        && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  @Override
  @PreDestroy
  public void close() {
    admin.close(Duration.ofSeconds(1));
  }
}
