package dev.rolloutledger.cli;

import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The Kubernetes objects of a deployment, made from the code's own descriptors: a Strimzi {@code
 * KafkaTopic} per topic of {@link Topics#all()} (partitions, cleanup policy and every config the
 * descriptor declares), and the server as a {@code StatefulSet} with a headless Service (the
 * instances reach each other by their pods' DNS names) and a Service for HTTPS. Every environment
 * variable the server container gets is one services/server's application.yml reads ({@code
 * ManifestsTest} holds them to it). docs/kubernetes.md.
 *
 * <p>Objects are ordered maps in a fixed order: the same settings give the same bytes.
 */
public final class Manifests {

  /** What varies between deployments; everything else is fixed by the code. */
  public record Settings(
      String namespace,
      int replicas,
      String kafkaCluster,
      int topicReplicas,
      String bootstrapServers,
      String image,
      String storage) {
    public Settings {
      if (!DNS_LABEL.matcher(namespace).matches()) {
        throw new LedgerCli.UsageProblem(
            "--namespace: " + namespace + " is not a Kubernetes name (a-z, 0-9, -; 63 at most)");
      }
      if (!DNS_SUBDOMAIN.matcher(kafkaCluster).matches()) {
        throw new LedgerCli.UsageProblem(
            "--kafka-cluster: " + kafkaCluster + " is not a Kubernetes name");
      }
      if (replicas < 1) {
        throw new LedgerCli.UsageProblem("--replicas: at least 1, was " + replicas);
      }
      if (topicReplicas < 1) {
        throw new LedgerCli.UsageProblem("--topic-replicas: at least 1, was " + topicReplicas);
      }
      if (image.isBlank()) {
        throw new LedgerCli.UsageProblem("--image: empty");
      }
      if (!QUANTITY.matcher(storage).matches()) {
        throw new LedgerCli.UsageProblem(
            "--storage: " + storage + " is not a Kubernetes quantity (e.g. 10Gi, 500Mi)");
      }
    }

    /** Strimzi's bootstrap Service of the cluster, unless another address was given. */
    String kafka() {
      return bootstrapServers == null || bootstrapServers.isBlank()
          ? kafkaCluster + "-kafka-bootstrap." + namespace + ".svc:9092"
          : bootstrapServers;
    }
  }

  static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  static final Pattern DNS_SUBDOMAIN =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  static final Pattern QUANTITY =
      Pattern.compile("[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?");

  public static final String NAME = "rollout-ledger";

  /**
   * The headless Service: pod {@code rollout-ledger-0} is {@code rollout-ledger-0.<this>.<ns>.svc}.
   */
  public static final String PEERS = NAME + "-peers";

  public static final int HTTP_PORT = 8080;

  /** Micronaut's health endpoint ({@code endpoints.health}) and its Kubernetes probe selectors. */
  public static final String LIVENESS = "/health/liveness";

  public static final String READINESS = "/health/readiness";

  /** The installed layout of the bundle in the image (infra/systemd/README.md). */
  static final String JAVA = "/opt/rollout-ledger/runtime/bin/java";

  static final String SERVER_JAR = "/opt/rollout-ledger/lib/ledger-server.jar";

  static final String STATE = "/var/lib/rollout-ledger";
  static final String KEYS = "/etc/rollout-ledger/keys";
  static final String TLS = "/etc/rollout-ledger/tls";
  static final String KAFKA = "/etc/rollout-ledger/kafka";

  /** The Secrets the StatefulSet mounts (made by the operator: docs/kubernetes.md). */
  public static final String KEYS_SECRET = NAME + "-keys";

  public static final String TLS_SECRET = NAME + "-tls";
  public static final String KAFKA_SECRET = NAME + "-kafka";

  /** The non-root user of the server's container. */
  static final int UID = 10001;

  private Manifests() {}

  /** Every object, in the order {@code kubectl apply} may take them: topics, Services, server. */
  public static List<Map<String, Object>> all(Settings s) {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (TopicDescriptor<?, ?> topic : Topics.all()) {
      objects.add(kafkaTopic(topic, s));
    }
    objects.add(peersService(s));
    objects.add(httpService(s));
    objects.add(statefulSet(s));
    return objects;
  }

  /** A Strimzi KafkaTopic with the descriptor's partitions, cleanup policy and configs. */
  public static Map<String, Object> kafkaTopic(TopicDescriptor<?, ?> topic, Settings s) {
    // a Kubernetes name allows a-z 0-9 . -; a topic name that has anything else keeps its own
    // name in spec.topicName
    String objectName = topic.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    Map<String, Object> labels = labels("topic");
    labels.put("strimzi.io/cluster", s.kafkaCluster());
    Map<String, Object> config = new TreeMap<>(topic.configs());
    config.put("cleanup.policy", topic.cleanupPolicy());
    Map<String, Object> spec = map();
    if (!objectName.equals(topic.name())) {
      spec.put("topicName", topic.name());
    }
    spec.put("partitions", topic.partitions());
    spec.put("replicas", s.topicReplicas());
    spec.put("config", config);
    return object(
        "kafka.strimzi.io/v1beta2", "KafkaTopic", objectName, s, labels, spec, topic.doc());
  }

  static Map<String, Object> peersService(Settings s) {
    Map<String, Object> spec = map();
    spec.put("clusterIP", "None");
    // the instances find each other while they start, before they are ready
    spec.put("publishNotReadyAddresses", true);
    spec.put("selector", selector());
    spec.put("ports", List.of(port()));
    return object(
        "v1",
        "Service",
        PEERS,
        s,
        labels("server"),
        spec,
        "headless: each instance's DNS name, for the reads forwarded to the instance that holds a"
            + " tenant");
  }

  static Map<String, Object> httpService(Settings s) {
    Map<String, Object> spec = map();
    spec.put("type", "ClusterIP");
    spec.put("selector", selector());
    spec.put("ports", List.of(port()));
    return object(
        "v1",
        "Service",
        NAME,
        s,
        labels("server"),
        spec,
        "the API, the dashboard and the agents' channel (HTTPS); any instance answers");
  }

  static Map<String, Object> statefulSet(Settings s) {
    Map<String, Object> container = map();
    container.put("name", "server");
    container.put("image", s.image());
    container.put(
        "command",
        List.of(
            JAVA, "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", SERVER_JAR));
    container.put("ports", List.of(namedPort("https", HTTP_PORT)));
    container.put("env", env(s));
    container.put("startupProbe", probe(LIVENESS, 5, 60));
    container.put("livenessProbe", probe(LIVENESS, 10, 6));
    container.put("readinessProbe", probe(READINESS, 5, 3));
    Map<String, Object> requests = map();
    requests.put("cpu", "500m");
    requests.put("memory", "1536Mi");
    Map<String, Object> limits = map();
    limits.put("memory", "2Gi");
    Map<String, Object> resources = map();
    resources.put("requests", requests);
    resources.put("limits", limits);
    container.put("resources", resources);
    container.put(
        "volumeMounts",
        List.of(
            mount("state", STATE, false),
            mount("keys", KEYS, true),
            mount("tls", TLS, true),
            mount("kafka", KAFKA, true),
            mount("tmp", "/tmp", false)));
    Map<String, Object> capabilities = map();
    capabilities.put("drop", List.of("ALL"));
    Map<String, Object> containerSecurity = map();
    containerSecurity.put("allowPrivilegeEscalation", false);
    containerSecurity.put("readOnlyRootFilesystem", true);
    containerSecurity.put("capabilities", capabilities);
    container.put("securityContext", containerSecurity);

    Map<String, Object> seccomp = map();
    seccomp.put("type", "RuntimeDefault");
    Map<String, Object> podSecurity = map();
    podSecurity.put("runAsNonRoot", true);
    podSecurity.put("runAsUser", UID);
    podSecurity.put("runAsGroup", UID);
    podSecurity.put("fsGroup", UID);
    podSecurity.put("seccompProfile", seccomp);

    Map<String, Object> podSpec = map();
    podSpec.put("securityContext", podSecurity);
    // time for the last transaction to commit and the group to be left (KafkaBeans.LedgerStreams)
    podSpec.put("terminationGracePeriodSeconds", 60);
    podSpec.put("containers", List.of(container));
    podSpec.put(
        "volumes",
        List.of(
            secretVolume("keys", KEYS_SECRET),
            secretVolume("tls", TLS_SECRET),
            secretVolume("kafka", KAFKA_SECRET),
            emptyDir("tmp")));

    Map<String, Object> podMeta = map();
    podMeta.put("labels", labels("server"));
    Map<String, Object> template = map();
    template.put("metadata", podMeta);
    template.put("spec", podSpec);

    Map<String, Object> matchLabels = map();
    matchLabels.put("matchLabels", selector());
    Map<String, Object> spec = map();
    spec.put("serviceName", PEERS);
    spec.put("replicas", s.replicas());
    // one instance at a time: each start rebalances the Kafka Streams group
    spec.put("podManagementPolicy", "OrderedReady");
    spec.put("selector", matchLabels);
    spec.put("template", template);
    spec.put("volumeClaimTemplates", List.of(stateClaim(s)));
    return object(
        "apps/v1",
        "StatefulSet",
        NAME,
        s,
        labels("server"),
        spec,
        "the server: API, dashboard and the Kafka Streams topology; its state stores on a volume"
            + " of its own");
  }

  /**
   * The server's settings, each one application.yml reads ({@code ${LEDGER_...}}), and {@code
   * POD_NAME}, which only feeds {@code LEDGER_ADVERTISED_HOST} (Kubernetes expands {@code
   * $(POD_NAME)}).
   */
  static List<Map<String, Object>> env(Settings s) {
    List<Map<String, Object>> env = new ArrayList<>();
    Map<String, Object> fieldRef = map();
    fieldRef.put("fieldPath", "metadata.name");
    Map<String, Object> podName = map();
    podName.put("fieldRef", fieldRef);
    env.add(valueFrom("POD_NAME", podName));
    env.add(value("LEDGER_ADVERTISED_HOST", "$(POD_NAME)." + PEERS + "." + s.namespace() + ".svc"));
    env.add(value("LEDGER_HTTP_HOST", "0.0.0.0"));
    env.add(value("LEDGER_HTTP_PORT", Integer.toString(HTTP_PORT)));
    // beyond loopback the server speaks HTTPS only (LoopbackGuard): one certificate for every
    // instance's name, so that the instances can check each other (docs/tls.md)
    env.add(value("LEDGER_TLS", "true"));
    env.add(value("LEDGER_TLS_KEYSTORE", TLS + "/server.p12"));
    env.add(value("LEDGER_TLS_KEYSTORE_TYPE", "PKCS12"));
    env.add(secretValue("LEDGER_TLS_KEYSTORE_PASSWORD", TLS_SECRET, "keystore-password"));
    env.add(value("LEDGER_CA_CERT", TLS + "/ca.pem"));
    env.add(value("KAFKA_BOOTSTRAP_SERVERS", s.kafka()));
    env.add(value("LEDGER_KAFKA_CLIENT_PROPERTIES", KAFKA + "/client.properties"));
    env.add(value("LEDGER_APPLICATION_ID", NAME));
    env.add(value("LEDGER_STATE_DIR", STATE + "/streams"));
    env.add(value("LEDGER_KEY_DIR", KEYS));
    env.add(value("LEDGER_BOOTSTRAP_TOKEN_FILE", STATE + "/bootstrap-admin.token"));
    return env;
  }

  private static Map<String, Object> probe(String path, int period, int failures) {
    Map<String, Object> get = map();
    get.put("path", path);
    get.put("port", "https");
    // the kubelet does not check the certificate
    get.put("scheme", "HTTPS");
    Map<String, Object> probe = map();
    probe.put("httpGet", get);
    probe.put("periodSeconds", period);
    probe.put("timeoutSeconds", 3);
    probe.put("failureThreshold", failures);
    return probe;
  }

  private static Map<String, Object> stateClaim(Settings s) {
    Map<String, Object> storage = map();
    storage.put("storage", s.storage());
    Map<String, Object> requests = map();
    requests.put("requests", storage);
    Map<String, Object> spec = map();
    spec.put("accessModes", List.of("ReadWriteOnce"));
    spec.put("resources", requests);
    Map<String, Object> meta = map();
    meta.put("name", "state");
    Map<String, Object> claim = map();
    claim.put("metadata", meta);
    claim.put("spec", spec);
    return claim;
  }

  private static Map<String, Object> object(
      String apiVersion,
      String kind,
      String name,
      Settings s,
      Map<String, Object> labels,
      Map<String, Object> spec,
      String description) {
    Map<String, Object> annotations = map();
    annotations.put("rollout-ledger.dev/description", description);
    Map<String, Object> meta = map();
    meta.put("name", name);
    meta.put("namespace", s.namespace());
    meta.put("labels", labels);
    meta.put("annotations", annotations);
    Map<String, Object> o = map();
    o.put("apiVersion", apiVersion);
    o.put("kind", kind);
    o.put("metadata", meta);
    o.put("spec", spec);
    return o;
  }

  private static Map<String, Object> labels(String component) {
    Map<String, Object> labels = selector();
    labels.put("app.kubernetes.io/component", component);
    labels.put("app.kubernetes.io/managed-by", "ledger-manifests");
    return labels;
  }

  private static Map<String, Object> selector() {
    Map<String, Object> labels = map();
    labels.put("app.kubernetes.io/name", NAME);
    return labels;
  }

  private static Map<String, Object> port() {
    Map<String, Object> port = namedPort("https", HTTP_PORT);
    port.remove("containerPort");
    port.put("port", HTTP_PORT);
    port.put("targetPort", "https");
    return port;
  }

  private static Map<String, Object> namedPort(String name, int number) {
    Map<String, Object> port = map();
    port.put("name", name);
    port.put("containerPort", number);
    port.put("protocol", "TCP");
    return port;
  }

  private static Map<String, Object> mount(String name, String path, boolean readOnly) {
    Map<String, Object> m = map();
    m.put("name", name);
    m.put("mountPath", path);
    if (readOnly) {
      m.put("readOnly", true);
    }
    return m;
  }

  private static Map<String, Object> secretVolume(String name, String secret) {
    Map<String, Object> source = map();
    source.put("secretName", secret);
    source.put("defaultMode", 0440);
    Map<String, Object> v = map();
    v.put("name", name);
    v.put("secret", source);
    return v;
  }

  private static Map<String, Object> emptyDir(String name) {
    Map<String, Object> v = map();
    v.put("name", name);
    v.put("emptyDir", map());
    return v;
  }

  private static Map<String, Object> value(String name, String value) {
    Map<String, Object> e = map();
    e.put("name", name);
    e.put("value", value);
    return e;
  }

  private static Map<String, Object> valueFrom(String name, Map<String, Object> from) {
    Map<String, Object> e = map();
    e.put("name", name);
    e.put("valueFrom", from);
    return e;
  }

  private static Map<String, Object> secretValue(String name, String secret, String key) {
    Map<String, Object> ref = map();
    ref.put("name", secret);
    ref.put("key", key);
    Map<String, Object> from = map();
    from.put("secretKeyRef", ref);
    return valueFrom(name, from);
  }

  private static Map<String, Object> map() {
    return new LinkedHashMap<>();
  }
}
