package dev.rolloutledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ledger tail} against a server that pages a rollout's ledger as docs/api.md says. */
class TailCommandTest {
  static final int ENTRIES = 1_203;
  static final int PAGE = 500;

  @TempDir Path dir;
  HttpServer server;
  final List<String> queries = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/api/v1/tenants/default/rollouts/r1/ledger",
        exchange -> {
          URI uri = exchange.getRequestURI();
          queries.add(uri.getQuery());
          long from = Long.parseLong(param(uri.getQuery(), "fromSeq"));
          int limit = Integer.parseInt(param(uri.getQuery(), "limit"));
          byte[] body = page(from, Math.min(limit, PAGE)).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /** The controller's page: {"rollout", "entries", "nextSeq"}, nextSeq left out on the last. */
  static String page(long from, int limit) {
    StringBuilder b = new StringBuilder("{\"rollout\": \"r1\", \"entries\": [");
    long last = Math.min(from + limit - 1, ENTRIES);
    for (long seq = from; seq <= last; seq++) {
      b.append(seq == from ? "" : ", ")
          .append("{\"type\": \"WaveStarted\", \"seq\": ")
          .append(seq)
          .append(", \"at\": \"2026-12-07T00:00:00Z\"}");
    }
    b.append(']');
    if (last < ENTRIES) {
      b.append(", \"nextSeq\": ").append(last + 1);
    }
    return b.append('}').toString();
  }

  static String param(String query, String name) {
    for (String kv : query.split("&")) {
      if (kv.startsWith(name + "=")) {
        return kv.substring(name.length() + 1);
      }
    }
    throw new IllegalArgumentException(name + " missing in " + query);
  }

  @Test
  void tail_without_follow_prints_every_page_of_the_ledger_and_stops() throws Exception {
    Path token = Files.writeString(dir.resolve("t.token"), "secret");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int exit =
        LedgerCli.execute(
            new String[] {
              "tail",
              "r1",
              "--server",
              "http://127.0.0.1:" + server.getAddress().getPort(),
              "--token-file",
              token.toString()
            },
            new PrintWriter(out, true),
            new PrintWriter(err, true));

    assertThat(exit).as(err.toString()).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(ENTRIES);
    assertThat(lines.get(0)).startsWith("1 ");
    assertThat(lines.get(ENTRIES - 1)).startsWith(ENTRIES + " ");
    assertThat(queries)
        .containsExactly("fromSeq=1&limit=500", "fromSeq=501&limit=500", "fromSeq=1001&limit=500");
  }
}
