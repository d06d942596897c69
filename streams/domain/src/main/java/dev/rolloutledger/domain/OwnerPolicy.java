package dev.rolloutledger.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The fleet owner's policy for a tenant, enforced by the engine and stronger than any publisher's
 * request. It may hold a release back; it never holds back a HALT.
 *
 * @param pin stay on this release: rollouts of any other release are refused (e.g. pin N-1)
 * @param paused no dispatch and no promotion for any rollout of the tenant
 * @param windows dispatch and promotion only inside one of these (none = any time), each in its own
 *     time zone ({@link MaintenanceWindow#zone()}, UTC by default)
 * @param delay no host applies a release sooner than this after it was published
 * @param allowedPublishers rollouts only of releases sent under these publisher names (none = any):
 *     the operator's word, since any token that may publish names the publisher it likes
 * @param by who set it
 * @param trustedPublishers rollouts only of releases signed by one of these keys (none = the
 *     operator's word is trusted: see {@link #trustsOperatorWord}); a signed release is shown under
 *     the name given here to its key. Not together with {@code allowedPublishers}.
 */
public record OwnerPolicy(
    String tenant,
    String pin,
    boolean paused,
    List<MaintenanceWindow> windows,
    Duration delay,
    List<String> allowedPublishers,
    String by,
    List<TrustedPublisher> trustedPublishers) {

  /**
   * A publisher the owner trusts: the name its releases are shown under, and its Ed25519 public key
   * (X.509 DER in base64, as {@code ledger release keygen} prints it). One name may have several
   * keys (a publisher rotating its key lists the new one beside the old); a key has one name.
   */
  public record TrustedPublisher(String name, String publicKey) {
    /** The X.509 DER header of every Ed25519 public key: the raw 32-byte key follows it. */
    private static final byte[] ED25519_X509_PREFIX = {
      0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
    };

    public TrustedPublisher {
      Checks.id("name", name);
      Checks.id("publicKey", publicKey);
      byte[] der;
      try {
        der = Base64.getDecoder().decode(publicKey);
      } catch (IllegalArgumentException e) {
        der = new byte[0];
      }
      if (der.length != ED25519_X509_PREFIX.length + 32
          || !Arrays.equals(
              der,
              0,
              ED25519_X509_PREFIX.length,
              ED25519_X509_PREFIX,
              0,
              ED25519_X509_PREFIX.length)) {
        throw new InvalidFieldException(
            "publicKey", "must be an Ed25519 public key, X.509 DER in base64 (44 bytes)");
      }
    }

    /** The key's id, as {@code ledger release keygen} and the ledger show it. */
    public String keyId() {
      return PublisherSignatures.keyId(publicKey);
    }
  }

  public OwnerPolicy {
    Checks.tenant(tenant);
    Checks.optionalId("pin", pin);
    windows = List.copyOf(Checks.present("windows", windows));
    Checks.present("delay", delay);
    if (delay.isNegative()) {
      throw new InvalidFieldException("delay", "must not be negative");
    }
    allowedPublishers = Checks.ids("allowedPublishers", allowedPublishers);
    Checks.id("by", by);
    Checks.present("trustedPublishers", trustedPublishers);
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < trustedPublishers.size(); i++) {
      TrustedPublisher t = trustedPublishers.get(i);
      String at = "trustedPublishers[" + i + "]";
      if (t == null) {
        throw new InvalidFieldException(at, "must be an object");
      }
      if (!keys.add(t.publicKey())) {
        throw new InvalidFieldException(at + ".publicKey", "is listed twice");
      }
    }
    trustedPublishers = List.copyOf(trustedPublishers);
    if (!trustedPublishers.isEmpty() && !allowedPublishers.isEmpty()) {
      throw new InvalidFieldException(
          "allowedPublishers",
          "must be empty when trustedPublishers is set: a signed release's publisher is the name"
              + " its key has in trustedPublishers");
    }
  }

  /** A policy without trusted publishers: the operator's word decides who published a release. */
  public OwnerPolicy(
      String tenant,
      String pin,
      boolean paused,
      List<MaintenanceWindow> windows,
      Duration delay,
      List<String> allowedPublishers,
      String by) {
    this(tenant, pin, paused, windows, delay, allowedPublishers, by, List.of());
  }

  /**
   * True when no trusted publisher is listed: a release is then accepted on the publisher name an
   * operator's token sent, which proves nothing about who made it.
   */
  public boolean trustsOperatorWord() {
    return trustedPublishers.isEmpty();
  }

  /** {@code signed} or {@code operator-word}: how this policy knows who published a release. */
  public String publisherTrust() {
    return trustsOperatorWord() ? "operator-word" : "signed";
  }

  /** {@link #publisherTrust} in a sentence, as the API, the CLI and the dashboard show it. */
  public String publisherTrustSays() {
    if (trustsOperatorWord()) {
      return "No trusted publishers: this policy trusts the operator's word. A release is taken"
          + " under whatever publisher name the token that published it gave, and nothing proves"
          + " who made it. List publishers' keys in trustedPublishers to take only signed"
          + " releases.";
    }
    return "Only releases signed by a trusted publisher's key may be rolled out ("
        + trusted()
        + "); a release is shown under the name its key has here.";
  }

  /** The trusted publisher with this key (X.509 DER in base64), if the policy lists it. */
  public Optional<TrustedPublisher> trustedPublisher(String publicKey) {
    if (publicKey == null) {
      return Optional.empty();
    }
    return trustedPublishers.stream().filter(t -> t.publicKey().equals(publicKey)).findFirst();
  }

  /** No constraint: what a tenant without a policy gets. */
  public static OwnerPolicy none(String tenant) {
    return new OwnerPolicy(
        tenant, null, false, List.of(), Duration.ZERO, List.of(), "default", List.of());
  }

  /** Why a rollout of this release is refused, or null if the policy allows it. */
  public String refusal(ReleaseInfo release) {
    if (pin != null && !pin.equals(release.release())) {
      return "tenant is pinned to release " + pin;
    }
    if (!trustedPublishers.isEmpty()) {
      return untrusted(release);
    }
    if (!allowedPublishers.isEmpty() && !allowedPublishers.contains(release.publisher())) {
      return "publisher " + release.publisher() + " is not allowed by the owner's policy";
    }
    return null;
  }

  private String untrusted(ReleaseInfo release) {
    if (!release.signed()) {
      return "release "
          + release.release()
          + " is not signed; the owner's policy takes only releases signed by a trusted"
          + " publisher ("
          + trusted()
          + ")";
    }
    if (trustedPublisher(release.publisherKey()).isEmpty()) {
      return "release "
          + release.release()
          + " is signed by key "
          + PublisherSignatures.keyId(release.publisherKey())
          + ", which is not a trusted publisher of the owner's policy ("
          + trusted()
          + ")";
    }
    return null;
  }

  private String trusted() {
    List<String> named = new ArrayList<>();
    for (TrustedPublisher t : trustedPublishers) {
      named.add(t.name() + " key " + t.keyId());
    }
    return String.join(", ", named);
  }

  /** Whether updates may move (dispatch, promotion) at {@code at}. */
  public boolean open(Instant at) {
    return !paused && (windows.isEmpty() || windows.stream().anyMatch(w -> w.contains(at)));
  }

  /** Whether a host may receive a release published at {@code publishedAt}, at {@code at}. */
  public boolean allowsDispatch(Instant at, Instant publishedAt) {
    return open(at) && !at.isBefore(publishedAt.plus(delay));
  }
}
