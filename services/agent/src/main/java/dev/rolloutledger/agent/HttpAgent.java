package dev.rolloutledger.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolloutledger.schemas.commands.CommandSignatures;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Agent} on the HTTP command channel: it long-polls {@code GET
 * /api/v1/tenants/{tenant}/hosts/{host}/commands?after=SEQ&wait=...} for the commands above the
 * last seq it persisted, offers each to the agent, then settles (the server gave all it has), and
 * heartbeats on a timer of its own. When the server cannot be reached it backs off and keeps
 * holding: it never acts without a verified command.
 */
public final class HttpAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpAgent.class);

  private final ApiClient api;
  private final String commandsPath;
  private final Agent agent;
  private final HttpTelemetry telemetry;
  private final Duration pollWait;
  private final Consumer<Agent.Outcome> onOutcome;
  private final ScheduledExecutorService heartbeats;
  private volatile boolean running = true;

  public HttpAgent(
      ApiClient api,
      String tenant,
      String host,
      Agent agent,
      HttpTelemetry telemetry,
      Duration heartbeatEvery,
      Duration pollWait,
      Supplier<Map<String, Double>> metrics,
      Consumer<Agent.Outcome> onOutcome) {
    this.api = api;
    this.commandsPath = "/api/v1/tenants/" + tenant + "/hosts/" + host + "/commands";
    this.agent = agent;
    this.telemetry = telemetry;
    this.pollWait = pollWait;
    this.onOutcome = onOutcome;
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ledger-agent-heartbeat");
              t.setDaemon(true);
              return t;
            });
    heartbeats.scheduleAtFixedRate(
        () -> {
          try {
            // a host with nothing installed yet beats too (no release): a host never heard from
            // is sent no Apply
            telemetry.heartbeat(agent.state().installed(), metrics.get());
          } catch (RuntimeException e) {
            LOG.warn("heartbeat failed: {}", e.getMessage());
          }
        },
        0,
        heartbeatEvery.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Polls until {@link #close()}; returns then. */
  public void run() throws InterruptedException {
    Duration backoff = Duration.ofMillis(500);
    while (running) {
      try {
        pollOnce(pollWait);
        backoff = Duration.ofMillis(500);
      } catch (ApiClient.ApiException e) {
        if (e.status() == 401 || e.status() == 403 || e.status() == 404) {
          LOG.error("the server refuses this agent's token: {}", e.getMessage());
        } else {
          LOG.warn("poll failed: {}", e.getMessage());
        }
        backoff = sleep(backoff);
      } catch (IOException e) {
        LOG.warn("poll failed: {}; holding", e.getMessage());
        backoff = sleep(backoff);
      }
    }
  }

  /** One poll: offers every command above the persisted seq, then settles. */
  public List<Agent.Outcome> pollOnce(Duration wait) throws IOException, InterruptedException {
    long after = agent.state().lastSeq();
    JsonNode answer =
        api.get(commandsPath + "?after=" + after + "&wait=" + wait, wait.plusSeconds(15));
    List<Agent.Outcome> outcomes = new java.util.ArrayList<>();
    if (!running) {
      return outcomes; // closed while waiting: act on nothing more
    }
    for (JsonNode c : answer.path("commands")) {
      try {
        CommandSignatures.Fields f = CommandJson.parse(c);
        outcomes.addAll(agent.offer(f));
      } catch (CommandJson.MalformedCommandException e) {
        LOG.warn("refused an unreadable command: {}", e.getMessage());
        outcomes.add(
            new Agent.Outcome(
                c.path("seq").asLong(-1),
                c.path("action").asText("?"),
                Agent.Outcome.Kind.REJECTED,
                Rejection.MALFORMED,
                e.getMessage()));
      }
    }
    outcomes.addAll(agent.settle());
    outcomes.forEach(onOutcome);
    return outcomes;
  }

  private Duration sleep(Duration backoff) throws InterruptedException {
    if (running) {
      Thread.sleep(backoff.toMillis());
    }
    Duration next = backoff.multipliedBy(2);
    return next.compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : next;
  }

  @Override
  public void close() {
    running = false;
    heartbeats.shutdownNow();
  }
}
