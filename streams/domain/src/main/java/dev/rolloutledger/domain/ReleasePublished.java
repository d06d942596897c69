package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * A release became available; {@code sha256} is stored in lower case.
 *
 * <p>A signed release carries its publisher's key and Ed25519 signature ({@link
 * PublisherSignatures}); it is built only when the signature verifies, so a signed release in the
 * engine is always a verified one. Whether the owner trusts that key is the policy's question
 * ({@link OwnerPolicy#refusal}), and the name the release is shown under comes from the key, not
 * from {@code publisher} (which, for a signed release, is only what the sender claimed).
 *
 * @param publisherKey the publisher's Ed25519 public key, X.509 DER in base64; null when unsigned
 * @param signature the signature over {@link PublisherSignatures#message}, base64; null when
 *     unsigned
 */
public record ReleasePublished(
    String tenant,
    Instant at,
    String release,
    String artifact,
    String version,
    String sha256,
    String publisher,
    Severity severity,
    String publisherKey,
    String signature)
    implements LedgerInput {

  public ReleasePublished {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("release", release);
    Checks.id("artifact", artifact);
    Checks.id("version", version);
    sha256 = Checks.sha256("sha256", sha256);
    Checks.id("publisher", publisher);
    Checks.present("severity", severity);
    if ((publisherKey == null) != (signature == null)) {
      throw publisherKey == null
          ? new InvalidFieldException("publisherKey", "must be given with signature")
          : new InvalidFieldException("signature", "must be given with publisherKey");
    }
    if (signature != null
        && !PublisherSignatures.verifies(
            PublisherSignatures.publicKey("publisherKey", publisherKey),
            PublisherSignatures.message(release, artifact, version, sha256, severity),
            signature)) {
      throw new InvalidFieldException(
          "signature",
          "does not verify with publisherKey over release, artifact, version, sha256 and"
              + " severity");
    }
  }

  /** An unsigned release: its publisher is the operator's word. */
  public ReleasePublished(
      String tenant,
      Instant at,
      String release,
      String artifact,
      String version,
      String sha256,
      String publisher,
      Severity severity) {
    this(tenant, at, release, artifact, version, sha256, publisher, severity, null, null);
  }

  public boolean signed() {
    return signature != null;
  }
}
