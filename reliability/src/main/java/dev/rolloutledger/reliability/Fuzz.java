package dev.rolloutledger.reliability;

import dev.rolloutledger.avro.DeadLetter;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends {@code n} bad inputs, half over HTTP (every route that takes a body, through every
 * instance) and half straight to every input topic, then accounts for each: an HTTP one is refused
 * (4xx), accepted (2xx, a finding) or a 5xx (a failure); a record is dead-lettered (its topic,
 * partition and offset named in {@code ledger.dead-letters}) or, once the engine has consumed past
 * it, accepted (a finding). Accepted kinds are counted by kind, for the report.
 */
public final class Fuzz {
  /** What the fuzz run found. */
  public record Result(
      int httpSent,
      int http4xx,
      int http2xx,
      int http5xx,
      int httpNoAnswer,
      int kafkaSent,
      int deadLettered,
      int kafkaAccepted,
      int deadLetteredTwice,
      Map<String, Integer> acceptedByKind,
      List<String> fiveXx) {}

  private final ServerFleet servers;
  private final String bootstrap;
  private final SchemaRegistry registry;
  private final BadInputs inputs;
  private final Report report;

  public Fuzz(
      ServerFleet servers, String bootstrap, SchemaRegistry registry, long seed, Report report) {
    this.servers = servers;
    this.bootstrap = bootstrap;
    this.registry = registry;
    this.inputs = new BadInputs(seed, registry);
    this.report = report;
  }

  public Result run(int n) {
    Http http = new Http();
    List<String> tenants = servers.tenants();
    int httpN = n / 2;
    int c4 = 0;
    int c2 = 0;
    int c5 = 0;
    int none = 0;
    Map<String, Integer> accepted = new TreeMap<>();
    List<String> fiveXx = new ArrayList<>();
    for (int i = 0; i < httpN; i++) {
      BadInputs.HttpCase c = inputs.http();
      String tenant = tenants.get(i % tenants.size());
      String url =
          servers.baseUrl(i % ServerFleet.INSTANCES) + "/api/v1/tenants/" + tenant + c.path();
      Http.Answer a = http.post(url, servers.token(tenant), "application/json", c.body());
      if (a == null) {
        none++;
      } else if (a.status() >= 500) {
        c5++;
        if (fiveXx.size() < 20) {
          fiveXx.add(a.status() + " for " + c.kind() + ": " + a.body());
        }
      } else if (a.status() >= 400) {
        c4++;
      } else {
        c2++;
        accepted.merge("http " + c.kind(), 1, Integer::sum);
      }
    }
    report.line(
        "fuzz: %,d bad HTTP requests: %,d 4xx, %,d 2xx, %,d 5xx, %d unanswered",
        httpN, c4, c2, c5, none);

    int kafkaN = n - httpN;
    Map<String, String> kindAt = new HashMap<>();
    Map<TopicPartition, Long> last = new HashMap<>();
    Properties p = KafkaConnection.plaintext(bootstrap).properties();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      List<String> kinds = new ArrayList<>();
      for (int i = 0; i < kafkaN; i++) {
        BadInputs.KafkaCase c = inputs.kafka(tenants);
        sent.add(producer.send(new ProducerRecord<>(c.topic(), c.key(), c.value())));
        kinds.add(c.kind());
      }
      producer.flush();
      for (int i = 0; i < sent.size(); i++) {
        RecordMetadata m = sent.get(i).get();
        TopicPartition tp = new TopicPartition(m.topic(), m.partition());
        kindAt.put(m.topic() + "/" + m.partition() + "/" + m.offset(), kinds.get(i));
        last.merge(tp, m.offset(), Math::max);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a fuzz record was not written", e.getCause());
    }
    awaitConsumed(last);
    Set<String> dead = new HashSet<>();
    int twice = 0;
    for (String at : deadLetterCoordinates()) {
      if (kindAt.containsKey(at) && !dead.add(at)) {
        twice++;
      }
    }
    for (Map.Entry<String, String> e : kindAt.entrySet()) {
      if (!dead.contains(e.getKey())) {
        accepted.merge("kafka " + e.getValue(), 1, Integer::sum);
      }
    }
    int kafkaAccepted = kindAt.size() - dead.size();
    report.line(
        "fuzz: %,d bad records to the input topics: %,d dead-lettered, %,d accepted, %d dead-lettered twice",
        kindAt.size(), dead.size(), kafkaAccepted, twice);
    accepted.forEach((k, v) -> report.line("  accepted: %,d x %s", v, k));
    return new Result(
        httpN,
        c4,
        c2,
        c5,
        none,
        kindAt.size(),
        dead.size(),
        kafkaAccepted,
        twice,
        accepted,
        fiveXx);
  }

  /** Waits until the servers' application has committed past every fuzz record. */
  private void awaitConsumed(Map<TopicPartition, Long> last) {
    try (Admin admin = Admin.create(KafkaConnection.plaintext(bootstrap).properties())) {
      Deadline.await(
          "the servers consuming every fuzz record",
          Duration.ofMinutes(10),
          Duration.ofSeconds(1),
          () -> {
            try {
              Map<TopicPartition, OffsetAndMetadata> committed =
                  admin
                      .listConsumerGroupOffsets(ServerFleet.APPLICATION_ID)
                      .partitionsToOffsetAndMetadata()
                      .get();
              return last.entrySet().stream()
                  .allMatch(
                      e -> {
                        OffsetAndMetadata o = committed.get(e.getKey());
                        return o != null && o.offset() > e.getValue();
                      });
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return false;
            } catch (ExecutionException e) {
              return false;
            }
          });
    }
  }

  /** {@code topic/partition/offset} of every dead letter, read_committed from the beginning. */
  private List<String> deadLetterCoordinates() {
    List<String> out = new ArrayList<>();
    var values = Topics.DEAD_LETTERS.valueSerde(registry).deserializer();
    try (KafkaConsumer<String, byte[]> consumer = Outputs.consumer(bootstrap)) {
      TopicPartition tp = new TopicPartition(Topics.DEAD_LETTERS.name(), 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      Deadline d = Deadline.in(Duration.ofMinutes(5));
      while (consumer.position(tp) < end) {
        if (d.passed()) {
          throw new Deadline.TimeBoundExceeded("reading the dead letters took over 5 min");
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          DeadLetter dl = values.deserialize(r.topic(), r.value());
          out.add(dl.getSourceTopic() + "/" + dl.getPartition() + "/" + dl.getOffset());
        }
      }
    }
    return out;
  }
}
