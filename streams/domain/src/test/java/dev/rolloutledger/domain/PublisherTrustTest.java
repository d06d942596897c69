package dev.rolloutledger.domain;

import static dev.rolloutledger.domain.Scenario.TENANT;
import static dev.rolloutledger.domain.Scenario.hostsOf;
import static dev.rolloutledger.domain.Scenario.sha;
import static dev.rolloutledger.domain.Scenario.wave;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Issue 19, item 4: a release is rolled out only when a publisher the owner trusts signed it. */
class PublisherTrustTest {
  private static final KeyPair VENDOR = pair();
  private static final KeyPair STRANGER = pair();

  private static KeyPair pair() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String key(KeyPair pair) {
    return PublisherSignatures.base64(pair.getPublic());
  }

  private static String keyId(KeyPair pair) {
    return PublisherSignatures.keyId(pair.getPublic());
  }

  /** A release signed by {@code pair}, sent under the publisher name {@code claimed}. */
  private static ReleasePublished signed(Scenario s, String id, KeyPair pair, String claimed) {
    String signature =
        PublisherSignatures.sign(pair.getPrivate(), id, "sensor", "7.11", sha(id), Severity.NORMAL);
    return new ReleasePublished(
        TENANT,
        s.tick(),
        id,
        "sensor",
        "7.11",
        sha(id),
        claimed,
        Severity.NORMAL,
        key(pair),
        signature);
  }

  private static Decision trust(Scenario s, KeyPair... pairs) {
    List<OwnerPolicy.TrustedPublisher> trusted =
        java.util.Arrays.stream(pairs)
            .map(p -> new OwnerPolicy.TrustedPublisher(p == VENDOR ? "vendor" : "other", key(p)))
            .toList();
    return s.apply(
        new PolicySet(
            TENANT,
            s.tick(),
            new OwnerPolicy(
                TENANT, null, false, List.of(), Duration.ZERO, List.of(), "owner", trusted)));
  }

  private static RolloutHalted refusal(Decision d) {
    assertThat(d.commands()).isEmpty();
    assertThat(d.rejections()).isEmpty();
    assertThat(d.entries()).singleElement().isInstanceOf(RolloutHalted.class);
    RolloutHalted halted = (RolloutHalted) d.entries().get(0);
    assertThat(halted.reason()).isEqualTo(RolloutEngine.REFUSED);
    return halted;
  }

  @Nested
  class TheEngine {
    @Test
    void rolls_out_a_release_a_trusted_key_signed_under_the_name_the_policy_gives_that_key() {
      Scenario s = new Scenario().hosts("prod", "p1");
      trust(s, VENDOR);
      s.apply(signed(s, "cf-291", VENDOR, "someone-else")); // the body's name is not used

      Decision d = s.plan("r1", "cf-291", new Plan(List.of(wave("prod", "env", "prod"))));

      assertThat(d.entries()).singleElement().isInstanceOf(WaveStarted.class);
      assertThat(hostsOf(d.commands())).containsExactly("p1");
      ReleaseInfo stored = s.store.release(TENANT, "cf-291").orElseThrow();
      assertThat(stored.publisher()).isEqualTo("vendor");
      assertThat(stored.publisherKey()).isEqualTo(key(VENDOR));
    }

    @Test
    void refuses_an_unsigned_release_with_a_ledger_entry_saying_why_before_any_host_is_assigned() {
      Scenario s = new Scenario().hosts("prod", "p1");
      trust(s, VENDOR);
      s.release("cf-291"); // unsigned, "ci" by the operator's word

      Decision d = s.plan("r1", "cf-291", new Plan(List.of(wave("prod", "env", "prod"))));

      assertThat(refusal(d).evidence().get("refusal"))
          .isEqualTo(
              "release cf-291 is not signed; the owner's policy takes only releases signed by a"
                  + " trusted publisher (vendor key "
                  + keyId(VENDOR)
                  + ")");
      assertThat(s.hostRecord("p1").rollout()).isNull();
    }

    @Test
    void refuses_a_release_signed_by_a_key_the_owner_does_not_trust_naming_that_key() {
      Scenario s = new Scenario().hosts("prod", "p1");
      trust(s, VENDOR);
      s.apply(signed(s, "cf-291", STRANGER, "vendor")); // claims the trusted name

      Decision d = s.plan("r1", "cf-291", new Plan(List.of(wave("prod", "env", "prod"))));

      assertThat(refusal(d).evidence().get("refusal"))
          .contains("signed by key " + keyId(STRANGER))
          .contains("not a trusted publisher");
      assertThat(s.store.release(TENANT, "cf-291").orElseThrow().publisher())
          .isEqualTo("key-" + keyId(STRANGER));
    }

    @Test
    void halts_a_waiting_rollout_when_its_release_arrives_unsigned() {
      Scenario s = new Scenario().hosts("prod", "p1");
      trust(s, VENDOR);
      s.plan("r1", "cf-291", new Plan(List.of(wave("prod", "env", "prod"))));

      Decision d = s.release("cf-291");

      assertThat(refusal(d).evidence().get("refusal")).contains("is not signed");
    }

    @Test
    void judges_by_the_key_so_a_release_signed_before_its_key_was_trusted_rolls_out_after() {
      Scenario s = new Scenario().hosts("prod", "p1");
      trust(s, STRANGER);
      s.apply(signed(s, "cf-291", VENDOR, "vendor"));
      trust(s, STRANGER, VENDOR);

      Decision d = s.plan("r1", "cf-291", new Plan(List.of(wave("prod", "env", "prod"))));

      assertThat(d.entries()).singleElement().isInstanceOf(WaveStarted.class);
    }

    @Test
    void takes_the_same_signed_release_again_and_refuses_it_signed_by_another_key() {
      Scenario s = new Scenario();
      s.apply(signed(s, "cf-291", VENDOR, "vendor"));

      assertThat(s.apply(signed(s, "cf-291", VENDOR, "renamed")).rejections()).isEmpty();
      assertThat(s.apply(signed(s, "cf-291", STRANGER, "vendor")).rejections())
          .singleElement()
          .satisfies(r -> assertThat(r.reason()).contains("other content"));
    }

    @Test
    void without_trusted_publishers_takes_the_operators_word_and_says_so() {
      OwnerPolicy none = OwnerPolicy.none(TENANT);
      Scenario s = new Scenario().hosts("prod", "p1");

      Decision d = s.rollout("r1", "cf-291", wave("prod", "env", "prod"));

      assertThat(d.entries()).singleElement().isInstanceOf(WaveStarted.class);
      assertThat(none.trustsOperatorWord()).isTrue();
      assertThat(none.publisherTrust()).isEqualTo("operator-word");
      assertThat(none.publisherTrustSays()).startsWith("No trusted publishers");
    }
  }

  @Nested
  class TheSignature {
    @Test
    void signs_the_documented_text_and_nothing_of_the_tenant() {
      byte[] message =
          PublisherSignatures.message(
              "cf-291", "channel-file", "291", "AB".repeat(32), Severity.EMERGENCY);

      assertThat(new String(message, StandardCharsets.UTF_8))
          .isEqualTo(
              "rollout-ledger release v1\nrelease=cf-291\nartifact=channel-file\nversion=291\n"
                  + "sha256="
                  + "ab".repeat(32)
                  + "\nseverity=EMERGENCY\n");
    }

    @Test
    void refuses_a_signature_over_other_content_naming_the_field() {
      Scenario s = new Scenario();
      String overOtherDigest =
          PublisherSignatures.sign(
              VENDOR.getPrivate(), "cf-291", "sensor", "7.11", sha("other"), Severity.NORMAL);

      assertThatThrownBy(
              () ->
                  new ReleasePublished(
                      TENANT,
                      s.tick(),
                      "cf-291",
                      "sensor",
                      "7.11",
                      sha("cf-291"),
                      "vendor",
                      Severity.NORMAL,
                      key(VENDOR),
                      overOtherDigest))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("signature"));
    }

    @Test
    void refuses_a_severity_raised_after_signing() {
      Scenario s = new Scenario();
      ReleasePublished normal = signed(s, "cf-291", VENDOR, "vendor");

      assertThatThrownBy(
              () ->
                  new ReleasePublished(
                      TENANT,
                      s.tick(),
                      "cf-291",
                      "sensor",
                      "7.11",
                      normal.sha256(),
                      "vendor",
                      Severity.EMERGENCY,
                      normal.publisherKey(),
                      normal.signature()))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("signature"));
    }

    @Test
    void wants_the_key_and_the_signature_together() {
      Scenario s = new Scenario();
      ReleasePublished ok = signed(s, "cf-291", VENDOR, "vendor");

      assertThatThrownBy(
              () ->
                  new ReleasePublished(
                      TENANT,
                      s.tick(),
                      "cf-291",
                      "sensor",
                      "7.11",
                      ok.sha256(),
                      "vendor",
                      Severity.NORMAL,
                      null,
                      ok.signature()))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("publisherKey"));
      assertThatThrownBy(
              () ->
                  new ReleasePublished(
                      TENANT,
                      s.tick(),
                      "cf-291",
                      "sensor",
                      "7.11",
                      ok.sha256(),
                      "vendor",
                      Severity.NORMAL,
                      "not base64 !",
                      ok.signature()))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("publisherKey"));
    }
  }

  @Nested
  class ThePolicy {
    @Test
    void refuses_a_key_that_is_not_ed25519_naming_the_field() throws Exception {
      String rsa =
          Base64.getEncoder()
              .encodeToString(
                  KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic().getEncoded());

      assertThatThrownBy(() -> new OwnerPolicy.TrustedPublisher("vendor", rsa))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("publicKey"));
    }

    @Test
    void refuses_a_key_listed_twice_and_allowed_publishers_beside_trusted_ones() {
      var vendor = new OwnerPolicy.TrustedPublisher("vendor", key(VENDOR));
      var rotated = new OwnerPolicy.TrustedPublisher("vendor", key(STRANGER));
      var sameKey = new OwnerPolicy.TrustedPublisher("other", key(VENDOR));

      // a publisher rotating its key: one name, the old key and the new one
      assertThat(policy(List.of(), List.of(vendor, rotated)).trustedPublishers()).hasSize(2);
      assertThatThrownBy(() -> policy(List.of(), List.of(vendor, sameKey)))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> assertThat(e.field()).isEqualTo("trustedPublishers[1].publicKey"));
      assertThatThrownBy(() -> policy(List.of("ci"), List.of(vendor)))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> assertThat(e.field()).isEqualTo("allowedPublishers"));
    }

    @Test
    void says_which_keys_it_trusts() {
      OwnerPolicy p =
          policy(List.of(), List.of(new OwnerPolicy.TrustedPublisher("vendor", key(VENDOR))));

      assertThat(p.trustsOperatorWord()).isFalse();
      assertThat(p.publisherTrust()).isEqualTo("signed");
      assertThat(p.publisherTrustSays()).contains("vendor key " + keyId(VENDOR));
    }

    private OwnerPolicy policy(List<String> allowed, List<OwnerPolicy.TrustedPublisher> trusted) {
      return new OwnerPolicy(
          TENANT, null, false, List.of(), Duration.ZERO, allowed, "owner", trusted);
    }
  }
}
