import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.HttpSchemaRegistryClient;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Reads the bytes the Python and Node clients wrote with the server's own telemetry serde
 * (ConfluentAvroSerde, the deserializer the topology uses), and checks that the Python bytes are
 * exactly what that serde writes for the same CrashReport.
 *
 * <p>Run with the source launcher: {@code java -cp <schemas classpath> WireCheck.java URL TOKEN
 * DIR}.
 */
public class WireCheck {
  public static void main(String[] args) throws Exception {
    try (SchemaRegistry registry = HttpSchemaRegistryClient.withBearerToken(args[0], args[1])) {
      Serde<SpecificRecord> serde = Topics.TELEMETRY.valueSerde(registry);
      String topic = Topics.TELEMETRY.name();
      for (String file : new String[] {"python-crash.bin", "node-crash.bin"}) {
        byte[] bytes = Files.readAllBytes(Path.of(args[2], file));
        SpecificRecord read = serde.deserializer().deserialize(topic, bytes);
        System.out.println("java: " + file + " reads as " + read.getSchema().getName() + " " + read);
        if (!(read instanceof CrashReport)) {
          throw new AssertionError(file + " did not read as a CrashReport");
        }
      }
      CrashReport same =
          CrashReport.newBuilder()
              .setTenant("demo")
              .setAt(Instant.parse("2026-12-07T12:00:00Z"))
              .setHost("host-7")
              .setRelease("cf-291")
              .setSignature("PAGE_FAULT_IN_NONPAGED_AREA")
              .setKind("BSOD")
              .build();
      byte[] ours = serde.serializer().serialize(topic, same);
      boolean identical =
          Arrays.equals(ours, Files.readAllBytes(Path.of(args[2], "python-crash.bin")));
      System.out.println("java: python bytes identical to ConfluentAvroSerde's: " + identical);
      if (!identical) {
        throw new AssertionError("the Python client wrote other bytes than our serde");
      }
    }
  }
}
