package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.cli.LedgerCli;
import dev.rolloutledger.cli.ManifestYaml;
import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.Topics;
import io.micronaut.management.health.indicator.HealthCheckType;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code ledger manifests} (services/cli) held to the code it is made from: one Strimzi KafkaTopic
 * per topic of {@link Topics#all()} with the descriptor's name, partitions, cleanup policy and
 * configs; a StatefulSet whose every environment variable is one the server's application.yml
 * reads, whose paths lie on its volumes and whose probes ask the health endpoint application.yml
 * serves. Every document is read back with SnakeYAML, the reader Micronaut itself uses.
 */
class ManifestsTest {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::[^}]*)?}");

  @TempDir Path dir;

  /** The objects {@code ledger manifests ARGS --out DIR} wrote, by file name. */
  Map<String, Map<String, Object>> manifests(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("manifests", "--out", dir.toString()));
    command.addAll(Arrays.asList(args));
    StringWriter err = new StringWriter();
    int code =
        LedgerCli.execute(
            command.toArray(String[]::new),
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    assertThat(code).as(err.toString()).isZero();
    Map<String, Map<String, Object>> objects = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        List<Object> docs = new ArrayList<>();
        new Yaml().loadAll(Files.readString(f)).forEach(docs::add);
        assertThat(docs).as(f.toString()).hasSize(1);
        objects.put(f.getFileName().toString(), map(docs.get(0)));
      }
    }
    return objects;
  }

  static List<Map<String, Object>> ofKind(Map<String, Map<String, Object>> objects, String kind) {
    return objects.values().stream().filter(o -> kind.equals(o.get("kind"))).toList();
  }

  @Nested
  class Topics_ {
    @Test
    void every_topic_has_exactly_one_kafka_topic_with_its_partitions_policy_and_configs()
        throws Exception {
      List<Map<String, Object>> topics =
          ofKind(
              manifests("--kafka-cluster", "ledger-kafka", "--topic-replicas", "5"), "KafkaTopic");

      assertThat(topics).hasSize(Topics.all().size());
      for (TopicDescriptor<?, ?> t : Topics.all()) {
        List<Map<String, Object>> same =
            topics.stream().filter(k -> topicName(k).equals(t.name())).toList();
        assertThat(same).as(t.name()).hasSize(1);
        Map<String, Object> k = same.get(0);
        Map<String, Object> spec = map(k.get("spec"));
        Map<String, String> expected = new TreeMap<>(t.configs());
        expected.put("cleanup.policy", t.cleanupPolicy());
        Map<String, String> config = new TreeMap<>();
        map(spec.get("config")).forEach((key, v) -> config.put(key, String.valueOf(v)));

        assertThat(k.get("apiVersion")).isEqualTo("kafka.strimzi.io/v1beta2");
        assertThat(spec.get("partitions")).as(t.name()).isEqualTo(t.partitions());
        assertThat(spec.get("replicas")).isEqualTo(5);
        assertThat(config).as(t.name()).isEqualTo(expected);
        assertThat(map(map(k.get("metadata")).get("labels")))
            .containsEntry("strimzi.io/cluster", "ledger-kafka");
      }
    }
  }

  @Nested
  class Server {
    @Test
    void every_env_variable_is_one_application_yml_reads() throws Exception {
      Set<String> read = placeholders();
      List<Map<String, Object>> env = list(container(manifests()).get("env"));
      Set<String> set = new TreeSet<>();
      Set<String> helpers = new TreeSet<>();
      for (Map<String, Object> e : env) {
        String name = (String) e.get("name");
        assertThat(set.add(name)).as("set twice: " + name).isTrue();
        if (!read.contains(name)) {
          helpers.add(name);
        }
      }

      assertThat(read).as("application.yml's placeholders").contains("LEDGER_STATE_DIR");
      // the only name the server does not read: the pod's name, from the downward API, which
      // Kubernetes expands into LEDGER_ADVERTISED_HOST
      assertThat(helpers).containsExactly("POD_NAME");
      Map<String, Object> podName =
          env.stream().filter(e -> "POD_NAME".equals(e.get("name"))).findFirst().orElseThrow();
      assertThat(map(map(podName.get("valueFrom")).get("fieldRef")))
          .containsEntry("fieldPath", "metadata.name");
      assertThat(values(env).get("LEDGER_ADVERTISED_HOST")).startsWith("$(POD_NAME).");
    }

    @Test
    void the_pods_advertise_their_dns_names_under_the_headless_service() throws Exception {
      Map<String, Map<String, Object>> objects = manifests("--namespace", "fleet-prod");
      Map<String, Object> set = ofKind(objects, "StatefulSet").get(0);
      String serviceName = (String) map(set.get("spec")).get("serviceName");
      Map<String, Object> headless =
          ofKind(objects, "Service").stream()
              .filter(s -> serviceName.equals(map(s.get("metadata")).get("name")))
              .findFirst()
              .orElseThrow();
      Map<String, String> env = values(list(container(objects).get("env")));

      assertThat(map(headless.get("spec"))).containsEntry("clusterIP", "None");
      assertThat(env.get("LEDGER_ADVERTISED_HOST"))
          .isEqualTo("$(POD_NAME)." + serviceName + ".fleet-prod.svc");
      // the selector of both Services and the StatefulSet picks the pods it makes
      Map<String, Object> podLabels =
          map(map(map(map(set.get("spec")).get("template")).get("metadata")).get("labels"));
      for (Map<String, Object> service : ofKind(objects, "Service")) {
        assertThat(podLabels).containsAllEntriesOf(map(map(service.get("spec")).get("selector")));
      }
      assertThat(podLabels)
          .containsAllEntriesOf(map(map(map(set.get("spec")).get("selector")).get("matchLabels")));
    }

    @Test
    void state_keys_tls_and_kafka_settings_point_into_their_volumes() throws Exception {
      Map<String, Map<String, Object>> objects = manifests();
      Map<String, Object> spec = map(ofKind(objects, "StatefulSet").get(0).get("spec"));
      Map<String, Object> container = container(objects);
      Map<String, String> env = values(list(container.get("env")));
      Map<String, String> mounts = new HashMap<>();
      Map<String, Boolean> readOnly = new HashMap<>();
      for (Map<String, Object> m : list(container.get("volumeMounts"))) {
        mounts.put((String) m.get("name"), (String) m.get("mountPath"));
        readOnly.put((String) m.get("name"), Boolean.TRUE.equals(m.get("readOnly")));
      }
      String claim =
          (String) map(list(spec.get("volumeClaimTemplates")).get(0).get("metadata")).get("name");
      Set<String> secrets = new TreeSet<>();
      for (Map<String, Object> v :
          list(map(map(spec.get("template")).get("spec")).get("volumes"))) {
        if (v.containsKey("secret")) {
          secrets.add((String) map(v.get("secret")).get("secretName"));
        }
      }

      assertThat(env.get("LEDGER_STATE_DIR")).startsWith(mounts.get(claim) + "/");
      assertThat(env.get("LEDGER_BOOTSTRAP_TOKEN_FILE")).startsWith(mounts.get(claim) + "/");
      assertThat(readOnly.get(claim)).isFalse();
      assertThat(env.get("LEDGER_KEY_DIR")).isEqualTo(mounts.get("keys"));
      assertThat(env.get("LEDGER_TLS_KEYSTORE")).startsWith(mounts.get("tls") + "/");
      assertThat(env.get("LEDGER_CA_CERT")).startsWith(mounts.get("tls") + "/");
      assertThat(env.get("LEDGER_KAFKA_CLIENT_PROPERTIES")).startsWith(mounts.get("kafka") + "/");
      assertThat(readOnly).containsEntry("keys", true).containsEntry("tls", true);
      for (Map<String, Object> e : list(container.get("env"))) {
        if (e.get("valueFrom") instanceof Map<?, ?> from && from.get("secretKeyRef") != null) {
          assertThat(secrets).contains((String) map(from.get("secretKeyRef")).get("name"));
        }
      }
    }

    @Test
    void the_probes_ask_the_health_endpoint_application_yml_serves_over_the_servers_scheme()
        throws Exception {
      Map<String, Map<String, Object>> objects = manifests();
      Map<String, Object> container = container(objects);
      Map<String, Object> health = map(map(applicationYml().get("endpoints")).get("health"));
      Set<String> served = new TreeSet<>();
      served.add("/health");
      for (HealthCheckType type : HealthCheckType.values()) {
        served.add("/health/" + type.name().toLowerCase(Locale.ROOT));
      }
      Set<String> ports = new TreeSet<>();
      list(container.get("ports")).forEach(p -> ports.add((String) p.get("name")));
      String scheme =
          "true".equals(values(list(container.get("env"))).get("LEDGER_TLS")) ? "HTTPS" : "HTTP";

      assertThat(health).containsEntry("enabled", true).containsEntry("sensitive", false);
      for (String kind : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
        Map<String, Object> get = map(map(container.get(kind)).get("httpGet"));
        assertThat(served).as(kind).contains((String) get.get("path"));
        assertThat(ports).as(kind).contains((String) get.get("port"));
        assertThat(get.get("scheme")).as(kind).isEqualTo(scheme);
      }
      assertThat(map(map(container.get("readinessProbe")).get("httpGet")).get("path"))
          .isEqualTo("/health/readiness");
    }

    @Test
    void replicas_image_and_namespace_come_from_the_options() throws Exception {
      Map<String, Map<String, Object>> objects =
          manifests(
              "--replicas", "3", "--image", "registry.example/ledger:1.2", "--namespace", "ops");

      assertThat(map(ofKind(objects, "StatefulSet").get(0).get("spec")))
          .containsEntry("replicas", 3);
      assertThat(container(objects)).containsEntry("image", "registry.example/ledger:1.2");
      for (Map<String, Object> o : objects.values()) {
        assertThat(map(o.get("metadata"))).containsEntry("namespace", "ops");
      }
    }
  }

  @Nested
  class Output {
    @Test
    void the_same_options_give_the_same_bytes_and_stdout_holds_the_same_objects(@TempDir Path other)
        throws Exception {
      Map<String, Map<String, Object>> first = manifests("--replicas", "3");
      Map<String, byte[]> bytes = new TreeMap<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          bytes.put(f.getFileName().toString(), Files.readAllBytes(f));
        }
      }
      StringWriter out = new StringWriter();
      assertThat(
              LedgerCli.execute(
                  new String[] {"manifests", "--out", other.toString(), "--replicas", "3"},
                  new PrintWriter(new StringWriter()),
                  new PrintWriter(new StringWriter())))
          .isZero();
      assertThat(
              LedgerCli.execute(
                  new String[] {"manifests", "--out", "-", "--replicas", "3"},
                  new PrintWriter(out),
                  new PrintWriter(new StringWriter())))
          .isZero();
      List<Object> streamed = new ArrayList<>();
      new Yaml().loadAll(out.toString()).forEach(streamed::add);

      try (Stream<Path> files = Files.list(other)) {
        for (Path f : files.toList()) {
          assertThat(Files.readAllBytes(f))
              .as(f.toString())
              .isEqualTo(bytes.get(f.getFileName().toString()));
        }
      }
      assertThat(bytes).hasSameSizeAs(first);
      assertThat(streamed).containsExactlyInAnyOrderElementsOf(new ArrayList<>(first.values()));
    }

    @Test
    void the_excerpt_in_docs_kubernetes_md_is_what_the_command_writes() throws Exception {
      manifests(
          "--namespace",
          "ledger",
          "--kafka-cluster",
          "my-cluster",
          "--image",
          "registry.example/rollout-ledger:0.1.0");
      String decisions = Files.readString(dir.resolve("kafkatopic-ledger.decisions.yaml"));
      String doc = Files.readString(Path.of("..", "..", "docs", "kubernetes.md"));

      assertThat(doc).contains("```yaml\n" + decisions + "```");
    }

    @Test
    void bad_options_are_refused_naming_the_option() {
      StringWriter err = new StringWriter();
      int code =
          LedgerCli.execute(
              new String[] {"manifests", "--out", "-", "--namespace", "Not_A_Name"},
              new PrintWriter(new StringWriter()),
              new PrintWriter(err));

      assertThat(code).isEqualTo(LedgerCli.BAD_INPUT);
      assertThat(err.toString()).contains("--namespace");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "yes",
          "No",
          "on",
          "OFF",
          "true",
          "null",
          "~",
          "",
          "-1",
          "0.0.0.0",
          "1e3",
          "0x1F",
          "012",
          ".inf",
          "NaN",
          "a: b",
          "#x",
          "- x",
          "$(POD_NAME).x",
          "'q'",
          "\"dq\"",
          "back\\slash",
          "line\nbreak",
          "tab\there",
          "ünïcode",
          "*ref",
          "&anchor",
          "!tag",
          "%x",
          "@x",
          "`x",
          "{a}",
          "[a]",
          "a,b",
          "?x",
          "|",
          ">",
          "<<",
          "=",
          "x #y",
          "rollout-ledger:dev",
          "a/b.c-d"
        })
    void every_string_reads_back_as_itself(String s) {
      Map<String, Object> doc = new java.util.LinkedHashMap<>();
      doc.put(s.isEmpty() ? "empty" : s, s);
      doc.put("list", List.of(s, Map.of("k", s)));

      Object read = new Yaml().load(ManifestYaml.document(doc));

      assertThat(read).isEqualTo(doc);
    }
  }

  /** The names of the {@code ${NAME:default}} placeholders of the server's application.yml. */
  static Set<String> placeholders() throws Exception {
    Set<String> names = new TreeSet<>();
    Matcher m = PLACEHOLDER.matcher(applicationYmlText());
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  static String applicationYmlText() throws Exception {
    try (InputStream in = ManifestsTest.class.getResourceAsStream("/application.yml")) {
      assertThat(in).as("application.yml on the classpath").isNotNull();
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  static Map<String, Object> applicationYml() throws Exception {
    return map(new Yaml().load(applicationYmlText()));
  }

  static String topicName(Map<String, Object> kafkaTopic) {
    Object own = map(kafkaTopic.get("spec")).get("topicName");
    return own != null ? (String) own : (String) map(kafkaTopic.get("metadata")).get("name");
  }

  static Map<String, Object> container(Map<String, Map<String, Object>> objects) {
    List<Map<String, Object>> sets = ofKind(objects, "StatefulSet");
    assertThat(sets).hasSize(1);
    Map<String, Object> pod = map(map(map(sets.get(0).get("spec")).get("template")).get("spec"));
    List<Map<String, Object>> containers = list(pod.get("containers"));
    assertThat(containers).hasSize(1);
    return containers.get(0);
  }

  static Map<String, String> values(List<Map<String, Object>> env) {
    return env.stream()
        .filter(e -> e.containsKey("value"))
        .collect(
            Collectors.toMap(e -> (String) e.get("name"), e -> String.valueOf(e.get("value"))));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return (List<Map<String, Object>>) o;
  }
}
