package dev.rolloutledger.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.sim.IncidentComparison;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What bounds the cost of a what-if on this server: one runs at a time (another is answered 429
 * with Retry-After), and an incident's outcome under a plan is kept ({@value #CACHED} of them, the
 * least recently asked for goes first): the simulator is deterministic, so the same incident under
 * the same plan gives the same answer. On 2 shared cores a halted incident takes about a second;
 * each simulated day of a release going out to the library's 10,000 hosts about 15 s, so a good
 * release under the default plan (8 simulated days) 92 s (docs/incidents.md).
 */
@Singleton
public class WhatIfRuns {
  static final int CACHED = 64;
  static final long RETRY_AFTER_SECONDS = 5;
  private static final Logger LOG = LoggerFactory.getLogger(WhatIfRuns.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Semaphore running = new Semaphore(1);
  private final Map<Key, String> outcomes =
      Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, String> eldest) {
              return size() > CACHED;
            }
          });

  /** An incident under a plan (a template's name, or null for a plan written out). */
  private record Key(String incident, String template, Plan plan) {}

  /** {@code work}, if no other what-if runs here now; a 429 with Retry-After otherwise. */
  public <T> T exclusively(Supplier<T> work) {
    if (!running.tryAcquire()) {
      throw ApiProblemException.tooManyRequests(
          "a what-if is already running here", RETRY_AFTER_SECONDS);
    }
    try {
      return work.get();
    } finally {
      running.release();
    }
  }

  /**
   * The incident run as it historically went beside under {@code plan}, as JSON: from the cache, or
   * simulated now (exclusively). {@code template}: the name {@code plan} was chosen by, or null.
   */
  public String incident(IncidentLibrary.Incident incident, String template, Plan plan) {
    Key key = new Key(incident.name(), template, plan);
    String known = outcomes.get(key);
    if (known != null) {
      return known;
    }
    return exclusively(
        () -> {
          String again = outcomes.get(key); // another request may have just run it
          if (again != null) {
            return again;
          }
          long start = System.nanoTime();
          IncidentComparison c = IncidentComparison.run(incident.scenario(), plan);
          Duration took = Duration.ofNanos(System.nanoTime() - start);
          LOG.info(
              "what-if: incident {} under plan {} simulated in {} ms",
              incident.name(),
              template == null ? "(written out)" : template,
              took.toMillis());
          String json = json(c, template);
          outcomes.put(key, json);
          return json;
        });
  }

  static String json(IncidentComparison c, String template) {
    ObjectNode out = JSON.createObjectNode();
    out.put("incident", c.name());
    out.put("plan", template);
    out.put("hosts", c.hosts());
    if (c.historical() == null) {
      out.putNull("historical");
    } else {
      ObjectNode h = out.putObject("historical");
      h.put("propagation", c.historical().propagation().toString());
      h.put("exposedHosts", c.historical().exposedHosts());
      h.put("failedHosts", c.historical().failedHosts());
    }
    IncidentComparison.Staged s = c.whatIf();
    ObjectNode w = out.putObject("whatIf");
    w.put("halted", s.halted());
    w.put("haltedWave", s.haltedWave());
    w.put("haltSignal", s.haltSignal());
    w.put("firstWaveHosts", s.firstWaveHosts());
    w.put("exposedHosts", s.exposedHosts());
    w.put("failedHosts", s.failedHosts());
    w.put("timeToHalt", s.timeToHalt() == null ? null : s.timeToHalt().toString());
    w.put("completed", s.completed());
    w.put("duration", s.duration().toString());
    out.put("summary", c.summary());
    return out.toPrettyString();
  }
}
