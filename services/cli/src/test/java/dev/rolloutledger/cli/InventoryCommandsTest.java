package dev.rolloutledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ledger hosts} and {@code ledger releases} against a server that answers as docs/api.md
 * ("Inventory") says: the requests they make, the tables they print, and a refusal's exit code.
 */
class InventoryCommandsTest {
  @TempDir Path dir;
  HttpServer server;
  final List<String> requests = new CopyOnWriteArrayList<>();

  static final String PAGE =
      """
      {"hosts": [
        {"host": "h04", "labels": {"env": "prod"}, "liveness": "alive",
         "lastSignOfLifeAt": "2026-12-07T10:00:00Z", "lifecycle": "active", "rollout": "r1",
         "wave": "prod", "state": "failing:crash", "reportedRelease": "cf-9"},
        {"host": "h05", "labels": {"env": "prod", "tier": "a"}, "liveness": "unseen",
         "lastSignOfLifeAt": null, "lifecycle": "cordoned", "rollout": null, "wave": null,
         "state": null, "reportedRelease": null}],
       "next": "h05"}""";

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/api/v1/tenants/default/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          String query = exchange.getRequestURI().getRawQuery();
          requests.add(
              exchange.getRequestMethod() + " " + path + (query == null ? "" : "?" + query));
          if (path.endsWith("/hosts")) {
            if (query != null && query.contains("lifecycle=gone")) {
              answer(
                  exchange,
                  400,
                  "{\"status\": 400, \"detail\": \"lifecycle must be one of active, cordoned,"
                      + " retired, was 'gone'\", \"field\": \"lifecycle\"}");
            } else {
              answer(exchange, 200, PAGE);
            }
          } else if (path.endsWith("/hosts/h05/cordon")) {
            answer(
                exchange,
                202,
                "{\"host\": \"h05\", \"lifecycle\": \"cordoned\", \"by\": \"ops\","
                    + " \"at\": \"2026-12-07T10:00:00Z\"}");
          } else if (path.endsWith("/releases")) {
            answer(
                exchange,
                200,
                "[{\"release\": \"cf-9\", \"artifact\": \"agent\", \"version\": \"9\","
                    + " \"sha256\": \""
                    + "ab".repeat(32)
                    + "\", \"publisher\": \"ci\", \"severity\": \"EMERGENCY\","
                    + " \"publishedAt\": \"2026-12-07T09:00:00Z\", \"signed\": false},"
                    + " {\"release\": \"cf-10\", \"artifact\": \"agent\", \"version\": \"10\","
                    + " \"sha256\": \""
                    + "cd".repeat(32)
                    + "\", \"publisher\": \"vendor\", \"severity\": \"NORMAL\","
                    + " \"publishedAt\": \"2026-12-07T09:30:00Z\", \"signed\": true,"
                    + " \"publisherKeyId\": \"2b3daf7cef8691f8\"}]");
          } else {
            answer(exchange, 404, "{\"status\": 404, \"detail\": \"not found\"}");
          }
        });
    server.start();
  }

  private static void answer(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  record Run(int exit, String out, String err) {}

  Run ledger(String... args) throws IOException {
    Path token = Files.writeString(dir.resolve("t.token"), "secret");
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--server",
            "http://127.0.0.1:" + server.getAddress().getPort(),
            "--token-file",
            token.toString()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        LedgerCli.execute(
            all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void hosts_sends_each_filter_given_encoded_and_prints_a_table_and_where_the_next_page_starts()
      throws Exception {
    Run run =
        ledger("hosts", "--selector", "env=prod,tier=a", "--liveness", "alive", "--limit", "2");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(requests)
        .containsExactly(
            "GET /api/v1/tenants/default/hosts?selector=env%3Dprod%2Ctier%3Da&liveness=alive&limit=2");
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).split("\\s+"))
        .containsExactly(
            "HOST", "LIFECYCLE", "LIVENESS", "ROLLOUT", "WAVE", "STATE", "RELEASE", "LABELS");
    assertThat(lines.get(1).split("\\s+"))
        .containsExactly(
            "h04", "active", "alive", "r1", "prod", "failing:crash", "cf-9", "env=prod");
    assertThat(lines.get(2).split("\\s+"))
        .containsExactly("h05", "cordoned", "unseen", "-", "-", "-", "-", "env=prod,tier=a");
    assertThat(run.err()).isEqualTo("more hosts: add --after h05" + System.lineSeparator());
  }

  @Test
  void hosts_without_options_asks_for_the_default_page_and_json_prints_the_server_s_answer()
      throws Exception {
    Run run = ledger("hosts", "--json", "--after", "h03");

    assertThat(run.exit()).isZero();
    assertThat(requests).containsExactly("GET /api/v1/tenants/default/hosts?after=h03");
    assertThat(Api.JSON.readTree(run.out())).isEqualTo(Api.JSON.readTree(PAGE));
  }

  @Test
  void cordon_posts_the_host_s_change_and_says_it_was_accepted() throws Exception {
    Run run = ledger("hosts", "cordon", "h05");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(requests).containsExactly("POST /api/v1/tenants/default/hosts/h05/cordon");
    assertThat(run.out()).startsWith("cordoned h05 (accepted");
  }

  @Test
  void a_refused_filter_exits_2_with_the_server_s_detail() throws Exception {
    Run run = ledger("hosts", "--lifecycle", "gone");

    assertThat(run.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(run.err()).contains("HTTP 400").contains("lifecycle must be one of");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void releases_prints_one_row_a_release_with_a_short_sha256() throws Exception {
    Run run = ledger("releases");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(requests).containsExactly("GET /api/v1/tenants/default/releases");
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).split("\\s+"))
        .containsExactly(
            "RELEASE",
            "ARTIFACT",
            "VERSION",
            "SEVERITY",
            "PUBLISHER",
            "SIGNED_BY",
            "PUBLISHED",
            "SHA256");
    assertThat(lines.get(1).split("\\s+"))
        .containsExactly(
            "cf-9", "agent", "9", "EMERGENCY", "ci", "no", "2026-12-07T09:00:00Z", "abababababab");
    // a signed release: the id of the key that signed it
    assertThat(lines.get(2).split("\\s+"))
        .containsExactly(
            "cf-10",
            "agent",
            "10",
            "NORMAL",
            "vendor",
            "2b3daf7cef8691f8",
            "2026-12-07T09:30:00Z",
            "cdcdcdcdcdcd");
  }
}
