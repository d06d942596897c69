package dev.rolloutledger.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.server.TestServer;
import dev.rolloutledger.server.auth.Role;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The dashboard in a real headless Chromium against a real server and broker: a person signs in,
 * watches one rollout promote and another halt without reloading, approves a wave; a viewer sees no
 * action and is refused one it forces; no page breaks its Content-Security-Policy.
 *
 * <p>With {@code -Dledger.screenshots=docs/img} (relative to the repository) it saves the main
 * pages as PNGs for docs/dashboard.md and the README.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA = "c".repeat(64);

  /**
   * How long a decision may take to reach the open page once the API has it: the page gets it from
   * the server's events well within a second (the delay is printed); the bound is wide so that a
   * loaded CI machine does not fail the test. What proves the stream is not the delay but how the
   * entry came: the page marks each ledger entry {@code data-arrived="live"} only when the events
   * stream brought it before the page showed it (its 3 s poll of the rollout and the catch-up of
   * missed entries mark theirs {@code catch-up}), and the page must not have reloaded.
   */
  private static final Duration LIVE = Duration.ofSeconds(10);

  private TestServer server;
  private ChromeDriver browser;
  private final String tenant = "d" + UUID.randomUUID().toString().substring(0, 8);
  private String admin;
  private final ScheduledExecutorService agents = Executors.newSingleThreadScheduledExecutor();

  /** host -> the release its agent reports in its heartbeats (every second, as an agent does). */
  private final Map<String, String> fleet = new ConcurrentHashMap<>();

  @BeforeAll
  void start() throws IOException {
    Chromium.ensureInstalled(); // fails, never skips, when there is no browser
    server =
        new TestServer("it-dashboard-" + UUID.randomUUID(), Files.createTempDirectory("ledger-it"));
    admin = server.token(tenant, Role.ADMIN);
    browser = Chromium.start();
    agents.scheduleAtFixedRate(this::beat, 1, 1, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() {
    agents.shutdownNow();
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void a_person_signs_in_with_a_token_and_sees_the_tenant_and_role() {
    signIn(admin);

    assertThat(text("#identity")).contains(tenant).contains("admin");
    assertThat(browser.findElement(By.id("rollouts")).isDisplayed()).isTrue();
    // the token lives in this tab's session storage, never in the address
    assertThat(browser.getCurrentUrl()).doesNotContain(admin);
    assertThat(browser.executeScript("return sessionStorage.getItem('ledger.token')"))
        .isEqualTo(admin);
    assertThat(browser.executeScript("return localStorage.length")).isEqualTo(0L);
  }

  @Test
  @Order(2)
  void an_unknown_token_is_sent_back_to_sign_in_with_the_servers_401() {
    signOut();
    type("#token", "not-a-token");
    click("#signin");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !browser.findElements(By.cssSelector(".signin .problem")).isEmpty());
    assertThat(text(".signin .problem")).contains("401");
    assertThat(browser.executeScript("return sessionStorage.getItem('ledger.token')")).isNull();
    signIn(admin);
  }

  @Test
  @Order(3)
  void a_rollout_promotes_live_and_a_person_approves_its_last_wave() throws Exception {
    givenHosts("a", "a1", "a2");
    givenHosts("b", "b1", "b2");
    release("cf-301");
    rollout(
        "r-promote",
        "cf-301",
        """
        {"heartbeatTimeout": "PT4S", "waves": [
          {"name": "canary", "selector": {"env": "a"}, "bake": "PT2S"},
          {"name": "fleet", "selector": {"env": "b"}, "bake": "PT2S", "approval": true}]}""");
    open("#/rollouts/r-promote");
    markPage();
    awaitDispatched("r-promote", "canary");

    applied("cf-301", "a1", "a2");

    awaitInPage("WavePromoted", "r-promote");
    await().atMost(LIVE).until(() -> "promoted".equals(waveState("canary")));
    awaitDispatched("r-promote", "fleet");
    applied("cf-301", "b1", "b2");
    // the approval is a badge beside the wave's state: it still says dispatching or baking
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "awaiting".equals(attribute("li.wave[data-wave=fleet]", "data-approval")));
    assertThat(waveState("fleet")).isIn("dispatching", "baking");
    assertThat(text("li.wave[data-wave=fleet] .approval-badge")).isEqualTo("awaiting approval");
    By approve = By.cssSelector("li.wave[data-wave=fleet] button.a-approve");
    // the wave card is redrawn when its counts change: read and click the button that is there now
    await()
        .atMost(Duration.ofSeconds(5))
        .ignoreException(org.openqa.selenium.StaleElementReferenceException.class)
        .until(() -> browser.findElement(approve).isDisplayed());
    await()
        .atMost(Duration.ofSeconds(5))
        .ignoreException(org.openqa.selenium.StaleElementReferenceException.class)
        .until(
            () -> {
              browser.findElement(approve).click();
              return browser.findElement(By.id("confirm")).isDisplayed();
            });
    assertThat(text("#confirm-title")).contains("Approve").contains("fleet");
    click("#confirm-ok");

    await().atMost(Duration.ofSeconds(10)).until(() -> text("#action-out").contains("accepted"));
    awaitInPage("RolloutCompleted", "r-promote");
    assertThat(browser.findElement(By.id("main")).getAttribute("data-status"))
        .isEqualTo("COMPLETED");
    // every entry linked to the one before and its SHA-256 recomputed in the browser
    int entries =
        JSON.readTree(server.get(admin, api("/rollouts/r-promote/ledger")).body())
            .get("entries")
            .size();
    assertThat(text("#chain-summary"))
        .isEqualTo(
            "✓ %d entries chained from genesis; %d hashes recomputed in this browser"
                .formatted(entries, entries));
    assertThat(browser.findElements(By.cssSelector("#ledger .chk.ok"))).hasSize(2 * entries);
    assertPageNotReloaded();
  }

  @Test
  @Order(4)
  void a_rollout_halts_live_with_the_evidence_that_explains_it() throws Exception {
    String[] wave = {"h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8"};
    givenHosts("h", wave);
    String[] rest = new String[12];
    for (int i = 0; i < rest.length; i++) {
      rest[i] = "z" + (i + 1);
    }
    givenHosts("z", rest); // the baseline: hosts of the rollout not yet updated
    release("cf-302");
    // a cap no crash count reaches before the evidence does: the e-value decides
    rollout(
        "r-halt",
        "cf-302",
        """
        {"waves": [{"name": "beta", "selector": {"env": "h"}, "bake": "PT5M",
                    "maxCrashFraction": 0.99},
                   {"name": "rest", "selector": {"env": "z"}, "bake": "PT5M"}]}""");
    open("#/rollouts/r-halt");
    markPage();
    awaitDispatched("r-halt", "beta");
    applied("cf-302", wave);
    // the wave bakes for 5 minutes from its start: a bar of the time passed
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                !browser
                    .findElements(By.cssSelector("li.wave[data-wave=beta] .bake-line .bar"))
                    .isEmpty());
    assertThat(text("li.wave[data-wave=beta] .bake-line")).contains("bake").contains("/5m00s");

    // the updated hosts crash one after the other, each once the engine recorded the last
    List<String> crashed = new ArrayList<>();
    for (String host : wave) {
      if (status("r-halt").equals("HALTED")) {
        break;
      }
      int before = evidencePoints("r-halt");
      post(
          "/telemetry",
          """
          [{"type": "crash", "host": "%s", "release": "cf-302", "signature": "PAGE_FAULT", "kind": "BSOD"}]"""
              .formatted(host));
      crashed.add(host);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> evidencePoints("r-halt") > before || status("r-halt").equals("HALTED"));
    }

    awaitInPage("RolloutHalted", "r-halt");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> "HALTED".equals(browser.findElement(By.id("main")).getAttribute("data-status")));
    assertThat(waveState("beta")).isEqualTo("halted");
    By halted = By.cssSelector("li.entry[data-type=RolloutHalted]");
    assertThat(fresh(() -> browser.findElement(halted).getText()))
        .containsAnyOf("crashed", "eValue");
    assertThat(fresh(() -> browser.findElement(halted).getAttribute("data-chain"))).isEqualTo("ok");
    // the chart of the CRASH signal has the evidence up to the halt
    await().atMost(Duration.ofSeconds(10)).until(() -> points("CRASH") >= crashed.size());
    assertThat(browser.findElements(By.cssSelector("section.chart[data-signal=CRASH] canvas")))
        .isNotEmpty();
    // the halt is marked on the chart, at its point
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                attribute("section.chart[data-signal=CRASH]", "data-marks")
                    .contains("RolloutHalted"));
    // and the failing fractions with the wave's cap, drawn from the same points
    assertThat(points("FRACTION")).isEqualTo(points("CRASH"));
    // every point of the path, the halt's included, once: none lost between the first read and
    // the live points, none twice
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                String.valueOf(evidencePoints("r-halt"))
                        .equals(attribute("#charts", "data-first-missing"))
                    && attribute("#charts", "data-first-missing")
                        .equals(attribute("#charts", "data-points")));
    // and no read of the path failed on the way (a page past the last point has no "points")
    assertThat(browser.findElements(By.cssSelector("#evidence-status .problem")))
        .extracting(WebElement::getText)
        .isEmpty();
    assertPageNotReloaded();
    // its hosts, filtered to the failing ones: the host that crashed
    List<String> failing = new ArrayList<>();
    JsonNode hosts =
        JSON.readTree(server.get(admin, api("/hosts?rollout=r-halt")).body()).get("hosts");
    for (JsonNode h : hosts) {
      if (h.get("state").asText().startsWith("failing")) {
        failing.add(h.get("host").asText());
      }
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                browser.findElements(By.cssSelector(".hosts-table tr[data-host]")).size()
                    == hosts.size());
    assertThat(failing).containsExactlyInAnyOrderElementsOf(crashed);
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("host-state-r")))
        .selectByValue("failing");
    assertThat(browser.findElements(By.cssSelector(".hosts-table tr[data-host]")))
        .extracting(r -> r.getAttribute("data-host"))
        .containsExactlyInAnyOrderElementsOf(failing);
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("host-state-r")))
        .selectByValue("all");

    screenshot("dashboard-rollout-halted.png", null);
    screenshot(
        "dashboard-ledger.png",
        browser.findElement(By.cssSelector("#ledger-title")).findElement(By.xpath("..")));
    open("#/rollouts");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> browser.findElements(By.cssSelector("#rollouts tr[data-rollout]")).size() == 2);
    assertThat(attribute("#rollouts tr[data-rollout=r-halt]", "data-status")).isEqualTo("HALTED");
    assertThat(attribute("#rollouts tr[data-rollout=r-promote]", "data-status"))
        .isEqualTo("COMPLETED");
    screenshot("dashboard-rollouts.png", null);

    // the fleet's hosts and the owner's policy, as an admin sees them
    open("#/hosts");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !browser.findElements(By.cssSelector(".hosts-table tr[data-host]")).isEmpty());
    screenshot("dashboard-hosts.png", null);
    open("#/policy");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !browser.findElements(By.id("publisher-trust")).isEmpty());
    // an admin may take every action the page lists (approve, pause, resume, halt, rollback)
    assertThat(browser.findElements(By.cssSelector("#role-actions tbody tr")))
        .hasSizeGreaterThanOrEqualTo(5)
        .allMatch(row -> !row.findElements(By.cssSelector(".chk.ok")).isEmpty());
    screenshot("dashboard-policy.png", null);
  }

  @Test
  @Order(5)
  void a_viewer_sees_no_action_and_a_forced_one_shows_the_servers_403() {
    signOut();
    signIn(server.token(tenant, Role.VIEWER));
    open("#/rollouts/r-halt");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !browser.findElements(By.cssSelector("#actions button")).isEmpty());

    assertThat(browser.findElements(By.cssSelector("button.action")))
        .isNotEmpty()
        .noneMatch(WebElement::isDisplayed);
    assertThat(text("#read-only")).contains("viewer");

    // a person who unhides the button (or calls the API) is refused by the server, and sees why
    browser.executeScript(
        "document.querySelector('button.a-rollback').hidden = false;"
            + " document.querySelector('button.a-rollback').click();");
    type("#confirm-reason", "forced by a viewer");
    click("#confirm-ok");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !browser.findElements(By.cssSelector("#action-out .problem")).isEmpty());
    assertThat(text("#action-out .problem")).contains("403").contains("viewer");
    assertThat(server.get(admin, api("/rollouts/r-halt")).body()).contains("\"HALTED\"");
  }

  @Test
  @Order(6)
  void what_if_shows_the_recorded_and_the_re_judged_outcome_side_by_side() throws IOException {
    signOut();
    signIn(admin);
    open("#/whatif");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> browser.findElements(By.cssSelector("#whatif-rollout option")).size() == 3);

    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("whatif-rollout")))
        .selectByValue("r-halt");
    click("#whatif-run");

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !browser.findElements(By.cssSelector("#whatif-result")).isEmpty());
    WebElement halted = browser.findElement(By.cssSelector("#whatif-result tr[data-field=halted]"));
    // the recorded plan, re-judged by the same engine: the same halt
    assertThat(halted.findElements(By.tagName("td")))
        .extracting(WebElement::getText)
        .containsExactly("true", "true");
    screenshot("dashboard-whatif.png", null);
  }

  @Test
  @Order(7)
  void no_page_breaks_the_content_security_policy() {
    HttpResponse<String> page = server.get("/ui/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'")
        .doesNotContain("unsafe-inline");
    assertThat(page.body())
        .doesNotContain("<style")
        .doesNotContain("style=")
        .doesNotContainPattern("\\son[a-z]+=")
        .doesNotContainPattern("<script(?![^>]*\\bsrc=)");
    signOut();
    signIn(admin);
    for (String route :
        List.of(
            "#/rollouts",
            "#/rollouts/r-halt",
            "#/rollouts/r-promote",
            "#/hosts",
            "#/policy",
            "#/whatif")) {
      open(route);
    }
    List<String> violations = new ArrayList<>();
    for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
      String m = e.getMessage();
      if (m.contains("Content Security Policy") || m.contains("Refused to")) {
        violations.add(m);
      }
    }
    assertThat(violations).isEmpty();
    assertThat(
            browser.executeScript("return document.documentElement.dataset.cspViolations || '0'"))
        .isEqualTo("0");
  }

  // --- the fleet and the API ---

  private String api(String path) {
    return "/api/v1/tenants/" + tenant + path;
  }

  private void post(String path, String json) {
    HttpResponse<String> r = server.post(admin, api(path), json);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }

  private void givenHosts(String env, String... hosts) {
    StringBuilder body = new StringBuilder("[");
    for (String h : hosts) {
      body.append(body.length() > 1 ? "," : "")
          .append("{\"host\": \"%s\", \"labels\": {\"env\": \"%s\"}}".formatted(h, env));
      fleet.put(h, "cf-290");
    }
    post("/hosts", body.append(']').toString());
    server.reachable(admin, tenant, hosts);
  }

  private void release(String release) {
    post(
        "/releases",
        """
        {"release": "%s", "artifact": "channel-file", "version": "1", "sha256": "%s", "publisher": "vendor"}"""
            .formatted(release, SHA));
  }

  private void rollout(String rollout, String release, String plan) {
    post(
        "/rollouts",
        "{\"rollout\": \"%s\", \"release\": \"%s\", \"plan\": %s}"
            .formatted(rollout, release, plan));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.get(admin, api("/rollouts/" + rollout)).statusCode() == 200);
  }

  private String status(String rollout) throws IOException {
    return JSON.readTree(server.get(admin, api("/rollouts/" + rollout)).body())
        .get("status")
        .asText();
  }

  private int evidencePoints(String rollout) throws IOException {
    return JSON.readTree(server.get(admin, api("/rollouts/" + rollout + "/evidence")).body())
        .get("points")
        .size();
  }

  private void awaitDispatched(String rollout, String wave) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              JsonNode r = JSON.readTree(server.get(admin, api("/rollouts/" + rollout)).body());
              for (JsonNode w : r.get("waves")) {
                if (w.get("name").asText().equals(wave)) {
                  return r.get("currentWave").asText().equals(wave)
                      && w.get("assigned").asInt() > 0
                      && w.get("dispatched").asInt() == w.get("assigned").asInt();
                }
              }
              return false;
            });
  }

  private void applied(String release, String... hosts) {
    StringBuilder items = new StringBuilder("[");
    for (String h : hosts) {
      items
          .append(items.length() > 1 ? "," : "")
          .append(
              "{\"type\": \"applied\", \"host\": \"%s\", \"release\": \"%s\", \"ok\": true}"
                  .formatted(h, release));
      fleet.put(h, release);
    }
    post("/telemetry", items.append(']').toString());
  }

  /** Every host's agent beats, reporting the release it runs: no host falls silent. */
  private void beat() {
    Set<Map.Entry<String, String>> hosts = Map.copyOf(fleet).entrySet();
    if (hosts.isEmpty()) {
      return;
    }
    StringBuilder items = new StringBuilder("[");
    for (Map.Entry<String, String> h : hosts) {
      items
          .append(items.length() > 1 ? "," : "")
          .append(
              "{\"type\": \"heartbeat\", \"host\": \"%s\", \"release\": \"%s\"}"
                  .formatted(h.getKey(), h.getValue()));
    }
    server.post(admin, api("/telemetry"), items.append(']').toString());
  }

  // --- the browser ---

  private void signIn(String token) {
    browser.get(server.url("/ui/"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> !browser.findElements(By.id("token")).isEmpty());
    type("#token", token);
    click("#signin");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> browser.findElement(By.id("who")).isDisplayed());
  }

  private void signOut() {
    if (!browser.findElements(By.id("signout")).isEmpty()
        && browser.findElement(By.id("signout")).isDisplayed()) {
      click("#signout");
    } else {
      browser.get(server.url("/ui/"));
      browser.executeScript("sessionStorage.clear()");
      browser.navigate().refresh();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !browser.findElements(By.id("token")).isEmpty());
  }

  /** Goes to a page of the dashboard and waits for its heading. */
  private void open(String route) {
    browser.executeScript("location.hash = arguments[0]", route);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !browser.findElements(By.cssSelector("#main h1")).isEmpty());
  }

  /** A mark only this page load has: a reload would lose it. */
  private void markPage() {
    browser.executeScript("window.__notReloaded = true");
  }

  private void assertPageNotReloaded() {
    assertThat(browser.executeScript("return window.__notReloaded === true")).isEqualTo(true);
  }

  /**
   * The decision {@code type} is in the ledger (the API), and then on the open page within {@link
   * #LIVE}, brought by the server's events ({@code data-arrived="live"}): not by the page's poll,
   * not by a reload.
   */
  private void awaitInPage(String type, String rollout) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                server
                    .get(admin, api("/rollouts/" + rollout + "/ledger"))
                    .body()
                    .contains("\"" + type + "\""));
    long inLedger = System.nanoTime();
    await()
        .atMost(LIVE)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                !browser
                    .findElements(By.cssSelector("li.entry[data-type=" + type + "]"))
                    .isEmpty());
    long delay = (System.nanoTime() - inLedger) / 1_000_000;
    String arrived =
        attribute("li.entry[data-type=" + type + "]", "data-arrived"); // the newest: first
    System.out.printf(
        "dashboard: %s of %s on the page %d ms after the API had it, arrived %s%n",
        type, rollout, delay, arrived);
    assertThat(arrived).as("how the %s entry reached the page", type).isEqualTo("live");
    assertThat(browser.findElement(By.id("live")).getAttribute("data-state")).isEqualTo("on");
    assertPageNotReloaded();
  }

  /**
   * Reads the page as it is now: a live update may redraw an element between finding it and reading
   * it (a stale element), and then it is found again.
   */
  private static <T> T fresh(java.util.function.Supplier<T> read) {
    for (int attempt = 1; ; attempt++) {
      try {
        return read.get();
      } catch (org.openqa.selenium.StaleElementReferenceException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }

  private String waveState(String wave) {
    return fresh(
        () -> {
          List<WebElement> w =
              browser.findElements(By.cssSelector("li.wave[data-wave=" + wave + "]"));
          return w.isEmpty() ? null : w.get(0).getAttribute("data-state");
        });
  }

  private int points(String signal) {
    return fresh(
        () -> {
          List<WebElement> chart =
              browser.findElements(By.cssSelector("section.chart[data-signal=" + signal + "]"));
          String n = chart.isEmpty() ? null : chart.get(0).getAttribute("data-points");
          return n == null ? 0 : Integer.parseInt(n);
        });
  }

  private String text(String css) {
    return fresh(() -> browser.findElement(By.cssSelector(css)).getText());
  }

  private String attribute(String css, String name) {
    return fresh(() -> browser.findElement(By.cssSelector(css)).getAttribute(name));
  }

  private void type(String css, String text) {
    WebElement e = browser.findElement(By.cssSelector(css));
    e.clear();
    e.sendKeys(text);
  }

  private void click(String css) {
    browser.findElement(By.cssSelector(css)).click();
  }

  /**
   * With -Dledger.screenshots=DIR: the page (or one element) as DIR/name, DIR relative to the
   * repository; the window grows to the page's height first.
   */
  private void screenshot(String name, WebElement element) throws IOException {
    String dir = System.getProperty("ledger.screenshots");
    if (dir == null || dir.isBlank()) {
      return;
    }
    Path out = repositoryRoot().resolve(dir).resolve(name);
    Files.createDirectories(out.getParent());
    org.openqa.selenium.Dimension before = browser.manage().window().getSize();
    browser.executeScript("window.scrollTo(0, 0)");
    long height = (Long) browser.executeScript("return document.documentElement.scrollHeight");
    browser
        .manage()
        .window()
        .setSize(new org.openqa.selenium.Dimension(1280, (int) Math.min(height + 120, 2400)));
    try {
      byte[] png =
          element == null
              ? browser.getScreenshotAs(OutputType.BYTES)
              : element.getScreenshotAs(OutputType.BYTES);
      Files.write(out, png);
    } finally {
      browser.manage().window().setSize(before);
    }
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
      dir = dir.getParent();
    }
    return dir == null ? Path.of("").toAbsolutePath() : dir;
  }
}
