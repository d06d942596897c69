package dev.rolloutledger.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent's reports to {@code POST /api/v1/tenants/{tenant}/telemetry}. Reports are queued and
 * sent in order; one the server cannot take now (it is down, or answers 429 or 5xx) stays queued
 * for the next flush, so an UpdateApplied is never lost to a blip. A 4xx other than 429 is a report
 * the server will never take: it is logged and dropped rather than blocking the rest.
 */
public final class HttpTelemetry implements TelemetrySink {
  private static final Logger LOG = LoggerFactory.getLogger(HttpTelemetry.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reports kept while the server is unreachable; older heartbeats go first beyond this. */
  static final int MAX_QUEUED = 10_000;

  private final ApiClient api;
  private final String path;
  private final String host;
  private final Clock clock;
  private final Deque<ObjectNode> queue = new ArrayDeque<>();

  public HttpTelemetry(ApiClient api, String tenant, String host, Clock clock) {
    this.api = api;
    this.path = "/api/v1/tenants/" + tenant + "/telemetry";
    this.host = host;
    this.clock = clock;
  }

  @Override
  public void applied(String release, boolean ok, String error) {
    ObjectNode item = item("applied", release);
    item.put("ok", ok);
    if (error != null) {
      item.put("error", error);
    }
    enqueue(item);
    flush();
  }

  public void heartbeat(String release, Map<String, Double> metrics) {
    ObjectNode item = item("heartbeat", release);
    ObjectNode m = item.putObject("metrics");
    metrics.forEach(m::put);
    enqueue(item);
    flush();
  }

  public void crash(String release, String signature, String kind) {
    ObjectNode item = item("crash", release);
    item.put("signature", signature);
    item.put("kind", kind);
    enqueue(item);
    flush();
  }

  /** Sends what is queued, oldest first; stops at the first failure that may pass. */
  public synchronized void flush() {
    while (!queue.isEmpty()) {
      ArrayNode batch = JSON.createArrayNode();
      queue.stream().limit(500).forEach(batch::add);
      try {
        api.post(path, batch);
      } catch (ApiClient.ApiException e) {
        if (e.status() != 429 && e.status() < 500) {
          LOG.error("the server refused {} report(s), dropped: {}", batch.size(), e.getMessage());
        } else {
          LOG.warn("telemetry not sent yet ({}); kept {}", e.getMessage(), queue.size());
          return;
        }
      } catch (IOException e) {
        LOG.warn("telemetry not sent yet ({}); kept {}", e.getMessage(), queue.size());
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      for (int i = 0; i < batch.size(); i++) {
        queue.removeFirst();
      }
    }
  }

  public synchronized int queued() {
    return queue.size();
  }

  private synchronized void enqueue(ObjectNode item) {
    if (queue.size() >= MAX_QUEUED) {
      queue.stream()
          .filter(i -> i.get("type").asText().equals("heartbeat"))
          .findFirst()
          .ifPresentOrElse(queue::remove, queue::removeFirst);
    }
    queue.addLast(item);
  }

  private ObjectNode item(String type, String release) {
    ObjectNode item = JSON.createObjectNode();
    item.put("type", type);
    item.put("host", host);
    item.put("release", release);
    item.put("at", clock.instant().toString());
    return item;
  }
}
