package dev.rolloutledger.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.server.auth.TokenRegistry.Issued;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenRegistryTest {
  private static final Instant AT = Instant.parse("2026-11-25T10:00:00Z");
  private final SecureRandom random = new SecureRandom();
  private final TokenRegistry registry = new TokenRegistry();

  private Issued issue(String tenant, String name, Role role) {
    return TokenRegistry.issue(tenant, name, role, null, AT, random);
  }

  @Nested
  class Secrets {
    @Test
    void a_secret_is_recognisable_random_and_only_its_sha256_is_kept() {
      Issued a = issue("acme", "ci", Role.OPERATOR);
      Issued b = issue("acme", "ci", Role.OPERATOR);

      assertThat(a.secret()).matches("rl_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
      assertThat(a.secret()).isNotEqualTo(b.secret());
      assertThat(a.token().sha256())
          .isEqualTo(TokenRegistry.sha256Hex(a.secret()))
          .hasSize(64)
          .doesNotContain(a.secret().substring(20));
      assertThat(TokenStore.toJson(a.token())).doesNotContain(a.secret().substring(20));
    }

    @Test
    void the_stored_form_round_trips_through_json() throws Exception {
      Issued agent = TokenRegistry.issue("acme", "web-1", Role.AGENT, "web-1", AT, random);

      assertThat(TokenStore.fromJson(TokenStore.toJson(agent.token()))).isEqualTo(agent.token());
    }

    @Test
    void an_agent_token_needs_a_host_and_no_other_role_has_one() {
      assertThatThrownBy(() -> TokenRegistry.issue("acme", "a", Role.AGENT, null, AT, random))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> TokenRegistry.issue("acme", "v", Role.VIEWER, "h1", AT, random))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  class Authentication {
    @Test
    void the_exact_secret_authenticates_as_its_tenant_and_role() {
      Issued issued = issue("acme", "ci", Role.OPERATOR);
      registry.put(issued.token());

      assertThat(registry.authenticate(issued.secret()))
          .hasValueSatisfying(
              t -> assertThat(t.caller()).isEqualTo(new Caller("acme", "ci", Role.OPERATOR, null)));
    }

    @Test
    void a_secret_with_the_right_id_but_one_character_changed_is_refused() {
      // the id finds the token; only the constant-time comparison of the hashes can refuse this
      Issued issued = issue("acme", "ci", Role.ADMIN);
      registry.put(issued.token());
      String s = issued.secret();
      char last = s.charAt(s.length() - 1);
      String forged = s.substring(0, s.length() - 1) + (last == 'A' ? 'B' : 'A');

      assertThat(registry.authenticate(forged)).isEmpty();
      assertThat(registry.authenticate(s + "x")).isEmpty();
    }

    @Test
    void garbage_and_secrets_of_unknown_tokens_are_refused() {
      registry.put(issue("acme", "ci", Role.ADMIN).token());

      assertThat(registry.authenticate("")).isEmpty();
      assertThat(registry.authenticate("rl_")).isEmpty();
      assertThat(registry.authenticate("Bearer nonsense")).isEmpty();
      assertThat(registry.authenticate(issue("acme", "other", Role.ADMIN).secret())).isEmpty();
    }
  }

  @Nested
  class Revocation {
    @Test
    void a_revoked_token_is_refused_and_its_tenants_other_tokens_still_work() {
      Issued ci = issue("acme", "ci", Role.OPERATOR);
      Issued admin = issue("acme", "admin", Role.ADMIN);
      registry.put(ci.token());
      registry.put(admin.token());

      registry.revoke("acme", "ci");

      assertThat(registry.authenticate(ci.secret())).isEmpty();
      assertThat(registry.authenticate(admin.secret())).isPresent();
      assertThat(registry.list("acme")).extracting(Token::name).containsExactly("admin");
    }

    @Test
    void a_token_stored_again_under_the_same_name_retires_the_old_secret() {
      Issued first = issue("acme", "ci", Role.OPERATOR);
      Issued second = issue("acme", "ci", Role.VIEWER);
      registry.put(first.token());

      registry.put(second.token());

      assertThat(registry.authenticate(first.secret())).isEmpty();
      assertThat(registry.authenticate(second.secret()))
          .hasValueSatisfying(t -> assertThat(t.role()).isEqualTo(Role.VIEWER));
    }

    @Test
    void names_are_per_tenant() {
      Issued acme = issue("acme", "ci", Role.OPERATOR);
      Issued globex = issue("globex", "ci", Role.OPERATOR);
      registry.put(acme.token());
      registry.put(globex.token());

      registry.revoke("acme", "ci");

      assertThat(registry.authenticate(globex.secret())).isPresent();
      assertThat(registry.list("globex")).hasSize(1);
      assertThat(registry.list("acme")).isEmpty();
    }
  }

  @Nested
  class Roles {
    @Test
    void each_role_holds_what_its_job_needs_and_no_more() {
      assertThat(Role.VIEWER.allows(Permission.READ)).isTrue();
      assertThat(Role.VIEWER.allows(Permission.OPERATE)).isFalse();
      assertThat(Role.OPERATOR.allows(Permission.APPROVE)).isFalse();
      assertThat(Role.OPERATOR.allows(Permission.ADMINISTER)).isFalse();
      assertThat(Role.APPROVER.allows(Permission.OPERATE)).isFalse();
      assertThat(Role.AGENT.allows(Permission.READ)).isFalse();
      assertThat(Role.AGENT.allows(Permission.TELEMETRY)).isTrue();
      assertThat(Role.ADMIN.allows(Permission.ADMINISTER)).isTrue();
    }

    @Test
    void an_agent_reports_only_about_its_own_host() {
      Caller agent = new Caller("acme", "web-1", Role.AGENT, "web-1");
      Caller operator = new Caller("acme", "ops", Role.OPERATOR, null);

      assertThat(agent.covers("web-1")).isTrue();
      assertThat(agent.covers("web-2")).isFalse();
      assertThat(operator.covers("web-2")).isTrue();
    }
  }

  @Test
  void the_first_admin_token_file_is_readable_by_its_owner_only(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("sub/bootstrap-admin.token");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "old");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    BootstrapToken.writeOwnerOnly(file, "rl_secret\n");

    assertThat(Files.readString(file)).isEqualTo("rl_secret\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }
}
