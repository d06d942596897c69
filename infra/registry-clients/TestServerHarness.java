import dev.rolloutledger.server.TestServer;
import dev.rolloutledger.server.auth.Role;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A throwaway server for run.sh without touching port 8080: the integration tests' TestServer (an
 * embedded broker of its own, HTTP on a random loopback port). Writes REGISTRY_URL, ADMIN_TOKEN
 * and VIEWER_TOKEN to DIR/env, then runs until DIR/stop exists. See docs/registry.md.
 *
 * <p>{@code java -cp <services/server test classpath> TestServerHarness.java DIR}
 */
public class TestServerHarness {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    TestServer server =
        new TestServer("registry-clients-" + System.nanoTime(), Files.createTempDirectory("ledger-rc"));
    String admin = server.token("demo", Role.ADMIN);
    String viewer = server.token("demo", Role.VIEWER);
    Path env = dir.resolve("env");
    Files.writeString(
        env,
        "REGISTRY_URL=" + server.url("/registry") + "\nADMIN_TOKEN=" + admin + "\nVIEWER_TOKEN="
            + viewer + "\n");
    System.out.println("ready: " + server.url("/registry") + " (tokens in " + env + ")");
    while (!Files.exists(dir.resolve("stop"))) {
      Thread.sleep(500);
    }
    server.close();
    System.exit(0);
  }
}
