package dev.rolloutledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolloutledger.domain.PublisherSignatures;
import dev.rolloutledger.domain.Severity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ledger release keygen} and {@code ledger release sign}: a publisher's side, offline. */
class PublisherCommandsTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  private static Run ledger(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = LedgerCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void keygen_keeps_the_private_key_to_its_owner_and_prints_what_owners_trust() throws Exception {
    Path key = dir.resolve("vendor");

    Run made = ledger("release", "keygen", key.toString());

    assertThat(made.exit()).isZero();
    String publicKey = Files.readString(key.resolve("publisher.pub")).strip();
    assertThat(made.out())
        .contains("key id      " + PublisherSignatures.keyId(publicKey))
        .contains("public key  " + publicKey);
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(key.resolve("publisher.pk8"))))
        .isEqualTo("rw-------");
    assertThat(ledger("release", "keygen", key.toString()).exit()).isEqualTo(LedgerCli.BAD_INPUT);
  }

  @Test
  void sign_writes_a_release_whose_signature_covers_its_fields() throws Exception {
    Path key = dir.resolve("vendor");
    assertThat(ledger("release", "keygen", key.toString()).exit()).isZero();
    Path artifact = Files.writeString(dir.resolve("cf-291"), "content");

    Run signed =
        ledger(
            "release",
            "sign",
            "cf-291",
            "--key",
            key.toString(),
            "--file",
            artifact.toString(),
            "--artifact",
            "channel-file",
            "--version",
            "291",
            "--emergency");

    assertThat(signed.exit()).isZero();
    JsonNode body = Api.JSON.readTree(signed.out());
    assertThat(body.get("sha256").asText())
        .isEqualTo("ed7002b439e9ac845f22357d822bac1444730fbdb6016d3ec9432297b9ec9f73");
    assertThat(body.get("severity").asText()).isEqualTo("EMERGENCY");
    assertThat(body.has("publisher")).isFalse();
    var publicKey = PublisherSignatures.publicKey("k", body.get("publisherKey").asText());
    byte[] asSigned =
        PublisherSignatures.message(
            "cf-291", "channel-file", "291", body.get("sha256").asText(), Severity.EMERGENCY);
    byte[] downgraded =
        PublisherSignatures.message(
            "cf-291", "channel-file", "291", body.get("sha256").asText(), Severity.NORMAL);
    assertThat(PublisherSignatures.verifies(publicKey, asSigned, body.get("signature").asText()))
        .isTrue();
    assertThat(PublisherSignatures.verifies(publicKey, downgraded, body.get("signature").asText()))
        .isFalse();
  }

  @Test
  void sign_refuses_a_key_directory_whose_two_halves_do_not_belong_together() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    assertThat(ledger("release", "keygen", a.toString()).exit()).isZero();
    assertThat(ledger("release", "keygen", b.toString()).exit()).isZero();
    Files.copy(
        b.resolve("publisher.pub"),
        a.resolve("publisher.pub"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    Run mixed =
        ledger("release", "sign", "cf-1", "--key", a.toString(), "--sha256", "ab".repeat(32));
    Run missing =
        ledger(
            "release",
            "sign",
            "cf-1",
            "--key",
            dir.resolve("none").toString(),
            "--sha256",
            "ab".repeat(32));

    assertThat(mixed.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(mixed.err()).contains("is not the public half of publisher.pk8");
    assertThat(missing.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(missing.err()).contains("no such file");
    assertThat(mixed.out()).isEmpty();
  }
}
