package dev.rolloutledger.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.schemas.commands.CommandSigningKey;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class NotificationSignatureTest {
  private final CommandSigningKey key = CommandSigningKey.generate();

  @Test
  void verifies_with_the_public_key_as_get_keys_serves_it() throws Exception {
    byte[] body = NotificationBodies.json(NotificationBodiesTest.halted());
    NotificationSignature.Signed signed = NotificationSignature.sign(body, key);

    // what a receiver has: the key id and the base64 X.509 public key of GET /api/v1/keys
    PublicKey published =
        KeyFactory.getInstance("Ed25519")
            .generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode(key.publicKeyBase64())));
    assertThat(signed.keyId()).isEqualTo(key.keyId());
    assertThat(NotificationSignature.verify(body, signed.signature(), published)).isTrue();
  }

  @Test
  void fails_for_a_changed_body_or_another_key() {
    byte[] body = "{\"tenant\":\"acme\"}".getBytes(StandardCharsets.UTF_8);
    String signature = NotificationSignature.sign(body, key).signature();
    byte[] changed = "{\"tenant\":\"acmf\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(NotificationSignature.verify(changed, signature, key.publicKey())).isFalse();
    assertThat(
            NotificationSignature.verify(body, signature, CommandSigningKey.generate().publicKey()))
        .isFalse();
    assertThat(NotificationSignature.verify(body, "not base64!", key.publicKey())).isFalse();
  }
}
