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

  @ParameterizedTest(name = "{0}")
  @CsvSource({"/ui", "/ui/", "/ui/app.js", "/ui/vendor/uplot/1.6.30/dist/uPlot.esm.js"})
  void the_dashboard_gets_its_own_policy_without_inline_scripts_or_styles(String path) {
    SecurityHeaders.PathPolicy policy = SecurityHeaders.policyFor(path);

    assertThat(policy.contentSecurityPolicy())
        .isEqualTo(SecurityHeaders.UI_CSP)
        .contains("script-src 'self';", "style-src 'self';")
        .doesNotContain("unsafe-inline", "unsafe-eval");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"/uix", "/u", "/api/ui"})
  void only_whole_segments_are_the_dashboard(String path) {
    assertThat(SecurityHeaders.policyFor(path).contentSecurityPolicy())
        .isEqualTo(SecurityHeaders.API_CSP);
  }
}
