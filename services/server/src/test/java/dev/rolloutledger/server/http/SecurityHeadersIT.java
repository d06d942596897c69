package dev.rolloutledger.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.server.TestServer;
import dev.rolloutledger.server.auth.Role;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The security headers are on every kind of response of the real server (plain HTTP on loopback,
 * the default): a 200 of the API, a 401 the auth filter gives early, a 404 of no route, a problem
 * response, the registry and health. No Strict-Transport-Security over plain HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityHeadersIT {
  private static final String API_CSP = "default-src 'none'; frame-ancestors 'none'";

  private TestServer server;
  private String tenant;
  private String admin;

  @BeforeAll
  void start() throws Exception {
    server =
        new TestServer(
            "it-headers-" + UUID.randomUUID(), Files.createTempDirectory("ledger-it-headers"));
    tenant = "hdr" + UUID.randomUUID().toString().substring(0, 8);
    admin = server.token(tenant, Role.ADMIN);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private static void assertCommonHeaders(HttpResponse<String> r) {
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(API_CSP);
    assertThat(r.headers().firstValue("Strict-Transport-Security")).isEmpty();
  }

  @Nested
  class On_the_api {
    @Test
    void a_200_carries_them_and_is_not_stored() {
      HttpResponse<String> r = server.get(admin, "/api/v1/tenants/" + tenant + "/hosts");

      assertThat(r.statusCode()).isEqualTo(200);
      assertCommonHeaders(r);
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void a_401_given_by_the_auth_filter_carries_them() {
      HttpResponse<String> r = server.get("/api/v1/tenants/" + tenant + "/hosts");

      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
      assertCommonHeaders(r);
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void a_problem_for_bad_input_carries_them() {
      HttpResponse<String> r =
          server.post(admin, "/api/v1/tenants/" + tenant + "/hosts", "{\"host\": ");

      assertThat(r.statusCode()).isBetween(400, 499);
      assertCommonHeaders(r);
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }
  }

  @Nested
  class Elsewhere {
    @Test
    void a_404_of_no_route_carries_them() {
      HttpResponse<String> r = server.get("/no/such/page");

      assertThat(r.statusCode()).isEqualTo(404);
      assertCommonHeaders(r);
    }

    @Test
    void health_carries_them() {
      HttpResponse<String> r = server.get("/health");

      assertThat(r.statusCode()).isEqualTo(200);
      assertCommonHeaders(r);
      assertThat(r.headers().firstValue("Cache-Control")).isEmpty();
    }

    @Test
    void the_registry_carries_them() {
      HttpResponse<String> r = server.get(admin, "/registry/subjects");

      assertThat(r.statusCode()).isEqualTo(200);
      assertCommonHeaders(r);
    }
  }
}
