package dev.rolloutledger.schemas.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificateTest {

  @TempDir Path dir;

  @Nested
  class Create {

    @Test
    void keystore_holds_a_key_that_matches_the_certificate() throws Exception {
      SelfSignedCertificate.Material made =
          SelfSignedCertificate.create(dir, "server", List.of("ledger.example.test"));

      KeyStore store = load(made.keystore(), made.password());
      PrivateKey key = (PrivateKey) store.getKey(SelfSignedCertificate.ALIAS, made.password());
      X509Certificate certificate =
          (X509Certificate) store.getCertificate(SelfSignedCertificate.ALIAS);

      assertThat(key.getAlgorithm()).isEqualTo("EC");
      byte[] message = "rollout".getBytes(StandardCharsets.UTF_8);
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(key);
      signer.update(message);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(message);
      assertThat(verifier.verify(signature)).isTrue();
      // self-signed: its own key verifies it
      certificate.verify(certificate.getPublicKey());
      certificate.checkValidity();
      assertThat(certificate).isEqualTo(made.certificate());
    }

    @Test
    void names_localhost_loopback_the_host_and_the_extra_names() {
      SelfSignedCertificate.Material made =
          SelfSignedCertificate.create(dir, "server", List.of("ledger.example.test", "10.1.2.3"));

      List<String> sans = SelfSignedCertificate.subjectAlternativeNames(made.certificate());

      assertThat(sans).contains("localhost", "127.0.0.1", "ledger.example.test", "10.1.2.3");
      assertThat(sans).anyMatch(s -> s.equals("0:0:0:0:0:0:0:1") || s.equals("::1"));
      assertThat(sans)
          .containsAll(
              SelfSignedCertificate.subjectNames(List.of()).stream()
                  .filter(n -> !SelfSignedCertificate.isIp(n))
                  .toList());
    }

    @Test
    void keystore_and_password_are_readable_by_the_owner_only() throws Exception {
      SelfSignedCertificate.Material made = SelfSignedCertificate.create(dir, "server", List.of());

      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made.keystore())))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made.passwordFile())))
          .isEqualTo("rw-------");
      // no scratch directory is left behind
      try (var files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder(
                "server.p12", "server.password", "server.pem", "server-truststore.p12");
      }
    }

    @Test
    void pem_and_truststore_carry_the_same_certificate() throws Exception {
      SelfSignedCertificate.Material made = SelfSignedCertificate.create(dir, "server", List.of());

      X509Certificate fromPem;
      try (InputStream in = Files.newInputStream(made.certificatePem())) {
        fromPem = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      KeyStore trust = load(made.truststore(), made.password());

      assertThat(Files.readString(made.certificatePem())).startsWith("-----BEGIN CERTIFICATE-----");
      assertThat(fromPem).isEqualTo(made.certificate());
      assertThat(trust.getCertificate(SelfSignedCertificate.ALIAS)).isEqualTo(made.certificate());
      assertThat(trust.isKeyEntry(SelfSignedCertificate.ALIAS)).isFalse();
    }

    @Test
    void fingerprint_is_the_sha256_of_the_certificate_and_the_password_is_not_printed() {
      SelfSignedCertificate.Material made = SelfSignedCertificate.create(dir, "server", List.of());

      assertThat(made.sha256Fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
      assertThat(made.toString())
          .contains(made.sha256Fingerprint())
          .doesNotContain(new String(made.password()));
    }
  }

  @Nested
  class LoadOrCreate {

    @Test
    void reuses_the_certificate_already_there() {
      SelfSignedCertificate.Material first =
          SelfSignedCertificate.loadOrCreate(dir, "server", List.of("a.example.test"));

      SelfSignedCertificate.Material again =
          SelfSignedCertificate.loadOrCreate(dir, "server", List.of("a.example.test"));

      assertThat(again.sha256Fingerprint()).isEqualTo(first.sha256Fingerprint());
    }

    @Test
    void makes_a_new_one_when_a_name_is_missing() {
      SelfSignedCertificate.Material first =
          SelfSignedCertificate.loadOrCreate(dir, "server", List.of());

      SelfSignedCertificate.Material wider =
          SelfSignedCertificate.loadOrCreate(dir, "server", List.of("b.example.test"));

      assertThat(wider.sha256Fingerprint()).isNotEqualTo(first.sha256Fingerprint());
      assertThat(SelfSignedCertificate.subjectAlternativeNames(wider.certificate()))
          .contains("b.example.test");
    }

    @Test
    void makes_a_new_one_when_the_files_are_damaged() throws Exception {
      SelfSignedCertificate.Material first =
          SelfSignedCertificate.loadOrCreate(dir, "server", List.of());
      Files.writeString(first.passwordFile(), "wrong\n");

      SelfSignedCertificate.Material again =
          SelfSignedCertificate.loadOrCreate(dir, "server", List.of());

      assertThat(again.sha256Fingerprint()).isNotEqualTo(first.sha256Fingerprint());
      assertThat(load(again.keystore(), again.password()).isKeyEntry(SelfSignedCertificate.ALIAS))
          .isTrue();
    }
  }

  private static KeyStore load(Path file, char[] password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password);
    }
    return store;
  }
}
