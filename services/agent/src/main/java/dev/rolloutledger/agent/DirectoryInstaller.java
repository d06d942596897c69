package dev.rolloutledger.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/**
 * The installer of {@code ledger agent}: a release's artifact is the file named after the release
 * in an artifact directory (where a vendor's download or a package mirror puts it). Applying checks
 * its SHA-256 against the signed command's, copies it into the install directory and then points
 * {@code current} at it with an atomic rename; a rollback points {@code current} back. A real host
 * would restart a service here; the file swap is the part every installer shares.
 */
public final class DirectoryInstaller implements Installer {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  private final Path artifacts;
  private final Path installDir;

  public DirectoryInstaller(Path artifacts, Path installDir) {
    this.artifacts = artifacts;
    this.installDir = installDir;
  }

  @Override
  public void apply(String release, String sha256) throws InstallException {
    if (!ID.matcher(release).matches() || release.startsWith(".")) {
      throw new InstallException("release id '" + release + "' is not a safe file name");
    }
    if (sha256 == null || !HEX64.matcher(sha256).matches()) {
      throw new InstallException("the command carries no SHA-256 to check the artifact against");
    }
    Path artifact = artifacts.resolve(release);
    if (!Files.isRegularFile(artifact)) {
      throw new InstallException("artifact " + artifact + " not found");
    }
    String actual = sha256(artifact);
    if (!actual.equals(sha256)) {
      throw new InstallException(
          "artifact " + artifact + " has SHA-256 " + actual + ", the command says " + sha256);
    }
    try {
      Files.createDirectories(installDir);
      Path staged = installDir.resolve(release + ".staged");
      Files.copy(artifact, staged, StandardCopyOption.REPLACE_EXISTING);
      if (!sha256(staged).equals(sha256)) {
        throw new InstallException("the copy of " + artifact + " changed on the way");
      }
      Files.move(staged, installDir.resolve(release), StandardCopyOption.REPLACE_EXISTING);
      point(release);
    } catch (IOException e) {
      throw new InstallException("cannot install " + release + ": " + e.getMessage());
    }
  }

  @Override
  public void rollback(String release) throws InstallException {
    if (!Files.isRegularFile(installDir.resolve(release))) {
      throw new InstallException("release " + release + " is not installed here any more");
    }
    try {
      point(release);
    } catch (IOException e) {
      throw new InstallException("cannot roll back to " + release + ": " + e.getMessage());
    }
  }

  /** The release {@code current} names, if any. */
  public String current() throws IOException {
    Path current = installDir.resolve("current");
    return Files.exists(current) ? Files.readString(current).strip() : null;
  }

  private void point(String release) throws IOException {
    Path tmp = installDir.resolve("current.tmp");
    Files.writeString(tmp, release + "\n");
    Files.move(
        tmp,
        installDir.resolve("current"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  private static String sha256(Path file) throws InstallException {
    try {
      return Artifacts.sha256(file);
    } catch (IOException e) {
      throw new InstallException("cannot read " + file + ": " + e.getMessage());
    }
  }
}
