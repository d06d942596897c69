package dev.rolloutledger.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.testing.DebianPackages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The offline bundle, kept from rotting by every {@code ./mvnw verify}: a bundle is staged from the
 * jars this build just made ({@code bundle.sh} with {@code LEDGER_SKIP_BUILD=1}: no second Maven
 * build; the SBOM of this module, {@code LEDGER_BUNDLE_SBOM}), signed with a throwaway key made
 * here (never the project's release key), then checked by the repository's own scripts: {@code
 * bundle-test.sh --dist --quick} (verify-bundle accepts it and refuses five tamperings; the
 * standard tool, {@code ssh-keygen -Y verify}, says Good) and {@code offline-install-test.sh} (no
 * network, no JDK, no Maven: up, the walkthrough halts r-291, down). Each script's output is
 * printed and kept in {@code target/bundle-it/}. Needs root (unshare); the Debian tools are
 * installed when absent ({@link DebianPackages}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BundleIT {
  private static final Path ROOT = Path.of(System.getProperty("bundle.root", "../..")).normalize();
  private static final Path WORK =
      Path.of(System.getProperty("bundle.work", "target/bundle-it")).toAbsolutePath();
  private static final Path DIST = WORK.resolve("dist");

  private static Path full;

  @BeforeAll
  static void stage_a_bundle_from_this_builds_jars() throws Exception {
    DebianPackages.ensure(() -> DebianPackages.onPath("ssh-keygen"), "openssh-client");
    DebianPackages.ensure(() -> DebianPackages.onPath("unzip"), "unzip");
    DebianPackages.ensure(() -> DebianPackages.onPath("curl"), "curl");
    DebianPackages.ensure(() -> DebianPackages.onPath("ip"), "iproute2");
    DebianPackages.ensure(() -> DebianPackages.onPath("unshare"), "util-linux");

    deleteRecursively(WORK);
    Files.createDirectories(WORK);
    Path key = WORK.resolve("throwaway-release-key");
    Result keygen =
        run(
            "keygen",
            Map.of(),
            "ssh-keygen",
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "release@rollout-ledger (BundleIT throwaway key)",
            "-f",
            key.toString());
    assertThat(keygen.code()).as(keygen.output()).isZero();

    String sbom = System.getProperty("bundle.sbom", "target/rollout-ledger.cdx.json");
    assertThat(Path.of(sbom))
        .as("this module's SBOM (cyclonedx makeBom at package; it needs Maven online: no -o)")
        .isNotEmptyFile();
    Result bundle =
        run(
            "bundle",
            Map.of(
                "LEDGER_SKIP_BUILD", "1",
                "LEDGER_BUNDLE_DIST", DIST.toString(),
                "LEDGER_RELEASE_KEY", key.toString(),
                "LEDGER_BUNDLE_SBOM", Path.of(sbom).toAbsolutePath().toString(),
                "JAVA_HOME", System.getProperty("java.home")),
            ROOT.resolve("infra/bundle/bundle.sh").toString());
    assertThat(bundle.code()).as(bundle.output()).isZero();
    try (Stream<Path> files = Files.list(DIST)) {
      List<Path> tarballs =
          files.filter(p -> p.getFileName().toString().endsWith("-linux-x86_64.tar.gz")).toList();
      assertThat(tarballs).as(bundle.output()).hasSize(2);
      full =
          tarballs.stream()
              .filter(p -> !p.getFileName().toString().startsWith("rollout-ledger-agent-"))
              .findFirst()
              .orElseThrow();
    }
  }

  @Test
  @Order(1)
  void the_bundle_ships_this_builds_jars_a_runtime_an_sbom_and_a_signature() throws Exception {
    Result listing = run("listing", Map.of(), "tar", "-tzf", full.toString());
    assertThat(listing.code()).isZero();
    String top = listing.output().lines().findFirst().orElseThrow().split("/")[0];
    assertThat(listing.output().lines().toList())
        .contains(
            top + "/bin/ledger",
            top + "/lib/ledger-server.jar",
            top + "/lib/ledger-cli.jar",
            top + "/lib/ledger-broker.jar",
            top + "/runtime/bin/java",
            top + "/sbom/rollout-ledger.cdx.json",
            top + "/licenses/LICENSES.txt",
            top + "/SHA256SUMS",
            top + "/SHA256SUMS.sig");

    // the server jar in the bundle is the one this build made, byte for byte
    Path built;
    try (Stream<Path> jars = Files.list(ROOT.resolve("services/server/target"))) {
      built =
          jars.filter(p -> p.getFileName().toString().matches("ledger-server-.*\\.jar"))
              .filter(p -> !p.getFileName().toString().matches(".*-(sources|tests|javadoc)\\.jar"))
              .findFirst()
              .orElseThrow();
    }
    Path shipped = WORK.resolve("shipped-ledger-server.jar");
    Result extract =
        run(
            "extract",
            Map.of(),
            "sh",
            "-c",
            "tar -xzOf \"$0\" \"$1\" > \"$2\"",
            full.toString(),
            top + "/lib/ledger-server.jar",
            shipped.toString());
    assertThat(extract.code()).as(extract.output()).isZero();
    assertThat(shipped).hasSameBinaryContentAs(built);

    // the SBOM describes every jar the bundle ships (LicenceList says so of one it does not)
    Result licences =
        run("licences", Map.of(), "tar", "-xzOf", full.toString(), top + "/licenses/LICENSES.txt");
    assertThat(licences.code()).isZero();
    assertThat(licences.output())
        .contains("ledger-server.jar")
        .contains("kafka-streams-")
        .doesNotContain("(not described by the SBOM)");
  }

  @Test
  @Order(2)
  void verify_bundle_accepts_it_refuses_tamperings_and_ssh_keygen_says_good() throws Exception {
    Result test =
        run(
            "bundle-test",
            Map.of(),
            ROOT.resolve("infra/bundle/bundle-test.sh").toString(),
            "--dist",
            DIST.toString(),
            "--quick");

    assertThat(test.code()).as(test.output()).isZero();
    assertThat(test.output())
        .contains("bundle-test: all PASS")
        .contains("PASS  verify-bundle accepts the bundle")
        .contains("PASS  ssh-keygen -Y verify: Good \"rollout-ledger-release\" signature")
        .contains("PASS  refused after one byte changed in lib/ledger-server.jar")
        .contains("PASS  refused after re-signed by another key");
    assertThat(test.output().lines().filter(l -> l.startsWith("FAIL"))).isEmpty();
    assertThat(test.output().lines().filter(l -> l.startsWith("PASS  refused after")))
        .as("five tamperings, each refused")
        .hasSize(5);
  }

  @Test
  @Order(3)
  void it_installs_and_runs_the_walkthrough_with_no_network_jdk_or_maven() throws Exception {
    Result install =
        run(
            "offline-install-test",
            Map.of(),
            ROOT.resolve("infra/bundle/offline-install-test.sh").toString(),
            full.toString(),
            DIST.resolve("allowed_signers").toString());

    assertThat(install.code()).as(install.output()).isZero();
    assertThat(install.output())
        .contains("network: 1.1.1.1:443 unreachable (only loopback)")
        .contains("RolloutHalted  wave staging  reason: crash fraction cap")
        .contains("OFFLINE INSTALL: OK");
  }

  private record Result(int code, String output) {}

  /**
   * Runs a command to its end (15 minutes at most), its output kept in WORK (a script's printed).
   */
  private static Result run(String name, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    Path log = WORK.resolve(name + ".log");
    ProcessBuilder b =
        new ProcessBuilder(new ArrayList<>(List.of(command)))
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    b.environment().putAll(env);
    long start = System.nanoTime();
    Process p = b.start();
    boolean done = p.waitFor(15, TimeUnit.MINUTES);
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    int code = done ? p.exitValue() : -1;
    // the scripts' steps, and whatever failed; not a tar listing that went well
    boolean print = code != 0 || command[0].endsWith(".sh");
    System.out.printf(
        "== BundleIT %s (%d s, exit %s)%n%s%n",
        name,
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
        done ? code : "timed out",
        print ? output : "(output in " + log + ")");
    return new Result(code, output);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
