package dev.rolloutledger.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.server.auth.TokenRegistry.Issued;
import dev.rolloutledger.server.kafka.EventPublisher;
import dev.rolloutledger.server.kafka.EventPublisher.PublishFailedException;
import io.micronaut.core.annotation.Nullable;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API tokens, durable in the compacted topic {@link Topics#TOKENS} and held in memory by every
 * server. A server reads the topic to its end before it answers anything, then follows it on a
 * thread of its own, so a token created or revoked on one instance reaches the others within a poll
 * (well under a second) and survives restarts. Authentication never waits on Kafka: a request with
 * an unknown secret costs a hash and a map lookup, not a broker round trip. A change made here is
 * answered only once it has been read back, so the caller can use the new token at once.
 */
public final class TokenStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TokenStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final TopicPartition partition = new TopicPartition(Topics.TOKENS.name(), 0);
  private final TokenRegistry registry = new TokenRegistry();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock = Clock.systemUTC();
  private final KafkaProducer<String, String> producer;
  private final KafkaConsumer<String, String> consumer;
  private final Thread follower;
  private volatile boolean running = true;
  private long position; // guarded by this: the offset up to which the registry is current

  public TokenStore(KafkaConnection kafka) {
    this.producer =
        new KafkaProducer<>(
            EventPublisher.acknowledgedWrites(kafka, "ledger-tokens-writer"),
            new StringSerializer(),
            new StringSerializer());
    Properties c = kafka.properties();
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "ledger-tokens-reader");
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    long end = consumer.endOffsets(List.of(partition), TIMEOUT).getOrDefault(partition, 0L);
    while (consumer.position(partition, TIMEOUT) < end) {
      applyPolled();
    }
    this.follower = new Thread(this::follow, "ledger-tokens-follower");
    follower.setDaemon(true);
    follower.start();
  }

  /** Makes a token and stores it; its secret is returned here and never again. */
  public Issued create(String tenant, String name, Role role, @Nullable String host) {
    Issued issued = issue(tenant, name, role, host);
    save(issued.token());
    return issued;
  }

  /** Makes a token without storing it, for a caller that must keep the secret safe first. */
  public Issued issue(String tenant, String name, Role role, @Nullable String host) {
    return TokenRegistry.issue(tenant, name, role, host, clock.instant(), random);
  }

  /** Stores a token (replacing one of the same tenant and name); it works once this returns. */
  public void save(Token token) {
    write(Keys.of(token.tenant(), token.name()), toJson(token));
  }

  /** Revokes the token of that name; false if the tenant has none of that name. */
  public boolean revoke(String tenant, String name) {
    if (registry.find(tenant, name).isEmpty()) {
      return false;
    }
    write(Keys.of(tenant, name), null);
    return true;
  }

  public Optional<Token> authenticate(String presented) {
    return registry.authenticate(presented);
  }

  public Optional<Token> find(String tenant, String name) {
    return registry.find(tenant, name);
  }

  public List<Token> list(String tenant) {
    return registry.list(tenant);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    follower.join(TIMEOUT.toMillis());
    producer.close(Duration.ofSeconds(5));
  }

  private void follow() {
    try {
      while (running) {
        applyPolled();
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } catch (RuntimeException e) {
      // new tokens and revocations would stop reaching this instance: say so loudly
      LOG.error("stopped following {}; restart the server", partition.topic(), e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void applyPolled() {
    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
      apply(r);
    }
    long reached = consumer.position(partition, TIMEOUT);
    synchronized (this) {
      position = reached;
      notifyAll();
    }
  }

  private void apply(ConsumerRecord<String, String> r) {
    String tenant = Keys.tenantOf(r.key());
    String name = r.key().substring(tenant.length() + 1);
    if (r.value() == null) {
      registry.revoke(tenant, name);
      return;
    }
    try {
      registry.put(fromJson(r.value()));
    } catch (Exception e) {
      // one unreadable record must not lock every tenant out; the offset says where it is
      LOG.warn("skipping unreadable token record {} at offset {}", r.key(), r.offset());
    }
  }

  private void write(String key, @Nullable String value) {
    long offset;
    try {
      offset =
          producer
              .send(new ProducerRecord<>(partition.topic(), 0, key, value))
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .offset();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishFailedException("interrupted while writing a token", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new PublishFailedException("Kafka did not acknowledge the token: " + e.getMessage(), e);
    }
    awaitReadBack(offset);
  }

  private synchronized void awaitReadBack(long offset) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (position <= offset) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new PublishFailedException("token written but not read back yet; retry", null);
      }
      try {
        wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PublishFailedException("interrupted while reading the token back", e);
      }
    }
  }

  static String toJson(Token t) {
    ObjectNode node = JSON.createObjectNode();
    node.put("tenant", t.tenant());
    node.put("name", t.name());
    node.put("role", t.role().id());
    node.put("host", t.host());
    node.put("id", t.id());
    node.put("sha256", t.sha256());
    node.put("createdAt", t.createdAt().toString());
    return node.toString();
  }

  static Token fromJson(String json) throws Exception {
    JsonNode n = JSON.readTree(json);
    Role role =
        Role.parse(n.get("role").asText())
            .orElseThrow(() -> new IllegalArgumentException("unknown role"));
    JsonNode host = n.get("host");
    return new Token(
        n.get("tenant").asText(),
        n.get("name").asText(),
        role,
        host == null || host.isNull() ? null : host.asText(),
        n.get("id").asText(),
        n.get("sha256").asText(),
        Instant.parse(n.get("createdAt").asText()));
  }
}
