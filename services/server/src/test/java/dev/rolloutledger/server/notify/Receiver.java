package dev.rolloutledger.server.notify;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver on loopback (the JDK's HTTP server): each path answers from a script of
 * statuses (the last repeats), or never ({@link #hang}); every request is kept.
 */
final class Receiver implements AutoCloseable {
  record Received(String path, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, Deque<Integer>> scripts = new ConcurrentHashMap<>();
  private final CountDownLatch released = new CountDownLatch(1);

  Receiver() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** {@code path} answers these statuses in turn, then the last one again and again. */
  Receiver answer(String path, Integer... statuses) {
    scripts.put(path, new ArrayDeque<>(List.of(statuses)));
    return this;
  }

  /** {@code path} takes the request and never answers (until close). */
  Receiver hang(String path) {
    scripts.put(path, new ArrayDeque<>(List.of(-1)));
    return this;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  List<Received> at(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  private void handle(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    received.add(
        new Received(path, Map.copyOf(x.getRequestHeaders()), x.getRequestBody().readAllBytes()));
    Deque<Integer> script = scripts.getOrDefault(path, new ArrayDeque<>(List.of(404)));
    int status;
    synchronized (script) {
      status = script.size() > 1 ? script.poll() : script.peek();
    }
    if (status < 0) {
      try {
        released.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      x.close();
      return;
    }
    x.sendResponseHeaders(status, -1);
    x.close();
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
