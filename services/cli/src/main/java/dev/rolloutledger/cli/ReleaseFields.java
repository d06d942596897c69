package dev.rolloutledger.cli;

import dev.rolloutledger.domain.Severity;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * What names a release's artifact, shared by {@code ledger release publish} and {@code ledger
 * release sign}: its file or digest, name, version and severity.
 */
final class ReleaseFields {
  @Option(
      names = "--file",
      paramLabel = "ARTIFACT",
      description = "The artifact file (its SHA-256 goes into the release).")
  Path file;

  @Option(names = "--sha256", description = "The artifact's SHA-256 (hex), instead of --file.")
  String sha256;

  @Option(names = "--artifact", defaultValue = "artifact", description = "Artifact name.")
  String artifact;

  @Option(names = "--version", description = "Version (default: the release id).")
  String version;

  @Option(
      names = "--emergency",
      description = "Severity EMERGENCY: same waves, compressed bakes (signed, when signed).")
  boolean emergency;

  /** True when neither --file nor --sha256 was given. */
  boolean noArtifact() {
    return file == null && sha256 == null;
  }

  /** The artifact's SHA-256: given, or computed from the file; exactly one of them. */
  String digest() throws IOException {
    if ((file == null) == (sha256 == null)) {
      throw new LedgerCli.UsageProblem("give exactly one of --file ARTIFACT and --sha256 HEX");
    }
    if (sha256 != null) {
      return sha256;
    }
    try {
      return dev.rolloutledger.agent.Artifacts.sha256(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new LedgerCli.UsageProblem("artifact file " + file + " not found");
    }
  }

  String version(String release) {
    return version == null ? release : version;
  }

  Severity severity() {
    return emergency ? Severity.EMERGENCY : Severity.NORMAL;
  }
}
