package dev.rolloutledger.loadtests;

import dev.rolloutledger.infra.BrokerOptions;
import dev.rolloutledger.infra.EmbeddedKafkaBroker;
import dev.rolloutledger.loadtests.fleet.FleetOptions;
import dev.rolloutledger.loadtests.fleet.FleetRun;
import dev.rolloutledger.loadtests.fleet.Machine;
import dev.rolloutledger.loadtests.fleet.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The fleet load benchmark: the full ledger topology (exactly_once_v2, configured as the server
 * configures it) on a real broker (the embedded KRaft broker in this JVM by default, or any cluster
 * by {@code --bootstrap-servers}), fed through the topic contract (Avro, Confluent wire format, the
 * embedded registry) by a simulated fleet.
 *
 * <ol>
 *   <li>Raw Kafka: the same keys and heartbeat bytes produced and consumed with no processing.
 *   <li>Setup: N hosts, a release and a rollout of them per load tenant; probe tenants (two hosts,
 *       both applied) on the same journal partition as the first load tenant.
 *   <li>Steps: heartbeats at rising rates, each for a fixed time; a step is kept up when the
 *       group's lag stays under two seconds of input through its second half. The sustained rate is
 *       the highest step kept up; stepping stops at the first step that is not.
 *   <li>Latency at 10/50/90% of the sustained rate: one probe tenant at a time gets the crash that
 *       tips its gate; measured from just before the send to the first Hold read by a
 *       read_committed consumer of {@code ledger.commands} (and to the RolloutHalted on {@code
 *       ledger.decisions}).
 *   <li>Memory: heap after GC before and after the fleet was registered, the state directory after
 *       the topology closed, and the hosts store's live bytes from its changelog.
 * </ol>
 *
 * Progress goes to the terminal only; the report goes to stdout. Every phase is bounded in time.
 * The phases are in {@code dev.rolloutledger.loadtests.fleet}, run in order by {@link FleetRun};
 * the command line is {@link FleetOptions#USAGE}.
 */
public final class FleetLoad {
  private FleetLoad() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    FleetOptions o;
    try {
      o = FleetOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Progress progress = new Progress(System.console() != null);
    Path work = Files.createTempDirectory("fleet-load");
    EmbeddedKafkaBroker broker = null;
    try {
      String bootstrap = o.bootstrapServers();
      if (bootstrap == null) {
        progress.say("starting the embedded broker");
        broker = EmbeddedKafkaBroker.start(BrokerOptions.of(work.resolve("broker")));
        bootstrap = broker.bootstrapServers();
      }
      new FleetRun(o, bootstrap, broker != null, work, progress, System.out, WRITES).run();
    } finally {
      progress.done();
      if (broker != null) {
        broker.close();
      }
      Machine.deleteTree(work);
    }
    System.exit(0); // Kafka's non-daemon threads of a closed broker must not keep the JVM
  }

  private static final FleetRun.WritesMeter WRITES =
      new FleetRun.WritesMeter() {
        @Override
        public Map<String, Long> snapshot(Admin admin, String appId) throws Exception {
          return KafkaWrites.snapshot(admin, appId);
        }

        @Override
        public String perThousand(
            Map<String, Long> before, Map<String, Long> after, long telemetry) {
          return KafkaWrites.perThousand(before, after, telemetry);
        }
      };
}
