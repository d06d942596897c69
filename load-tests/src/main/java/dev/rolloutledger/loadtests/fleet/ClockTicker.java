package dev.rolloutledger.loadtests.fleet;

import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The server's clock: a tick on {@code ledger.clock} every second, as ClockTicker does. */
public final class ClockTicker implements AutoCloseable {
  private final KafkaProducer<String, SpecificRecord> producer;
  private final Thread thread;
  private volatile boolean closed;

  public ClockTicker(String bootstrap, Serializer<SpecificRecord> serializer) {
    Properties p = KafkaConnection.fromEnvironment(bootstrap).properties();
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producer = new KafkaProducer<>(p, new StringSerializer(), serializer);
    thread =
        new Thread(
            () -> {
              while (!closed) {
                producer.send(
                    new ProducerRecord<>(
                        Topics.CLOCK.name(),
                        "clock",
                        ClockTick.newBuilder().setAt(Instant.now()).build()));
                Machine.sleepMillis(1000);
              }
            },
            "clock-ticker");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() {
    closed = true;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
