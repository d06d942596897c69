package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.avro.Apply;
import dev.rolloutledger.cli.LedgerCli;
import dev.rolloutledger.schemas.Keys;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.auth.Role;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The inventory on the real broker (docs/api.md, "Inventory"): GET /hosts with its filters and
 * paging, cordon, retire and activate through the engine, their effect on planning, the tenant
 * check of every host, and the CLI on top.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostInventoryIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA = "c".repeat(64);

  private TestServer server;
  private Path dir;
  private String tenant;
  private String admin;

  @BeforeAll
  void startServer() throws Exception {
    dir = Files.createTempDirectory("ledger-it-inventory");
    server = new TestServer("it-inventory-" + UUID.randomUUID(), dir.resolve("state"));
  }

  @AfterAll
  void stopServer() {
    server.close();
  }

  /**
   * A fresh tenant with six hosts: h01-h03 {@code env=dev}, h04-h06 {@code env=prod}; h06 also
   * {@code tier=a}.
   */
  @BeforeEach
  void freshTenantWithSixHosts() {
    tenant = "inv" + UUID.randomUUID().toString().substring(0, 8);
    admin = server.token(tenant, Role.ADMIN);
    assertThat(
            post(
                    "/hosts",
                    """
        [{"host": "h01", "labels": {"env": "dev"}},
         {"host": "h02", "labels": {"env": "dev"}},
         {"host": "h03", "labels": {"env": "dev"}},
         {"host": "h04", "labels": {"env": "prod"}},
         {"host": "h05", "labels": {"env": "prod"}},
         {"host": "h06", "labels": {"env": "prod", "tier": "a"}}]""")
                .statusCode())
        .isEqualTo(202);
    await().atMost(Duration.ofSeconds(30)).until(() -> server.hostsKnown(tenant) == 6);
  }

  private String api(String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  private HttpResponse<String> post(String path, String json) {
    return server.post(admin, api(path), json);
  }

  private HttpResponse<String> get(String path) {
    return server.get(admin, api(path));
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  /** The host ids of a listing (must answer 200). */
  private List<String> ids(String query) throws Exception {
    HttpResponse<String> r = get("/hosts" + query);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    json(r).get("hosts").forEach(h -> ids.add(h.get("host").asText()));
    return ids;
  }

  private JsonNode host(String id, String query) throws Exception {
    for (JsonNode h : json(get("/hosts" + query)).get("hosts")) {
      if (h.get("host").asText().equals(id)) {
        return h;
      }
    }
    throw new AssertionError(id + " not listed with " + query);
  }

  private void change(String host, String verb, String lifecycle) throws Exception {
    HttpResponse<String> r = post("/hosts/" + host + "/" + verb, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode recorded = json(r);
    assertThat(recorded.get("host").asText()).isEqualTo(host);
    assertThat(recorded.get("lifecycle").asText()).isEqualTo(lifecycle);
    assertThat(recorded.get("by").asText()).startsWith("admin-"); // the token's name
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ids("?lifecycle=" + lifecycle).contains(host));
  }

  private static void assertProblem(HttpResponse<String> r, int status, String field)
      throws Exception {
    assertThat(r.statusCode()).as(r.uri() + ": " + r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    if (field != null) {
      assertThat(json(r).get("field").asText()).isEqualTo(field);
    }
  }

  @Nested
  class Listing {
    @Test
    void lists_every_host_in_id_order_with_its_labels_liveness_and_lifecycle() throws Exception {
      JsonNode page = json(get("/hosts"));

      assertThat(page.get("hosts"))
          .extracting(h -> h.get("host").asText())
          .containsExactly("h01", "h02", "h03", "h04", "h05", "h06");
      assertThat(page.get("next").isNull()).isTrue();
      JsonNode h06 = page.get("hosts").get(5);
      assertThat(h06.get("labels").get("tier").asText()).isEqualTo("a");
      assertThat(h06.get("liveness").asText()).isEqualTo("unseen"); // never heard from
      assertThat(h06.get("lastSignOfLifeAt").isNull()).isTrue();
      assertThat(h06.get("lifecycle").asText()).isEqualTo("active");
      assertThat(h06.get("rollout").isNull()).isTrue();
      assertThat(h06.get("state").isNull()).isTrue();
      assertThat(h06.get("reportedRelease").isNull()).isTrue();
    }

    @Test
    void filters_by_every_label_of_the_selector_and_by_liveness() throws Exception {
      assertThat(ids("?selector=env%3Dprod")).containsExactly("h04", "h05", "h06");
      assertThat(ids("?selector=" + URLEncoder.encode("env=prod,tier=a", StandardCharsets.UTF_8)))
          .containsExactly("h06");
      assertThat(ids("?selector=env%3Dstaging")).isEmpty();
      assertThat(ids("?liveness=unseen")).contains("h06");
      assertThat(json(get("/hosts?liveness=unseen")).get("hosts"))
          .allSatisfy(h -> assertThat(h.get("liveness").asText()).isEqualTo("unseen"));
    }

    @Test
    void pages_through_the_hosts_with_limit_and_after_until_next_is_null() throws Exception {
      List<String> seen = new ArrayList<>();
      List<String> nexts = new ArrayList<>();
      String after = null;
      do {
        JsonNode page = json(get("/hosts?limit=4" + (after == null ? "" : "&after=" + after)));
        page.get("hosts").forEach(h -> seen.add(h.get("host").asText()));
        after = page.get("next").isNull() ? null : page.get("next").asText();
        nexts.add(String.valueOf(after));
      } while (after != null);

      assertThat(seen).containsExactly("h01", "h02", "h03", "h04", "h05", "h06");
      assertThat(nexts).containsExactly("h04", "null");
      // paging and a filter together: the page holds matches only, next is the last one
      JsonNode prod = json(get("/hosts?selector=env%3Dprod&limit=2"));
      assertThat(prod.get("hosts"))
          .extracting(h -> h.get("host").asText())
          .containsExactly("h04", "h05");
      assertThat(prod.get("next").asText()).isEqualTo("h05");
      assertThat(ids("?selector=env%3Dprod&limit=2&after=h05")).containsExactly("h06");
    }

    @ParameterizedTest(name = "{0} -> 400 naming {1}")
    @CsvSource({
      "limit=0, limit",
      "limit=1001, limit",
      "limit=many, limit",
      "lifecycle=gone, lifecycle",
      "liveness=dead, liveness",
      "selector=env, selector",
      "selector=env%3Ddev%2C%3Dx, selector",
      "after=h%2F1, after",
      "rollout=r%091, rollout",
      "wave=%20, wave"
    })
    void a_bad_parameter_is_a_400_naming_it(String query, String field) throws Exception {
      assertProblem(get("/hosts?" + query), 400, field);
    }
  }

  @Nested
  class Lifecycle {
    @Test
    void a_cordoned_host_is_kept_in_the_fleet_and_planned_into_no_wave_and_sent_nothing()
        throws Exception {
      change("h02", "cordon", "cordoned");
      assertThat(host("h02", "").get("lifecycle").asText()).isEqualTo("cordoned");
      assertThat(ids("")).contains("h02"); // kept in the fleet

      post(
          "/releases",
          """
          {"release": "cf-9", "artifact": "a", "version": "9", "sha256": "%s", "publisher": "p"}"""
              .formatted(SHA));
      await().atMost(Duration.ofSeconds(30)).until(() -> json(get("/releases")).size() == 1);
      // the canary hosts' agents beat: a host never heard from is sent no Apply
      server.reachable(admin, tenant, "h01", "h03");
      assertThat(
              post(
                      "/rollouts",
                      """
          {"rollout": "r1", "release": "cf-9",
           "plan": {"waves": [{"name": "canary", "selector": {"env": "dev"}, "bake": "PT1H"},
                              {"name": "rest", "selector": {}, "bake": "PT1H"}]}}""")
                  .statusCode())
          .isEqualTo(202);
      await().atMost(Duration.ofSeconds(30)).until(() -> get("/rollouts/r1").statusCode() == 200);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertThat(ids("?rollout=r1&wave=canary")).containsExactly("h01", "h03"));
      JsonNode rollout = json(get("/rollouts/r1"));
      assertThat(rollout.get("waves").get(0).get("assigned").asInt()).isEqualTo(2);
      assertThat(rollout.get("waves").get(1).get("assigned").asInt()).isEqualTo(3);
      assertThat(ids("?rollout=r1")).containsExactly("h01", "h03", "h04", "h05", "h06");
      JsonNode h02 = host("h02", "");
      assertThat(h02.get("rollout").isNull()).isTrue();
      assertThat(h02.get("state").isNull()).isTrue();
      JsonNode h01 = host("h01", "?rollout=r1");
      assertThat(h01.get("wave").asText()).isEqualTo("canary");

      Set<String> applied = new TreeSet<>();
      try (KafkaConsumer<String, SpecificRecord> commands =
          TestKafka.readCommitted(Topics.COMMANDS.valueSerde(registry()).deserializer())) {
        TestKafka.fromStart(commands, Topics.COMMANDS.name());
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  for (ConsumerRecord<String, SpecificRecord> r :
                      commands.poll(Duration.ofMillis(200))) {
                    if (r.value() instanceof Apply a && a.getTenant().equals(tenant)) {
                      applied.add(r.key());
                    }
                  }
                  assertThat(applied).contains(Keys.of(tenant, "h01"), Keys.of(tenant, "h03"));
                });
      }
      assertThat(applied).doesNotContain(Keys.of(tenant, "h02"));
      assertThat(host("h01", "?rollout=r1").get("state").asText()).isEqualTo("dispatched");
    }

    @Test
    void a_retired_host_leaves_the_default_listing_and_activate_brings_it_back() throws Exception {
      change("h04", "retire", "retired");

      assertThat(ids("")).containsExactly("h01", "h02", "h03", "h05", "h06");
      assertThat(ids("?lifecycle=retired")).containsExactly("h04");
      assertThat(ids("?selector=env%3Dprod")).containsExactly("h05", "h06");
      assertThat(host("h04", "?lifecycle=retired").get("labels").get("env").asText())
          .isEqualTo("prod"); // its record is kept

      change("h04", "activate", "active");
      assertThat(ids("")).containsExactly("h01", "h02", "h03", "h04", "h05", "h06");
      assertThat(ids("?lifecycle=retired")).isEmpty();
    }

    @Test
    void a_host_the_tenant_does_not_have_is_a_404_even_if_another_tenant_has_it() throws Exception {
      String other = "inv" + UUID.randomUUID().toString().substring(0, 8);
      String otherAdmin = server.token(other, Role.ADMIN);
      server.post(
          otherAdmin,
          "/api/v1/tenants/" + other + "/hosts",
          "[{\"host\": \"theirs\", \"labels\": {}}]");
      await().atMost(Duration.ofSeconds(30)).until(() -> server.hostsKnown(other) == 1);

      for (String verb : List.of("cordon", "retire", "activate")) {
        assertProblem(post("/hosts/theirs/" + verb, null), 404, null);
        assertProblem(post("/hosts/nobody/" + verb, null), 404, null);
      }
      assertThat(ids("")).doesNotContain("theirs");
      JsonNode theirs =
          json(server.get(otherAdmin, "/api/v1/tenants/" + other + "/hosts")).get("hosts");
      assertThat(theirs)
          .singleElement()
          .satisfies(
              h -> {
                assertThat(h.get("host").asText()).isEqualTo("theirs");
                assertThat(h.get("lifecycle").asText()).isEqualTo("active");
              });
    }

    @Test
    void a_viewer_lists_hosts_but_changes_no_lifecycle() throws Exception {
      String viewer = server.token(tenant, Role.VIEWER);

      assertThat(server.get(viewer, api("/hosts")).statusCode()).isEqualTo(200);
      assertProblem(server.post(viewer, api("/hosts/h01/cordon"), null), 403, null);
      assertThat(
              server
                  .post(server.token(tenant, Role.OPERATOR), api("/hosts/h01/cordon"), null)
                  .statusCode())
          .isEqualTo(202);
    }
  }

  @Nested
  class Cli {
    record Run(int exit, String out, String err) {}

    private Run ledger(String... args) throws Exception {
      Path token = Files.writeString(dir.resolve(tenant + ".token"), admin);
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(
          List.of(
              "--server", server.url(""), "--tenant", tenant, "--token-file", token.toString()));
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit =
          LedgerCli.execute(
              all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
      return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void lists_filters_cordons_and_activates_hosts_and_lists_releases() throws Exception {
      Run prod = ledger("hosts", "--selector", "env=prod,tier=a");
      assertThat(prod.exit()).as(prod.err()).isZero();
      assertThat(prod.out().lines().toList())
          .hasSize(2)
          .satisfies(lines -> assertThat(lines.get(0)).startsWith("HOST").contains("LIFECYCLE"))
          .satisfies(
              lines -> assertThat(lines.get(1)).startsWith("h06").contains("active", "tier=a"));

      Run cordon = ledger("hosts", "cordon", "h05");
      assertThat(cordon.exit()).as(cordon.err()).isZero();
      assertThat(cordon.out()).contains("cordoned h05");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                Run cordoned = ledger("hosts", "--lifecycle", "cordoned", "--json");
                assertThat(cordoned.exit()).isZero();
                assertThat(JSON.readTree(cordoned.out()).get("hosts"))
                    .extracting(h -> h.get("host").asText())
                    .containsExactly("h05");
              });
      assertThat(ledger("hosts", "activate", "h05").exit()).isZero();

      Run page = ledger("hosts", "--limit", "2");
      assertThat(page.out().lines().skip(1)).hasSize(2);
      assertThat(page.err()).contains("--after h02");

      Run bad = ledger("hosts", "--lifecycle", "gone");
      assertThat(bad.exit()).isEqualTo(LedgerCli.BAD_INPUT);
      assertThat(bad.err()).contains("lifecycle");
      Run unknown = ledger("hosts", "retire", "nobody");
      assertThat(unknown.exit()).isEqualTo(LedgerCli.BAD_INPUT);
      assertThat(unknown.err()).contains("404").contains("host nobody not found");

      post(
          "/releases",
          """
          {"release": "cf-7", "artifact": "a", "version": "7", "sha256": "%s", "publisher": "p"}"""
              .formatted(SHA));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(ledger("releases").out()).contains("cf-7"));
      Run releases = ledger("releases");
      assertThat(releases.out().lines().toList())
          .hasSize(2)
          .satisfies(lines -> assertThat(lines.get(0)).startsWith("RELEASE"))
          .satisfies(lines -> assertThat(lines.get(1)).startsWith("cf-7").contains("NORMAL"));
    }
  }

  private SchemaRegistry registry() {
    return server.bean(SchemaRegistry.class);
  }
}
