package dev.rolloutledger.reliability;

import static dev.rolloutledger.reliability.Api.str;

import dev.rolloutledger.avro.Apply;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scenario, over HTTP through any live instance. Each tenant runs {@code lanes} rollouts at a
 * time, one after the other: each registers its own hosts (label {@code batch}), publishes its own
 * release, good or bad (seeded), and plans two waves of them (a canary of 2, then the rest). The
 * simulated hosts heartbeat all the time (that is the bulk of the telemetry), report {@code
 * applied} when they read their Apply on {@code ledger.commands}, and, for a bad release, a crash
 * right after: a bad rollout must halt in its canary, a good one must complete.
 */
public final class Driver implements AutoCloseable {
  private static final int BATCH = 1000;
  private static final String SHA256 = "5".repeat(64);

  private final Settings settings;
  private final ServerFleet servers;
  private final Api api;
  private final Report report;
  private final SplittableRandom random;
  private final Outputs outputs;
  private final List<Expected> expected = new CopyOnWriteArrayList<>();
  private final Set<String> badReleases = ConcurrentHashMap.newKeySet();
  private final Map<String, Queue<String>> urgent = new ConcurrentHashMap<>();
  private final Map<String, List<String>> fleet = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> rolloutCounters = new ConcurrentHashMap<>();
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final List<Thread> lanes = new ArrayList<>();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private final Thread sender;
  private volatile boolean stopLanes;
  private volatile boolean stopSender;

  public Driver(
      Settings settings,
      ServerFleet servers,
      Api api,
      String bootstrap,
      SchemaRegistry registry,
      Report report) {
    this.settings = settings;
    this.servers = servers;
    this.api = api;
    this.report = report;
    this.random = new SplittableRandom(settings.seed());
    for (String t : servers.tenants()) {
      urgent.put(t, new ConcurrentLinkedQueue<>());
      fleet.put(t, new CopyOnWriteArrayList<>());
      rolloutCounters.put(t, new AtomicInteger());
    }
    this.outputs = new Outputs(bootstrap, registry, this::hostApplies);
    this.sender = new Thread(this::sendTelemetry, "reliability-telemetry");
    sender.setDaemon(true);
  }

  public void start() {
    sender.start();
    for (String tenant : servers.tenants()) {
      for (int lane = 0; lane < settings.lanes(); lane++) {
        int l = lane;
        Thread t = new Thread(() -> runLane(tenant, l), "reliability-lane-" + tenant + "-" + lane);
        t.setDaemon(true);
        lanes.add(t);
        t.start();
      }
    }
  }

  /** The simulated host read its Apply: it reports applied, and a crash if the release is bad. */
  private void hostApplies(Apply apply) {
    String tenant = apply.getTenant();
    Queue<String> q = urgent.get(tenant);
    if (q == null) {
      return; // not a tenant of this run
    }
    String host = apply.getHost();
    String release = apply.getRelease();
    q.add(
        "{\"type\":\"applied\",\"host\":"
            + str(host)
            + ",\"release\":"
            + str(release)
            + ",\"ok\":true}");
    if (badReleases.contains(tenant + "/" + release)) {
      q.add(
          "{\"type\":\"crash\",\"host\":"
              + str(host)
              + ",\"release\":"
              + str(release)
              + ",\"signature\":\"SIGSEGV in reliability\"}");
    }
  }

  private void runLane(String tenant, int lane) {
    try {
      boolean first = true;
      while (!stopLanes) {
        int k = rolloutCounters.get(tenant).incrementAndGet();
        boolean bad;
        synchronized (random) {
          bad = first ? lane % 2 == 1 : random.nextDouble() < 0.4;
        }
        first = false;
        Expected e = rollout(tenant, k, bad);
        Deadline.await(
            "the end of " + e.key() + " (" + (bad ? "bad" : "good") + " release)",
            Duration.ofMinutes(15),
            Duration.ofMillis(200),
            () -> outputs.endOf(e.key()) != null);
      }
    } catch (RuntimeException | Error e) {
      failures.add(e);
    }
  }

  private Expected rollout(String tenant, int k, boolean bad) {
    String batch = "b" + k;
    List<String> hosts = new ArrayList<>();
    StringBuilder body = new StringBuilder("[");
    for (int j = 0; j < settings.hostsPerRollout(); j++) {
      String h = "h" + k + "-" + j;
      hosts.add(h);
      body.append(j == 0 ? "" : ",")
          .append("{\"host\":")
          .append(str(h))
          .append(",\"labels\":{\"batch\":")
          .append(str(batch))
          .append("}}");
    }
    api.postUntilAccepted(tenant, "/hosts", body.append("]").toString());
    fleet.get(tenant).addAll(hosts);
    // hosts and plans travel on different topics: a plan decided before its hosts are known
    // would select none of them, and one decided before their first heartbeats would send them
    // nothing (a host never heard from is recorded unreachable)
    Deadline.await(
        "the registration and first heartbeat of the hosts of "
            + tenant
            + "/r-"
            + k
            + " on the input journal",
        Duration.ofMinutes(10),
        Duration.ofMillis(100),
        () ->
            hosts.stream()
                .allMatch(h -> outputs.registered(tenant, h) && outputs.heard(tenant, h)));
    String release = "rel-" + k;
    if (bad) {
      badReleases.add(tenant + "/" + release);
    }
    api.postUntilAccepted(
        tenant,
        "/releases",
        "{\"release\":"
            + str(release)
            + ",\"artifact\":\"agent\",\"version\":"
            + str(k + (bad ? "-bad" : "-good"))
            + ",\"sha256\":\""
            + SHA256
            + "\",\"publisher\":\"reliability\"}");
    String rollout = "r-" + k;
    String bake = str(settings.bake().toString());
    String selector = "{\"batch\":" + str(batch) + "}";
    api.postUntilAccepted(
        tenant,
        "/rollouts",
        "{\"rollout\":"
            + str(rollout)
            + ",\"release\":"
            + str(release)
            + ",\"plan\":{\"waves\":["
            + "{\"name\":\"canary\",\"selector\":"
            + selector
            + ",\"hosts\":2,\"bake\":"
            + bake
            + "},{\"name\":\"rest\",\"selector\":"
            + selector
            + ",\"bake\":"
            + bake
            + "}],\"heartbeatTimeout\":"
            + str(settings.heartbeatTimeout().toString())
            + "}}");
    Expected e = new Expected(tenant, rollout, release, bad, List.copyOf(hosts));
    expected.add(e);
    return e;
  }

  /** Paces heartbeats at {@code eventsPerSecond}; hosts' reports go first. */
  private void sendTelemetry() {
    long t0 = System.nanoTime();
    Map<String, Integer> cursor = new ConcurrentHashMap<>();
    try {
      while (!stopSender) {
        boolean sent = false;
        for (String tenant : servers.tenants()) {
          long allowed =
              (long) ((System.nanoTime() - t0) / 1e9 * settings.eventsPerSecond()) - events.get();
          List<String> items = new ArrayList<>();
          Queue<String> q = urgent.get(tenant);
          for (String item = q.peek(); item != null && items.size() < BATCH; item = q.peek()) {
            items.add(q.poll());
          }
          List<String> hosts = fleet.get(tenant);
          int share = (int) Math.min(BATCH - items.size(), allowed / servers.tenants().size());
          int at = cursor.getOrDefault(tenant, 0);
          for (int i = 0; i < share && !hosts.isEmpty(); i++, at++) {
            items.add(
                "{\"type\":\"heartbeat\",\"host\":"
                    + str(hosts.get(at % hosts.size()))
                    + ",\"metrics\":{\"cpu\":0.25}}");
          }
          cursor.put(tenant, hosts.isEmpty() ? 0 : at % hosts.size());
          if (!items.isEmpty()) {
            api.postUntilAccepted(tenant, "/telemetry", "[" + String.join(",", items) + "]");
            events.addAndGet(items.size());
            batches.incrementAndGet();
            sent = true;
          }
        }
        if (!sent) {
          Deadline.pause(Duration.ofMillis(50));
        }
      }
    } catch (RuntimeException | Error e) {
      failures.add(e);
    }
  }

  /** Lanes finish the rollout they are in and start no other. */
  public void stopRollouts(Duration limit) {
    stopLanes = true;
    Deadline d = Deadline.in(limit);
    for (Thread t : lanes) {
      try {
        t.join(Math.max(1, d.left().toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) {
        throw new Deadline.TimeBoundExceeded(t.getName() + " still waiting after " + limit);
      }
    }
  }

  /** Throws the first failure of a lane or of the sender. */
  public void check() {
    if (!failures.isEmpty()) {
      throw new IllegalStateException("the driver failed: " + failures.get(0), failures.get(0));
    }
  }

  public long events() {
    return events.get();
  }

  public long batches() {
    return batches.get();
  }

  public List<Expected> expected() {
    return List.copyOf(expected);
  }

  public String endOf(String key) {
    return outputs.endOf(key);
  }

  @Override
  public void close() {
    stopLanes = true;
    stopSender = true;
    try {
      sender.join(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    outputs.close();
  }
}
