package dev.rolloutledger.agent;

/** What actually changes the host: the agent calls it only for a verified command. */
public interface Installer {
  /**
   * Installs {@code release}, first checking that its artifact's SHA-256 is {@code sha256} (hex).
   *
   * @throws InstallException the artifact is missing, does not match, or cannot be installed
   */
  void apply(String release, String sha256) throws InstallException;

  /** Puts {@code release} (the one installed before the current one) back in place. */
  void rollback(String release) throws InstallException;

  /**
   * Why an install or a rollback did not happen; the message goes into the UpdateApplied report.
   */
  final class InstallException extends Exception {
    public InstallException(String message) {
      super(message);
    }
  }
}
