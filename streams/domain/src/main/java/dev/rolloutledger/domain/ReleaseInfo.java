package dev.rolloutledger.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A published release, as stored.
 *
 * @param publisher for an unsigned release, the name its sender gave (the operator's word); for a
 *     signed one, the name the owner's policy gave its key when it was published, or {@code key-}
 *     and the key's id when the policy did not list it
 * @param publisherKey the key whose signature verified (X.509 DER, base64); null when unsigned
 * @param signature that signature (base64), kept for auditors; null when unsigned
 */
public record ReleaseInfo(
    String tenant,
    String release,
    String artifact,
    String version,
    String sha256,
    String publisher,
    Severity severity,
    Instant publishedAt,
    String publisherKey,
    String signature) {

  public ReleaseInfo {
    Checks.tenant(tenant);
    Checks.id("release", release);
    Checks.id("artifact", artifact);
    Checks.id("version", version);
    sha256 = Checks.sha256("sha256", sha256);
    Checks.id("publisher", publisher);
    Checks.present("severity", severity);
    Checks.present("publishedAt", publishedAt);
    if ((publisherKey == null) != (signature == null)) {
      throw new InvalidFieldException("signature", "must be given with publisherKey");
    }
  }

  /** An unsigned release. */
  public ReleaseInfo(
      String tenant,
      String release,
      String artifact,
      String version,
      String sha256,
      String publisher,
      Severity severity,
      Instant publishedAt) {
    this(tenant, release, artifact, version, sha256, publisher, severity, publishedAt, null, null);
  }

  /**
   * The release as the engine stores it: an unsigned one under the name it was sent with, a signed
   * one under the name {@code policy} gives its key (never the name in the body).
   */
  public static ReleaseInfo of(ReleasePublished published, OwnerPolicy policy) {
    String publisher =
        published.signed()
            ? policy
                .trustedPublisher(published.publisherKey())
                .map(OwnerPolicy.TrustedPublisher::name)
                .orElse("key-" + PublisherSignatures.keyId(published.publisherKey()))
            : published.publisher();
    return new ReleaseInfo(
        published.tenant(),
        published.release(),
        published.artifact(),
        published.version(),
        published.sha256(),
        publisher,
        published.severity(),
        published.at(),
        published.publisherKey(),
        published.signature());
  }

  public boolean signed() {
    return signature != null;
  }

  /**
   * Same artifact, version, digest and severity, and the same signing key (or, unsigned, the same
   * publisher name): a harmless re-publication.
   */
  public boolean sameContentAs(ReleasePublished published) {
    return artifact.equals(published.artifact())
        && version.equals(published.version())
        && sha256.equals(published.sha256())
        && severity == published.severity()
        && Objects.equals(publisherKey, published.publisherKey())
        && (signed() || publisher.equals(published.publisher()));
  }
}
