package dev.rolloutledger.domain;

import java.time.Instant;

/** A published release, as stored. */
public record ReleaseInfo(
    String tenant,
    String release,
    String artifact,
    String version,
    String sha256,
    String publisher,
    Severity severity,
    Instant publishedAt) {

  public ReleaseInfo {
    Checks.tenant(tenant);
    Checks.id("release", release);
    Checks.id("artifact", artifact);
    Checks.id("version", version);
    sha256 = Checks.sha256("sha256", sha256);
    Checks.id("publisher", publisher);
    Checks.present("severity", severity);
    Checks.present("publishedAt", publishedAt);
  }

  public static ReleaseInfo of(ReleasePublished published) {
    return new ReleaseInfo(
        published.tenant(),
        published.release(),
        published.artifact(),
        published.version(),
        published.sha256(),
        published.publisher(),
        published.severity(),
        published.at());
  }

  /** Same artifact, version, digest, publisher and severity: a harmless re-publication. */
  public boolean sameContentAs(ReleasePublished published) {
    return artifact.equals(published.artifact())
        && version.equals(published.version())
        && sha256.equals(published.sha256())
        && publisher.equals(published.publisher())
        && severity == published.severity();
  }
}
