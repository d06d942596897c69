package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.avro.Heartbeat;
import dev.rolloutledger.avro.HostRegistered;
import dev.rolloutledger.avro.ManualHalt;
import dev.rolloutledger.avro.PlanSpec;
import dev.rolloutledger.avro.ReleasePublished;
import dev.rolloutledger.avro.RolloutPlanned;
import dev.rolloutledger.avro.Severity;
import dev.rolloutledger.avro.UpdateApplied;
import dev.rolloutledger.avro.WaveSpec;
import dev.rolloutledger.replay.RolloutExport;
import dev.rolloutledger.replay.RolloutReplay;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.auth.Role;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Nothing a door accepts can break the audit: values at the edge of every rule (the longest ids,
 * names and texts, any Unicode a text allows, the largest and smallest finite metrics, the earliest
 * and the latest times) sent straight to the input topics on the real broker are decided, exported
 * and verified by {@code ledger replay}; and each id is reachable over its HTTP path as it is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeValuesReplayIT {
  private static final Instant EARLIEST = Instant.EPOCH;
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");
  private static final String SHA = "d".repeat(64);

  /** An id of exactly 128 characters ending in {@code tail}, in the whole id alphabet. */
  private static String id(String tail) {
    String base = "Az09._:@-" + UUID.randomUUID();
    return (base + "x".repeat(128)).substring(0, 128 - tail.length()) + tail;
  }

  /** {@code length} characters of text: Unicode beyond the BMP, quotes, a line break and a tab. */
  private static String text(int length) {
    String unit = "zürich \"west\" ✓ 🚀\n\tend; ";
    StringBuilder b = new StringBuilder();
    while (b.length() < length) {
      b.append(unit);
    }
    b.setLength(length);
    if (Character.isHighSurrogate(b.charAt(length - 1))) {
      b.setCharAt(length - 1, 'x'); // never half a pair
    }
    return b.toString();
  }

  /** A name of {@code length}: as a text, without control characters. */
  private static String name(int length) {
    return text(length).replace('\n', '/').replace('\t', ' ');
  }

  private final String tenant = id("t");
  private final String rollout = id("r");
  private final String release = id("c");
  private final List<String> hosts = List.of(id("h1"), id("h2"), id("h3"));
  private final String dev = name(128);

  private String applicationId;
  private TestServer server;
  private String operator;

  @BeforeAll
  void start() throws Exception {
    applicationId = "it-edge-" + UUID.randomUUID();
    server = new TestServer(applicationId, Files.createTempDirectory("ledger-it-edge"));
    operator = server.token(tenant, Role.OPERATOR);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void edge_values_sent_to_kafka_are_decided_exported_and_verified() throws Exception {
    Instant now = Instant.now();
    // hosts: one registered at the earliest time a door takes; labels at their longest
    for (int i = 0; i < hosts.size(); i++) {
      send(
          Topics.HOSTS,
          hosts.get(i),
          HostRegistered.newBuilder()
              .setTenant(tenant)
              .setAt(i == 0 ? EARLIEST : now)
              .setHost(hosts.get(i))
              .setLabels(Map.of("env", i < 2 ? dev : "prod", name(128), text(128)))
              .build());
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> server.hostsKnown(tenant) == 3);
    // the first wave's agents beat: they are sent the release, not recorded unreachable
    server.reachable(operator, tenant, hosts.get(0), hosts.get(1));
    send(
        Topics.RELEASES,
        release,
        ReleasePublished.newBuilder()
            .setTenant(tenant)
            .setAt(now)
            .setRelease(release)
            .setArtifact("oci://registry.example/" + name(1000))
            .setVersion(name(128))
            .setSha256(SHA)
            .setPublisher(name(128))
            .setSeverity(Severity.NORMAL)
            .build());
    send(
        Topics.ROLLOUT_CONTROL,
        rollout,
        RolloutPlanned.newBuilder()
            .setTenant(tenant)
            .setAt(now)
            .setRollout(rollout)
            .setRelease(release)
            .setPlan(
                PlanSpec.newBuilder()
                    .setWaves(
                        List.of(
                            WaveSpec.newBuilder()
                                .setName(id("w1"))
                                .setSelector(Map.of("env", dev))
                                .setBake("PT87600H")
                                .build(),
                            WaveSpec.newBuilder().setName(id("w2")).build()))
                    .setLimits(Map.of("cpu", Double.MAX_VALUE, name(128), Double.MIN_VALUE))
                    .build())
            .build());
    // the rollout's id, 128 characters of the whole alphabet, is reachable at its path as it is
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> server.get(operator, api("/rollouts/" + rollout + "/ledger")).body(),
            body -> body.contains("WaveStarted"));

    send(
        Topics.TELEMETRY,
        hosts.get(0),
        UpdateApplied.newBuilder()
            .setTenant(tenant)
            .setAt(now)
            .setHost(hosts.get(0))
            .setRelease(release)
            .setOk(true)
            .setError(text(1024))
            .build());
    send(
        Topics.TELEMETRY,
        hosts.get(0),
        Heartbeat.newBuilder()
            .setTenant(tenant)
            .setAt(now)
            .setHost(hosts.get(0))
            .setRelease(release)
            .setMetrics(
                Map.of(
                    "cpu",
                    Double.MAX_VALUE,
                    "tiny",
                    Double.MIN_VALUE,
                    "neg",
                    -Double.MAX_VALUE,
                    name(128),
                    -0.0))
            .build());
    send(
        Topics.TELEMETRY,
        hosts.get(1),
        CrashReport.newBuilder()
            .setTenant(tenant)
            .setAt(now)
            .setHost(hosts.get(1))
            .setRelease(release)
            .setSignature(name(1024))
            .setKind(name(128))
            .build());
    String[] log = new String[1];
    awaitExport(log, "\"input\":\"UpdateApplied\"", "\"input\":\"CrashReport\"");
    // the latest time a door takes, with the longest reason
    send(
        Topics.ROLLOUT_CONTROL,
        rollout,
        ManualHalt.newBuilder()
            .setTenant(tenant)
            .setAt(LATEST)
            .setRollout(rollout)
            .setBy(id("b"))
            .setReason(text(1024))
            .build());
    // halted by the crash (the gate) or by the manual halt: a halt either way
    awaitExport(log, "\"input\":\"ManualHalt\"", "\"decision\":\"RolloutHalted\"");

    RolloutReplay.Verified v =
        RolloutReplay.verify(
            new ByteArrayInputStream(log[0].getBytes(StandardCharsets.UTF_8)), bytes -> {});

    assertThat(v.decisions()).isGreaterThanOrEqualTo(2); // WaveStarted, ..., RolloutHalted
    assertThat(v.inputs()).isGreaterThanOrEqualTo(8);
    List<String> lines = List.of(log[0].split("\n"));
    assertThat(lines).filteredOn(l -> l.startsWith("{\"input\":\"HostRegistered\"")).hasSize(3);
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("{\"input\":\"HostRegistered\"")
                    .contains("1970-01-01T00:00:00Z"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("{\"input\":\"ManualHalt\"")
                    .contains("9999-12-31T23:59:59.999Z")
                    .contains("\\uD83D\\uDE80"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("{\"input\":\"RolloutPlanned\"")
                    .contains("1.7976931348623157E308")
                    .contains("4.9E-324"));
  }

  /** Exports until the log holds every one of {@code parts}; the last export in {@code log[0]}. */
  private void awaitExport(String[] log, String... parts) {
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              log[0] = export();
              return List.of(parts).stream().allMatch(log[0]::contains);
            });
  }

  private String api(String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  private String export() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RolloutExport.export(
        new RolloutExport.Source(
            TestKafka.bootstrapServers(), server.bean(SchemaRegistry.class), applicationId),
        tenant,
        rollout,
        out,
        (offset, end) -> {});
    return out.toString(StandardCharsets.UTF_8);
  }

  private void send(TopicDescriptor<String, ?> topic, String id, SpecificRecord value)
      throws Exception {
    @SuppressWarnings("unchecked")
    var serializer =
        ((TopicDescriptor<String, SpecificRecord>) topic)
            .valueSerde(server.bean(SchemaRegistry.class))
            .serializer();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  topic.name(), Keys.of(tenant, id), serializer.serialize(topic.name(), value)))
          .get();
    }
  }
}
