package dev.rolloutledger.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The driver's writes: through any live instance (every write is published to Kafka, whichever
 * instance takes it), retried on another one when an instance is down, answers 503 or 429. A
 * retried write may have been published once already: every driver input is idempotent or refused
 * by the engine when repeated (a rollout id used twice), which the verifier tolerates.
 */
public final class Api {
  private static final Duration GIVE_UP = Duration.ofMinutes(5);

  private final ServerFleet servers;
  private final Http http = new Http();
  private final SplittableRandom random;
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong unavailable = new AtomicLong();
  private final AtomicLong serverErrors = new AtomicLong();
  private volatile String lastServerError = "";

  public Api(ServerFleet servers, long seed) {
    this.servers = servers;
    this.random = new SplittableRandom(seed);
  }

  /** POSTs {@code json} to {@code /api/v1/tenants/{tenant}{path}} until an instance answers 2xx. */
  public Http.Answer postUntilAccepted(String tenant, String path, String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    Deadline d = Deadline.in(GIVE_UP);
    int instance;
    synchronized (random) {
      instance = random.nextInt(ServerFleet.INSTANCES);
    }
    while (true) {
      String url = servers.baseUrl(instance) + "/api/v1/tenants/" + tenant + path;
      Http.Answer a = http.post(url, servers.token(tenant), "application/json", body);
      if (a != null && a.status() / 100 == 2) {
        return a;
      }
      if (a != null && a.status() / 100 == 4 && a.status() != 429) {
        throw new IllegalStateException(
            "the driver's own input was refused: POST " + path + " " + a.status() + " " + a.body());
      }
      if (a != null && a.status() / 100 == 5) {
        if (a.status() == 503) {
          unavailable.incrementAndGet();
        } else {
          serverErrors.incrementAndGet();
          lastServerError = a.status() + " on POST " + path + ": " + a.body();
        }
      }
      retries.incrementAndGet();
      if (d.passed()) {
        throw new Deadline.TimeBoundExceeded(
            "no instance took POST " + path + " within " + GIVE_UP + " (last answer " + a + ")");
      }
      instance = (instance + 1) % ServerFleet.INSTANCES;
      Deadline.pause(Duration.ofMillis(a == null ? 50 : 200));
    }
  }

  public long retries() {
    return retries.get();
  }

  /** 503 answers (documented: Kafka did not take the event, or stores rebalancing). */
  public long unavailable() {
    return unavailable.get();
  }

  /** 5xx answers other than 503. */
  public long serverErrors() {
    return serverErrors.get();
  }

  public String lastServerError() {
    return lastServerError;
  }

  /** A JSON string literal. */
  public static String str(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
