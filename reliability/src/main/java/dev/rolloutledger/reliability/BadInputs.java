package dev.rolloutledger.reliability;

import static dev.rolloutledger.reliability.Api.str;

import dev.rolloutledger.avro.ClockTick;
import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.avro.Heartbeat;
import dev.rolloutledger.avro.HostRegistered;
import dev.rolloutledger.avro.ManualHalt;
import dev.rolloutledger.avro.ReleasePublished;
import dev.rolloutledger.avro.Severity;
import dev.rolloutledger.avro.UpdateApplied;
import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Seeded generators of bad inputs: HTTP bodies each route must refuse with a 4xx, and records for
 * every input topic that the topology must dead-letter (or, at worst, accept harmlessly). Each has
 * a kind, so a finding names what was sent.
 */
public final class BadInputs {
  /** One bad HTTP request: {@code path} under the tenant, a body. */
  public record HttpCase(String kind, String path, byte[] body) {}

  /** One bad record for {@code topic}. */
  public record KafkaCase(String kind, String topic, String key, byte[] value) {}

  static final List<String> BAD_IDS =
      List.of("a/b", "nul\u0000id", "tab\tid", "x".repeat(200), "", " ", "new\nline", "semi;colon");

  private final SplittableRandom random;
  private final SchemaRegistry registry;

  public BadInputs(long seed, SchemaRegistry registry) {
    this.random = new SplittableRandom(seed);
    this.registry = registry;
  }

  private <T> T pick(List<T> l) {
    return l.get(random.nextInt(l.size()));
  }

  // ---------------------------------------------------------------- HTTP

  public HttpCase http() {
    String id = pick(BAD_IDS);
    String big = "y".repeat(1025 + random.nextInt(2000));
    List<HttpCase> cases =
        List.of(
            tel("bad id", "[{\"type\":\"heartbeat\",\"host\":" + str(id) + "}]"),
            tel(
                "infinite metric",
                "[{\"type\":\"heartbeat\",\"host\":\"h\",\"metrics\":{\"cpu\":1e999}}]"),
            tel(
                "NaN metric",
                "[{\"type\":\"heartbeat\",\"host\":\"h\",\"metrics\":{\"cpu\":NaN}}]"),
            tel(
                "overflowing at",
                "[{\"type\":\"heartbeat\",\"host\":\"h\",\"at\":\"+999999999-12-31T23:59:59Z\"}]"),
            tel("unknown type", "[{\"type\":\"reboot\",\"host\":\"h\"}]"),
            tel("unknown field", "[{\"type\":\"heartbeat\",\"host\":\"h\",\"colour\":\"red\"}]"),
            tel("number as id", "[{\"type\":\"heartbeat\",\"host\":5}]"),
            tel(
                "string as boolean",
                "[{\"type\":\"applied\",\"host\":\"h\",\"release\":\"r\",\"ok\":\"true\"}]"),
            tel("trailing data", "[{\"type\":\"heartbeat\",\"host\":\"h\"}] []"),
            tel("truncated", "[{\"type\":\"heartbeat\",\"host\":\"h\""),
            tel("not an array", "{\"type\":\"heartbeat\",\"host\":\"h\"}"),
            tel("field twice", "[{\"type\":\"heartbeat\",\"host\":\"h\",\"host\":\"g\"}]"),
            tel(
                "long signature",
                "[{\"type\":\"crash\",\"host\":\"h\",\"release\":\"r\",\"signature\":"
                    + str(big)
                    + "}]"),
            tel("silent without lastSeenAt", "[{\"type\":\"silent\",\"host\":\"h\"}]"),
            tel("random bytes", randomText()),
            new HttpCase("hosts: bad id", "/hosts", body("[{\"host\":" + str(id) + "}]")),
            new HttpCase(
                "hosts: long label",
                "/hosts",
                body("[{\"host\":\"h\",\"labels\":{\"k\":" + str(big) + "}}]")),
            new HttpCase(
                "hosts: label not a string",
                "/hosts",
                body("[{\"host\":\"h\",\"labels\":{\"k\":1}}]")),
            new HttpCase(
                "releases: bad sha256",
                "/releases",
                body(
                    "{\"release\":\"r\",\"artifact\":\"a\",\"version\":\"1\",\"sha256\":\"xyz\",\"publisher\":\"p\"}")),
            new HttpCase(
                "releases: bad id",
                "/releases",
                body(
                    "{\"release\":"
                        + str(id)
                        + ",\"artifact\":\"a\",\"version\":\"1\",\"sha256\":\""
                        + "a".repeat(64)
                        + "\",\"publisher\":\"p\"}")),
            new HttpCase("releases: missing field", "/releases", body("{\"release\":\"r\"}")),
            new HttpCase(
                "rollouts: no waves",
                "/rollouts",
                body("{\"release\":\"r\",\"plan\":{\"waves\":[]}}")),
            new HttpCase(
                "rollouts: negative bake",
                "/rollouts",
                body(
                    "{\"release\":\"r\",\"plan\":{\"waves\":[{\"name\":\"w\",\"bake\":\"-PT5S\"}]}}")),
            new HttpCase(
                "rollouts: percent 101",
                "/rollouts",
                body(
                    "{\"release\":\"r\",\"plan\":{\"waves\":[{\"name\":\"w\",\"percent\":101}]}}")),
            new HttpCase(
                "rollouts: hosts and percent",
                "/rollouts",
                body(
                    "{\"release\":\"r\",\"plan\":{\"waves\":[{\"name\":\"w\",\"hosts\":1,\"percent\":5}]}}")),
            new HttpCase(
                "rollouts: unknown plan field",
                "/rollouts",
                body(
                    "{\"release\":\"r\",\"plan\":{\"waves\":[{\"name\":\"w\",\"bakee\":\"PT1S\"}]}}")),
            new HttpCase(
                "rollouts: bad alpha",
                "/rollouts",
                body("{\"release\":\"r\",\"plan\":{\"alpha\":0.9,\"waves\":[{\"name\":\"w\"}]}}")),
            new HttpCase(
                "rollouts: bad id",
                "/rollouts",
                body("{\"rollout\":" + str(id) + ",\"release\":\"r\"}")),
            new HttpCase("rollouts: random bytes", "/rollouts", body(randomText())));
    return pick(cases);
  }

  private static HttpCase tel(String kind, String json) {
    return new HttpCase("telemetry: " + kind, "/telemetry", body(json));
  }

  private static byte[] body(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private String randomText() {
    byte[] b = new byte[1 + random.nextInt(200)];
    random.nextBytes(b);
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  // ---------------------------------------------------------------- Kafka

  /** A bad record for one of the input topics, for one of {@code tenants}. */
  public KafkaCase kafka(List<String> tenants) {
    String tenant = pick(tenants);
    String other = tenants.get((tenants.indexOf(tenant) + 1) % tenants.size());
    String id = pick(BAD_IDS);
    long at = Instant.now().toEpochMilli();
    int n = random.nextInt(12);
    switch (n) {
      case 0:
        return new KafkaCase("garbage bytes", pickTopic(), tenant + "/x", randomBytes());
      case 1:
        return new KafkaCase(
            "unknown schema id",
            pickTopic(),
            tenant + "/x",
            new byte[] {0, 0x7f, 0x7f, 0x7f, 1, 2});
      case 2:
        return avro(
            "telemetry: NaN metric",
            Topics.TELEMETRY,
            tenant,
            "h1",
            heartbeat(tenant, "h1", at, Double.NaN));
      case 3:
        return avro(
            "telemetry: infinite metric",
            Topics.TELEMETRY,
            tenant,
            "h1",
            heartbeat(tenant, "h1", at, Double.POSITIVE_INFINITY));
      case 4:
        return avro(
            "telemetry: bad host id",
            Topics.TELEMETRY,
            tenant,
            "h1",
            heartbeat(tenant, id, at, 0.1));
      case 5:
        return avro(
            "telemetry: negative time",
            Topics.TELEMETRY,
            tenant,
            "h1",
            CrashReport.newBuilder()
                .setTenant(tenant)
                .setAt(Instant.ofEpochMilli(-5_000))
                .setHost("h1")
                .setRelease("rel-1")
                .setSignature("s")
                .setKind("crash")
                .build());
      case 6:
        return avro(
            "hosts: key tenant differs from value tenant",
            Topics.HOSTS,
            tenant,
            "h1",
            HostRegistered.newBuilder()
                .setTenant(other)
                .setAt(Instant.ofEpochMilli(at))
                .setHost("h1")
                .setLabels(Map.of("batch", "fuzz"))
                .build());
      case 7:
        return avro(
            "hosts: bad host id",
            Topics.HOSTS,
            tenant,
            "h1",
            HostRegistered.newBuilder()
                .setTenant(tenant)
                .setAt(Instant.ofEpochMilli(at))
                .setHost(id)
                .setLabels(Map.of())
                .build());
      case 8:
        return avro(
            "releases: bad release id",
            Topics.RELEASES,
            tenant,
            "rel-x",
            ReleasePublished.newBuilder()
                .setTenant(tenant)
                .setAt(Instant.ofEpochMilli(at))
                .setRelease(id)
                .setArtifact("a")
                .setVersion("1")
                .setSha256("a".repeat(64))
                .setPublisher("p")
                .setSeverity(Severity.NORMAL)
                .build());
      case 9:
        return avro(
            "rollout-control: halt of a bad rollout id",
            Topics.ROLLOUT_CONTROL,
            tenant,
            "r-x",
            ManualHalt.newBuilder()
                .setTenant(tenant)
                .setAt(Instant.ofEpochMilli(at))
                .setRollout(id)
                .setBy("fuzz")
                .setReason("fuzz")
                .build());
      case 10:
        {
          KafkaCase c =
              avro(
                  "clock: negative tick",
                  Topics.CLOCK,
                  tenant,
                  "clock",
                  ClockTick.newBuilder().setAt(Instant.ofEpochMilli(-1_000)).build());
          return new KafkaCase(c.kind(), c.topic(), "clock", c.value());
        }
      default:
        {
          // a valid record with bytes after it, or an event of another topic's type
          if (random.nextBoolean()) {
            KafkaCase c =
                avro(
                    "telemetry: bytes after a valid record",
                    Topics.TELEMETRY,
                    tenant,
                    "h1",
                    UpdateApplied.newBuilder()
                        .setTenant(tenant)
                        .setAt(Instant.ofEpochMilli(at))
                        .setHost("h1")
                        .setRelease("rel-1")
                        .setOk(true)
                        .build());
            byte[] v = Arrays.copyOf(c.value(), c.value().length + 3);
            return new KafkaCase(c.kind(), c.topic(), c.key(), v);
          }
          KafkaCase c =
              avro(
                  "a release sent to the telemetry topic",
                  Topics.RELEASES,
                  tenant,
                  "rel-y",
                  ReleasePublished.newBuilder()
                      .setTenant(tenant)
                      .setAt(Instant.ofEpochMilli(at))
                      .setRelease("rel-y")
                      .setArtifact("a")
                      .setVersion("1")
                      .setSha256("a".repeat(64))
                      .setPublisher("p")
                      .setSeverity(Severity.NORMAL)
                      .build());
          return new KafkaCase(c.kind(), Topics.TELEMETRY.name(), tenant + "/h1", c.value());
        }
    }
  }

  private String pickTopic() {
    return pick(
        List.of(
            Topics.HOSTS.name(),
            Topics.RELEASES.name(),
            Topics.ROLLOUT_CONTROL.name(),
            Topics.TELEMETRY.name(),
            Topics.CLOCK.name()));
  }

  private byte[] randomBytes() {
    byte[] b = new byte[1 + random.nextInt(100)];
    random.nextBytes(b);
    return b;
  }

  private static Heartbeat heartbeat(String tenant, String host, long at, double cpu) {
    return Heartbeat.newBuilder()
        .setTenant(tenant)
        .setAt(Instant.ofEpochMilli(at))
        .setHost(host)
        .setMetrics(Map.of("cpu", cpu))
        .build();
  }

  @SuppressWarnings("unchecked")
  private KafkaCase avro(
      String kind, TopicDescriptor<String, ?> topic, String tenant, String id, SpecificRecord v) {
    Serializer<SpecificRecord> s =
        (Serializer<SpecificRecord>) (Serializer<?>) topic.valueSerde(registry).serializer();
    return new KafkaCase(kind, topic.name(), tenant + "/" + id, s.serialize(topic.name(), v));
  }
}
