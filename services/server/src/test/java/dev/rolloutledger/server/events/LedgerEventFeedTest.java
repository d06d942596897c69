package dev.rolloutledger.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rolloutledger.avro.EvidenceSnapshot;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.server.api.EvidenceViews.PointView;
import dev.rolloutledger.server.events.LedgerEventFeed.EvidenceEvent;
import dev.rolloutledger.server.events.LedgerEventFeed.FeedEvent;
import dev.rolloutledger.server.events.LedgerEventFeed.LedgerEvent;
import dev.rolloutledger.server.events.LedgerEventFeed.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The live feed's reader, with Kafka's MockConsumer for the consumers it makes: a reader that fails
 * is opened again where the failed one was, and every subscriber is told while it is not following.
 * (LedgerEventFeed against a real broker: DashboardIT.)
 */
class LedgerEventFeedTest {
  private static final TopicPartition EVIDENCE = new TopicPartition(Topics.EVIDENCE.name(), 0);
  private static final TopicPartition LEDGER = new TopicPartition(Topics.LEDGER.name(), 0);

  /** The consumers the feed has made, in order. */
  private final List<MockConsumer<String, byte[]>> made = new CopyOnWriteArrayList<>();

  private final BlockingQueue<LedgerEvent> events = new LinkedBlockingQueue<>();
  private LedgerEventFeed feed;

  @AfterEach
  void close() throws InterruptedException {
    if (feed != null) {
      feed.close();
    }
  }

  @Test
  void a_reader_that_fails_is_opened_again_where_it_was_and_subscribers_see_it_restart()
      throws Exception {
    feed = feed(Duration.ofMillis(50));
    feed.subscribe("t1", events::add);
    MockConsumer<String, byte[]> first = made.get(0);
    assertThat(first.position(EVIDENCE)).isEqualTo(10L); // from the end when it starts
    first.addRecord(record(10));
    assertThat(evidenceN(next())).isEqualTo(10);

    first.setPollException(new KafkaException("broker away"));

    assertThat(next()).isEqualTo(new LedgerEvent("feed", new FeedEvent("restarting")));
    assertThat(next()).isEqualTo(new LedgerEvent("feed", new FeedEvent("following")));
    await().atMost(Duration.ofSeconds(10)).until(() -> made.size() == 2);
    MockConsumer<String, byte[]> second = made.get(1);
    assertThat(first.closed()).isTrue();
    // the new reader goes on after the last record read, not from the (moved) end
    assertThat(second.position(EVIDENCE)).isEqualTo(11L);
    assertThat(feed.state()).isEqualTo(State.FOLLOWING);
    second.addRecord(record(11));
    assertThat(evidenceN(next())).isEqualTo(11);
  }

  @Test
  void a_reader_that_keeps_failing_waits_longer_each_time_and_stays_restarting() throws Exception {
    feed = feed(Duration.ofMillis(20));
    feed.subscribe("t1", events::add);
    made.get(0).setPollException(new KafkaException("broker away"));
    failNextConsumers = true;

    assertThat(next()).isEqualTo(new LedgerEvent("feed", new FeedEvent("restarting")));
    await().atMost(Duration.ofSeconds(10)).until(() -> made.size() >= 3);
    assertThat(feed.state()).isEqualTo(State.RESTARTING);
    assertThat(List.of(feed.backoff(1), feed.backoff(2), feed.backoff(3), feed.backoff(40)))
        .containsExactly(
            Duration.ofMillis(20),
            Duration.ofMillis(40),
            Duration.ofMillis(80),
            LedgerEventFeed.MAX_BACKOFF);

    failNextConsumers = false;
    await().atMost(Duration.ofSeconds(10)).until(() -> feed.state() == State.FOLLOWING);
    assertThat(events).contains(new LedgerEvent("feed", new FeedEvent("following")));
  }

  @Test
  void a_closed_feed_says_stopped() throws Exception {
    feed = feed(Duration.ofMillis(20));
    feed.subscribe("t1", events::add);
    feed.close();
    assertThat(feed.state()).isEqualTo(State.STOPPED);
    assertThat(next()).isEqualTo(new LedgerEvent("feed", new FeedEvent("stopped")));
    feed = null;
  }

  private volatile boolean failNextConsumers;

  private LedgerEventFeed feed(Duration backoff) {
    Deserializer<EvidenceSnapshot> evidence = (topic, data) -> snapshot(data[0]);
    Deserializer<SpecificRecord> decisions =
        (topic, data) -> {
          throw new IllegalStateException("no decision in this test");
        };
    return new LedgerEventFeed(
        () -> {
          MockConsumer<String, byte[]> c = new MockConsumer<>("latest");
          made.add(c);
          if (failNextConsumers && made.size() > 1) {
            throw new KafkaException("broker still away");
          }
          c.updatePartitions(EVIDENCE.topic(), List.of(partition(EVIDENCE)));
          c.updatePartitions(LEDGER.topic(), List.of(partition(LEDGER)));
          c.updateBeginningOffsets(Map.of(EVIDENCE, 0L, LEDGER, 0L));
          c.updateEndOffsets(Map.of(EVIDENCE, 10L, LEDGER, 3L));
          return c;
        },
        decisions,
        evidence,
        backoff);
  }

  private LedgerEvent next() throws InterruptedException {
    LedgerEvent e = events.poll(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(e).as("an event within 10 s").isNotNull();
    return e;
  }

  private static long evidenceN(LedgerEvent e) {
    assertThat(e.name()).isEqualTo("evidence");
    PointView p = ((EvidenceEvent) e.body()).point();
    return p.n();
  }

  private static ConsumerRecord<String, byte[]> record(long offset) {
    return new ConsumerRecord<>(
        EVIDENCE.topic(), EVIDENCE.partition(), offset, "t1/r1", new byte[] {(byte) offset});
  }

  private static PartitionInfo partition(TopicPartition tp) {
    return new PartitionInfo(tp.topic(), tp.partition(), null, null, null);
  }

  private static EvidenceSnapshot snapshot(long n) {
    return EvidenceSnapshot.newBuilder()
        .setTenant("t1")
        .setRollout("r1")
        .setN(n)
        .setAt(Instant.parse("2026-01-01T00:00:00Z"))
        .setWave("canary")
        .setWaveIndex(0)
        .setStatus("ACTIVE")
        .setDecision(null)
        .setAssigned(2)
        .setApplied(1)
        .setFailed(0)
        .setWaveAssigned(2)
        .setWaveApplied(1)
        .setWaveFailed(0)
        .setUpdatedAtRisk(1)
        .setBaselineAtRisk(1)
        .setBaselineHosts(1)
        .setBaselineFailing(0)
        .setSignals(new ArrayList<>())
        .build();
  }
}
