package dev.rolloutledger.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.avro.Heartbeat;
import dev.rolloutledger.avro.HostBack;
import dev.rolloutledger.avro.HostRegistered;
import dev.rolloutledger.avro.HostSilent;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.InMemorySchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ConfluentAvroSerdeTest {
  private final SchemaRegistry registry = new InMemorySchemaRegistry();
  private final Instant at = Instant.parse("2024-07-19T04:09:00Z");

  private CrashReport crash() {
    return CrashReport.newBuilder()
        .setTenant("acme")
        .setAt(at)
        .setHost("h1")
        .setRelease("cf-291")
        .setSignature("PAGE_FAULT_IN_NONPAGED_AREA")
        .setKind("BSOD")
        .build();
  }

  @Nested
  class WireFormat {
    @Test
    void writes_magic_byte_zero_then_the_registered_schema_id() {
      Serde<SpecificRecord> serde = Topics.TELEMETRY.valueSerde(registry);
      byte[] bytes = serde.serializer().serialize(Topics.TELEMETRY.name(), crash());
      assertThat(bytes[0]).isEqualTo((byte) 0);
      int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
      assertThat(registry.latest(Topics.TELEMETRY.valueSubject()).orElseThrow().id()).isEqualTo(id);
      assertThat(registry.byId(id)).isEqualTo(Topics.TELEMETRY.valueSchema());
    }

    @Test
    void round_trips_every_member_of_a_union_topic() {
      Serde<SpecificRecord> serde = Topics.TELEMETRY.valueSerde(registry);
      Heartbeat hb =
          Heartbeat.newBuilder()
              .setTenant("acme")
              .setAt(at)
              .setHost("h1")
              .setRelease(null)
              .setMetrics(Map.of("cpu", 0.5))
              .build();
      HostSilent silent =
          HostSilent.newBuilder()
              .setTenant("acme")
              .setAt(at)
              .setHost("h1")
              .setLastSeenAt(at.minusSeconds(40))
              .build();
      HostBack back = HostBack.newBuilder().setTenant("acme").setAt(at).setHost("h1").build();
      for (SpecificRecord r : new SpecificRecord[] {crash(), hb, silent, back}) {
        byte[] bytes = serde.serializer().serialize("ledger.telemetry", r);
        assertThat(serde.deserializer().deserialize("ledger.telemetry", bytes)).isEqualTo(r);
      }
    }

    @Test
    void the_telemetry_union_with_the_detector_records_registers_over_the_earlier_one() {
      // a registry that holds the union of before ADR 0006 accepts the new one (BACKWARD: new
      // readers read data written with the old union)
      Schema before =
          Schema.createUnion(
              List.of(
                  dev.rolloutledger.avro.UpdateApplied.getClassSchema(),
                  Heartbeat.getClassSchema(),
                  CrashReport.getClassSchema()));
      int old = registry.register(Topics.TELEMETRY.valueSubject(), before);
      int now = registry.register(Topics.TELEMETRY.valueSubject(), Topics.TELEMETRY.valueSchema());
      assertThat(now).isNotEqualTo(old);
      assertThat(registry.latest(Topics.TELEMETRY.valueSubject()).orElseThrow().id())
          .isEqualTo(now);
    }

    @Test
    void round_trips_a_single_record_topic_with_logical_timestamps() {
      Serde<HostRegistered> serde = Topics.HOSTS.valueSerde(registry);
      HostRegistered host =
          HostRegistered.newBuilder()
              .setTenant("acme")
              .setAt(at)
              .setHost("h1")
              .setLabels(Map.of("env", "prod", "tier", "A"))
              .build();
      HostRegistered back =
          serde
              .deserializer()
              .deserialize("ledger.hosts", serde.serializer().serialize("ledger.hosts", host));
      assertThat(back).isEqualTo(host);
      assertThat(back.getAt()).isEqualTo(at);
    }
  }

  @Nested
  class Interoperability {
    @Test
    void reads_a_record_written_by_a_producer_that_registered_only_its_own_record_schema()
        throws Exception {
      // An existing pipeline registers CrashReport itself, not our union, and writes the wire
      // format.
      int id = registry.register("ledger.telemetry-value", CrashReport.getClassSchema());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(0);
      out.write(ByteBuffer.allocate(4).putInt(id).array());
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new SpecificDatumWriter<CrashReport>(CrashReport.getClassSchema()).write(crash(), enc);
      enc.flush();
      SpecificRecord read =
          Topics.TELEMETRY
              .valueSerde(registry)
              .deserializer()
              .deserialize("ledger.telemetry", out.toByteArray());
      assertThat(read).isEqualTo(crash());
    }
  }

  @Nested
  class BadInput {
    private final Serde<SpecificRecord> serde = Topics.TELEMETRY.valueSerde(registry);

    @Test
    void rejects_a_record_without_the_magic_byte() {
      assertThatThrownBy(() -> serde.deserializer().deserialize("t", "{\"json\":1}".getBytes()))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("magic byte");
    }

    @Test
    void rejects_a_record_too_short_for_the_header() {
      assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {0, 0}))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("too short");
    }

    @Test
    void rejects_an_unknown_schema_id() {
      byte[] bytes = {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 'a'};
      assertThatThrownBy(() -> serde.deserializer().deserialize("t", bytes))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("schema id");
    }

    @Test
    void rejects_a_truncated_payload() {
      byte[] good = serde.serializer().serialize("t", crash());
      byte[] cut = java.util.Arrays.copyOf(good, 9);
      assertThatThrownBy(() -> serde.deserializer().deserialize("t", cut))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("does not decode");
    }

    @Test
    void rejects_bytes_after_a_valid_record() {
      byte[] good = serde.serializer().serialize("t", crash());
      byte[] longer = java.util.Arrays.copyOf(good, good.length + 3);
      longer[good.length] = 'x';
      assertThatThrownBy(() -> serde.deserializer().deserialize("t", longer))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("3 bytes after the record");
    }

    @Test
    void rejects_a_record_of_a_type_the_topic_does_not_carry() throws Exception {
      // a Heartbeat written with its own schema, sent to a topic whose union lacks it
      Heartbeat hb =
          Heartbeat.newBuilder()
              .setTenant("acme")
              .setAt(at)
              .setHost("h1")
              .setRelease("cf-291")
              .setMetrics(Map.of())
              .build();
      for (var topic : List.of(Topics.ROLLOUT_CONTROL, Topics.HOSTS, Topics.RELEASES)) {
        String subject = topic.name() + "-own";
        int id = registry.register(subject, Heartbeat.getClassSchema());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<Heartbeat>(Heartbeat.getClassSchema()).write(hb, enc);
        enc.flush();
        assertThatThrownBy(
                () ->
                    topic
                        .valueSerde(registry)
                        .deserializer()
                        .deserialize(topic.name(), out.toByteArray()))
            .as(topic.name())
            .isInstanceOf(SerializationException.class);
      }
    }

    /** {@code value} in the wire format under {@code schema}, registered as {@code subject}. */
    private byte[] written(String subject, Schema schema, SpecificRecord value) throws Exception {
      int id = registry.register(subject, schema);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(0);
      out.write(ByteBuffer.allocate(4).putInt(id).array());
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new SpecificDatumWriter<SpecificRecord>(schema).write(value, enc);
      enc.flush();
      return out.toByteArray();
    }

    @Test
    void rejects_a_record_avro_would_resolve_as_another_type_of_the_same_shape() throws Exception {
      // Avro resolves a record to the first reader branch its fields fit: a HostRegistered fits a
      // Heartbeat or a HostBack (tenant, at, host), any record with an `at` fits ClockTick
      HostRegistered host =
          HostRegistered.newBuilder()
              .setTenant("acme")
              .setAt(at)
              .setHost("h1")
              .setLabels(Map.of())
              .build();
      byte[] onTelemetry = written("own-hosts", HostRegistered.getClassSchema(), host);
      assertThatThrownBy(
              () -> serde.deserializer().deserialize(Topics.TELEMETRY.name(), onTelemetry))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("is a dev.rolloutledger.avro.HostRegistered")
          .hasMessageContaining("a type the topic does not carry");

      byte[] onClock = written("own-crash", CrashReport.getClassSchema(), crash());
      assertThatThrownBy(
              () ->
                  Topics.CLOCK
                      .valueSerde(registry)
                      .deserializer()
                      .deserialize(Topics.CLOCK.name(), onClock))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("CrashReport");

      // the same under a union the producer registered: the branch written is what counts
      Schema both =
          Schema.createUnion(CrashReport.getClassSchema(), HostRegistered.getClassSchema());
      byte[] inUnion = written("own-union", both, host);
      assertThatThrownBy(() -> serde.deserializer().deserialize(Topics.TELEMETRY.name(), inUnion))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("HostRegistered");
      assertThat(
              serde
                  .deserializer()
                  .deserialize(Topics.TELEMETRY.name(), written("own-union", both, crash())))
          .isEqualTo(crash());
    }
  }
}
