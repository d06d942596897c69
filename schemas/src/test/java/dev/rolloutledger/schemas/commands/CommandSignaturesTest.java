package dev.rolloutledger.schemas.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.avro.Apply;
import dev.rolloutledger.avro.Hold;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandSignaturesTest {
  private static final CommandSigningKey KEY = CommandSigningKey.generate();
  private final Instant at = Instant.parse("2024-07-19T04:09:00Z");

  private Apply apply() {
    return Apply.newBuilder()
        .setCommandId("acme/h1/7")
        .setTenant("acme")
        .setRollout("r1")
        .setHost("h1")
        .setRelease("cf-291")
        .setSha256("a".repeat(64))
        .setSeq(7)
        .setIssuedAt(at)
        .setExpiresAt(at.plusSeconds(3600))
        .build();
  }

  @Nested
  class Signing {
    @Test
    void a_signed_command_verifies_with_the_public_key() {
      SpecificRecord signed = CommandSignatures.sign(apply(), KEY.keyId(), KEY.privateKey());
      assertThat(((Apply) signed).getKeyId()).isEqualTo(KEY.keyId());
      assertThat(CommandSignatures.verify(signed, KEY.publicKey())).isTrue();
    }

    @Test
    void signing_is_deterministic_so_a_replay_reproduces_the_command() {
      Apply a = (Apply) CommandSignatures.sign(apply(), KEY.keyId(), KEY.privateKey());
      Apply b = (Apply) CommandSignatures.sign(apply(), KEY.keyId(), KEY.privateKey());
      assertThat(a.getSignature()).isEqualTo(b.getSignature());
    }

    @Test
    void the_signature_is_the_one_the_jdk_makes_for_every_key_and_command() throws Exception {
      // Ed25519 is deterministic: BouncyCastle's signer must give SunEC's bytes, or a replay
      // from before the switch would differ
      for (int k = 0; k < 5; k++) {
        CommandSigningKey key = CommandSigningKey.generate();
        for (int i = 0; i < 20; i++) {
          Apply command = apply();
          command.setSeq(i);
          command.setHost("h" + i * 7919);
          Apply signed = (Apply) CommandSignatures.sign(command, key.keyId(), key.privateKey());
          java.security.Signature jdk = java.security.Signature.getInstance("Ed25519", "SunEC");
          jdk.initSign(key.privateKey());
          jdk.update(CommandSignatures.canonical(CommandSignatures.fields(signed), key.keyId()));
          assertThat(signed.getSignature()).isEqualTo(ByteBuffer.wrap(jdk.sign()));
          assertThat(CommandSignatures.verify(signed, key.publicKey())).isTrue();
        }
      }
    }

    @Test
    void an_unsigned_command_does_not_verify() {
      assertThat(CommandSignatures.verify(apply(), KEY.publicKey())).isFalse();
    }

    @Test
    void another_key_does_not_verify_it() {
      SpecificRecord signed = CommandSignatures.sign(apply(), KEY.keyId(), KEY.privateKey());
      assertThat(CommandSignatures.verify(signed, CommandSigningKey.generate().publicKey()))
          .isFalse();
    }
  }

  @Nested
  class Tampering {
    @Test
    void changing_any_field_breaks_the_signature() {
      Apply signed = (Apply) CommandSignatures.sign(apply(), KEY.keyId(), KEY.privateKey());
      for (Schema.Field field : signed.getSchema().getFields()) {
        if (field.name().equals("signature")) {
          continue;
        }
        Apply copy = SpecificData.get().deepCopy(signed.getSchema(), signed);
        copy.put(field.pos(), mutate(copy.get(field.pos())));
        assertThat(CommandSignatures.verify(copy, KEY.publicKey()))
            .as("tampered %s", field.name())
            .isFalse();
      }
    }

    @Test
    void the_same_fields_under_another_action_do_not_verify() {
      Apply signed = (Apply) CommandSignatures.sign(apply(), KEY.keyId(), KEY.privateKey());
      Hold hold =
          Hold.newBuilder()
              .setCommandId(signed.getCommandId())
              .setTenant(signed.getTenant())
              .setRollout(signed.getRollout())
              .setHost(signed.getHost())
              .setRelease(signed.getRelease())
              .setSha256(signed.getSha256())
              .setSeq(signed.getSeq())
              .setIssuedAt(signed.getIssuedAt())
              .setExpiresAt(signed.getExpiresAt())
              .setKeyId(signed.getKeyId())
              .setSignature(signed.getSignature())
              .build();
      assertThat(CommandSignatures.verify(hold, KEY.publicKey())).isFalse();
    }

    private Object mutate(Object value) {
      if (value instanceof String s) {
        return s + "x";
      } else if (value instanceof Long l) {
        return l + 1;
      } else if (value instanceof Instant i) {
        return i.plusMillis(1);
      } else if (value == null) {
        return "x";
      } else if (value instanceof ByteBuffer) {
        return ByteBuffer.wrap(new byte[64]);
      }
      throw new IllegalArgumentException(value.getClass().toString());
    }
  }

  @Nested
  class Keys {
    @TempDir Path dir;

    @Test
    void a_key_created_on_first_use_is_the_same_key_on_the_next() {
      CommandSigningKey first = CommandSigningKey.loadOrCreate(dir);
      CommandSigningKey second = CommandSigningKey.loadOrCreate(dir);
      assertThat(second.keyId()).isEqualTo(first.keyId()).hasSize(16);
      SpecificRecord signed = CommandSignatures.sign(apply(), first.keyId(), first.privateKey());
      assertThat(CommandSignatures.verify(signed, second.publicKey())).isTrue();
      assertThat(second.toString()).doesNotContain(first.privateKey().toString());
    }
  }
}
