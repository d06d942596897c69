package dev.rolloutledger.cli;

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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A server on a loopback port that answers GET paths (without query) with canned JSON, 404 as a
 * problem otherwise, and records each request's path and query; and the CLI run against it.
 */
final class StubServer implements AutoCloseable {
  record Answer(int status, String json) {}

  record Run(int exit, String out, String err) {}

  private final HttpServer server;
  private final Map<String, Supplier<Answer>> routes = new ConcurrentHashMap<>();
  final List<String> requests = new CopyOnWriteArrayList<>();
  private final Path token;

  StubServer(Path dir) throws IOException {
    token = Files.writeString(dir.resolve("t.token"), "secret");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          String query = exchange.getRequestURI().getRawQuery();
          requests.add(path + (query == null ? "" : "?" + query));
          Supplier<Answer> route = routes.get(path);
          Answer a =
              route == null
                  ? new Answer(404, "{\"status\": 404, \"detail\": \"" + path + " not found\"}")
                  : route.get();
          byte[] body = a.json().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(a.status(), body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  /** Answers GET {@code /api/v1/tenants/default + path} with 200 and {@code json}. */
  StubServer tenant(String path, String json) {
    return route("/api/v1/tenants/default" + path, () -> new Answer(200, json));
  }

  StubServer route(String path, Supplier<Answer> answer) {
    routes.put(path, answer);
    return this;
  }

  /** {@code ledger ARGS --server THIS --token-file T}. */
  Run ledger(String... args) {
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

  @Override
  public void close() {
    server.stop(0);
  }
}
