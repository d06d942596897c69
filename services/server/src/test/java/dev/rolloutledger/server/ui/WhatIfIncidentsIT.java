package dev.rolloutledger.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.domain.sim.IncidentComparison;
import dev.rolloutledger.server.TestServer;
import dev.rolloutledger.server.api.IncidentLibrary;
import dev.rolloutledger.server.api.WhatIfRuns;
import dev.rolloutledger.server.auth.Role;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;

/**
 * The incident library in the server and on the what-if page, on one real server and broker: {@code
 * GET /incidents} lists what load-tests/incidents holds, {@code POST /whatif {"incident": ...}}
 * answers the historical outcome beside the staged one (the same as {@code ledger incidents}),
 * refuses bad input naming the field, answers 429 while another what-if runs and a cached outcome
 * even then; in a real headless Chromium a person picks crowdstrike-2024, runs it and sees the halt
 * beside the all-at-once outage.
 *
 * <p>With {@code -Dledger.screenshots=docs/img} (relative to the repository) it saves the page as
 * dashboard-whatif-incident.png.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WhatIfIncidentsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestServer server;
  private ChromeDriver browser;
  private final String tenant = "i" + UUID.randomUUID().toString().substring(0, 8);
  private String viewer;

  @BeforeAll
  void start() throws IOException {
    Chromium.ensureInstalled(); // fails, never skips, when there is no browser
    server =
        new TestServer("it-incidents-" + UUID.randomUUID(), Files.createTempDirectory("ledger-it"));
    viewer = server.token(tenant, Role.VIEWER);
    browser = Chromium.start();
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  private String api(String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  @Test
  void a_viewer_lists_the_library_the_server_ships() throws Exception {
    HttpResponse<String> r = server.get(viewer, api("/incidents"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode list = JSON.readTree(r.body());
    List<String> names = new ArrayList<>();
    list.forEach(i -> names.add(i.get("name").asText()));
    // the files of load-tests/incidents (failsafe runs in services/server), by file name: the
    // one source of the server, the CLI and docs/incidents.md
    List<String> files;
    try (Stream<Path> library = Files.list(Path.of("../../load-tests/incidents"))) {
      files =
          library
              .map(f -> f.getFileName().toString())
              .filter(f -> f.endsWith(".json"))
              .sorted()
              .map(f -> f.substring(0, f.length() - ".json".length()))
              .toList();
    }
    assertThat(names).hasSize(8).isEqualTo(files);
    assertThat(names.get(3)).isEqualTo("crowdstrike-2024");
    assertThat(names.get(6)).isEqualTo("good-release");
    JsonNode crowdstrike = list.get(3);
    assertThat(crowdstrike.get("hosts").asInt()).isEqualTo(10_000);
    assertThat(crowdstrike.get("historical").get("propagation").asText()).isEqualTo("PT1H18M");
    assertThat(crowdstrike.get("description").asText()).startsWith("CrowdStrike Channel File 291");
    assertThat(list.get(6).hasNonNull("historical")).isFalse(); // a good release: none
  }

  @Test
  void the_library_is_read_by_a_token_of_the_tenant_only() {
    String other = server.token("other-" + tenant, Role.ADMIN);

    assertThat(server.get(api("/incidents")).statusCode()).isEqualTo(401);
    // another tenant's token: 404, as for every route of a tenant not the token's (TenancyIT)
    assertThat(server.get(other, api("/incidents")).statusCode()).isEqualTo(404);
    assertThat(
            server.post(other, api("/whatif"), "{\"incident\": \"cloudflare-2019\"}").statusCode())
        .isEqualTo(404);
  }

  @Test
  void an_incident_under_a_plan_is_what_ledger_incidents_computes() throws Exception {
    HttpResponse<String> r =
        server.post(viewer, api("/whatif"), "{\"incident\": \"crowdstrike-2024\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode result = JSON.readTree(r.body());
    IncidentComparison expected =
        IncidentComparison.run(
            server.bean(IncidentLibrary.class).named("crowdstrike-2024").orElseThrow().scenario(),
            null);
    assertThat(result.get("incident").asText()).isEqualTo("crowdstrike-2024");
    assertThat(result.get("plan").asText()).isEqualTo("dba"); // the default plan's template
    JsonNode historical = result.get("historical");
    assertThat(historical.get("propagation").asText()).isEqualTo("PT1H18M");
    assertThat(historical.get("exposedHosts").asInt()).isEqualTo(10_000);
    assertThat(historical.get("failedHosts").asInt())
        .isEqualTo(expected.historical().failedHosts())
        .isGreaterThan(9_000);
    JsonNode whatIf = result.get("whatIf");
    assertThat(whatIf.get("halted").asBoolean()).isTrue();
    assertThat(whatIf.get("haltedWave").asText()).isEqualTo("devbox");
    assertThat(whatIf.get("haltSignal").asText()).isEqualTo(expected.whatIf().haltSignal());
    assertThat(whatIf.get("exposedHosts").asInt())
        .isEqualTo(expected.whatIf().exposedHosts())
        .isLessThanOrEqualTo(whatIf.get("firstWaveHosts").asInt());
    assertThat(whatIf.get("failedHosts").asInt()).isEqualTo(expected.whatIf().failedHosts());
    assertThat(whatIf.get("timeToHalt").asText())
        .isEqualTo(expected.whatIf().timeToHalt().toString());
    assertThat(result.get("summary").asText()).isEqualTo(expected.summary());

    // another template by name, as at POST /rollouts: classic's first wave is dev
    JsonNode classic =
        JSON.readTree(
            server
                .post(
                    viewer,
                    api("/whatif"),
                    "{\"incident\": \"crowdstrike-2024\", \"plan\": \"classic\"}")
                .body());
    assertThat(classic.get("plan").asText()).isEqualTo("classic");
    assertThat(classic.get("whatIf").get("haltedWave").asText()).isEqualTo("dev");

    // a plan written out: one wave for every host, nothing to halt before all have it
    JsonNode written =
        JSON.readTree(
            server
                .post(
                    viewer,
                    api("/whatif"),
                    """
                    {"incident": "google-cloud-2025",
                     "plan": {"waves": [{"name": "everyone", "selector": {}, "bake": "PT1M"}]}}""")
                .body());
    JsonNode staged =
        JSON.readTree(
            server.post(viewer, api("/whatif"), "{\"incident\": \"google-cloud-2025\"}").body());
    assertThat(written.get("plan").isNull()).isTrue();
    assertThat(written.get("whatIf").get("haltedWave").asText("")).isIn("everyone", "");
    assertThat(written.get("whatIf").get("exposedHosts").asInt())
        .isGreaterThan(staged.get("whatIf").get("exposedHosts").asInt());
  }

  @Test
  void one_what_if_runs_at_a_time_and_a_cached_outcome_is_answered_even_then() {
    String cached = "{\"incident\": \"cloudflare-2019\", \"plan\": \"classic\"}";
    HttpResponse<String> first = server.post(viewer, api("/whatif"), cached);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

    // the test holds the server's one what-if slot, as a long simulation would
    server
        .bean(WhatIfRuns.class)
        .exclusively(
            () -> {
              HttpResponse<String> busy =
                  server.post(viewer, api("/whatif"), "{\"incident\": \"fastly-2021\"}");
              assertThat(busy.statusCode()).as(busy.body()).isEqualTo(429);
              assertThat(busy.headers().firstValue("Retry-After")).hasValue("5");
              assertThat(busy.headers().firstValue("Content-Type"))
                  .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));

              HttpResponse<String> again = server.post(viewer, api("/whatif"), cached);
              assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
              assertThat(again.body()).isEqualTo(first.body());
              return null;
            });
  }

  @Test
  void a_bad_incident_what_if_names_the_field_it_refuses() {
    record Case(String body, String field) {}
    for (Case c :
        List.of(
            new Case("{\"incident\": \"knight-capital-2012\"}", "incident"),
            new Case("{\"incident\": 7}", "incident"),
            new Case("{\"incident\": \"crowdstrike-2024\", \"rollout\": \"r1\"}", "incident"),
            new Case("{\"incident\": \"crowdstrike-2024\", \"plan\": \"yolo\"}", "plan"),
            new Case("{\"incident\": \"crowdstrike-2024\", \"plan\": 3}", "plan"),
            new Case("{\"incident\": \"crowdstrike-2024\", \"plan\": {\"waves\": 3}}", "plan"),
            new Case("{\"incident\": \"crowdstrike-2024\", \"horizon\": \"P2D\"}", "horizon"),
            new Case("{\"incident\": \"crowdstrike-2024\", \"policy\": {}}", "policy"))) {
      HttpResponse<String> r = server.post(viewer, api("/whatif"), c.body());
      assertThat(r.statusCode()).as(c.body() + " -> " + r.body()).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
      assertThat(r.body()).as(c.body()).contains("\"field\":\"" + c.field());
    }
  }

  @Test
  void a_person_picks_crowdstrike_runs_it_and_sees_the_halt_beside_the_outage() throws IOException {
    signIn(viewer);
    browser.executeScript("location.hash = arguments[0]", "#/whatif");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                !browser
                    .findElements(By.cssSelector("#whatif-incident option[value=crowdstrike-2024]"))
                    .isEmpty());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                !browser
                    .findElements(By.cssSelector("#whatif-template option[value=dba]"))
                    .isEmpty());

    new Select(browser.findElement(By.id("whatif-incident"))).selectByValue("crowdstrike-2024");
    assertThat(browser.findElement(By.id("whatif-incident-about")).getText())
        .startsWith("CrowdStrike Channel File 291");
    new Select(browser.findElement(By.id("whatif-template"))).selectByValue("dba");
    browser.findElement(By.id("whatif-run")).click();

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !browser.findElements(By.cssSelector("#whatif-result")).isEmpty());
    WebElement outcome =
        browser.findElement(By.cssSelector("#whatif-result tr[data-field=outcome]"));
    assertThat(outcome.findElements(By.tagName("td")))
        .extracting(WebElement::getText)
        .containsExactly("not halted: every host received it", "halted in devbox (crash)");
    WebElement exposed =
        browser.findElement(By.cssSelector("#whatif-result tr[data-field=exposedHosts]"));
    assertThat(exposed.findElements(By.tagName("td")))
        .extracting(WebElement::getText)
        .first()
        .isEqualTo("10,000");
    assertThat(browser.findElement(By.id("whatif-summary")).getText())
        .startsWith(
            "All at once, crowdstrike-2024 reached 10,000 of 10,000 hosts within 1 h 18 min")
        .contains("halted in wave devbox");
    screenshot("dashboard-whatif-incident.png");

    List<String> violations = new ArrayList<>();
    for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
      if (e.getMessage().contains("Content Security Policy")
          || e.getMessage().contains("Refused to")) {
        violations.add(e.getMessage());
      }
    }
    assertThat(violations).isEmpty();
  }

  private void signIn(String token) {
    browser.get(server.url("/ui/"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> !browser.findElements(By.id("token")).isEmpty());
    WebElement field = browser.findElement(By.id("token"));
    field.clear();
    field.sendKeys(token);
    browser.findElement(By.id("signin")).click();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> browser.findElement(By.id("who")).isDisplayed());
  }

  /** With -Dledger.screenshots=DIR: the page as DIR/name, DIR relative to the repository. */
  private void screenshot(String name) throws IOException {
    String dir = System.getProperty("ledger.screenshots");
    if (dir == null || dir.isBlank()) {
      return;
    }
    Path root = Path.of("").toAbsolutePath();
    while (root.getParent() != null && !Files.exists(root.resolve("mvnw"))) {
      root = root.getParent();
    }
    Path out = root.resolve(dir).resolve(name);
    Files.createDirectories(out.getParent());
    Files.write(out, browser.getScreenshotAs(OutputType.BYTES));
  }
}
