package dev.rolloutledger.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecurityHeadersTest {

  @ParameterizedTest(name = "{0}: no-store {1}")
  @CsvSource({
    "/api/v1,                     true",
    "/api/v1/tenants/t/hosts,     true",
    "/api/v1/keys,                true",
    "/api/v10/other,              false",
    "/api/v1x,                    false",
    "/registry/subjects,          false",
    "/health,                     false",
    "/,                           false",
    "/no/such/page,               false",
  })
  void the_longest_whole_segment_prefix_decides(String path, boolean noStore) {
    SecurityHeaders.PathPolicy policy = SecurityHeaders.policyFor(path);

    assertThat(policy.noStore()).isEqualTo(noStore);
    assertThat(policy.contentSecurityPolicy()).isEqualTo(SecurityHeaders.API_CSP);
  }
}
