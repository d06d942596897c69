package dev.rolloutledger.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ledger manifests}: the Kubernetes objects of a deployment ({@link Manifests}), one YAML
 * file per object in {@code --out DIR} ({@code kubectl apply -f DIR}), or every object as one
 * multi-document stream on stdout with {@code --out -}. docs/kubernetes.md.
 */
@Command(
    name = "manifests",
    description = {
      "Writes Kubernetes manifests made from the code's own descriptors: a Strimzi KafkaTopic per"
          + " ledger topic, the server as a StatefulSet (state on a volume, probes on its health"
          + " endpoint) with a headless Service and an HTTPS Service. docs/kubernetes.md.",
      "Exit codes: 0 done, 2 bad option, 3 I/O error."
    })
final class ManifestsCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--out",
      defaultValue = "k8s",
      paramLabel = "DIR",
      description =
          "Directory for one file per object, KIND-NAME.yaml (default ${DEFAULT-VALUE});"
              + " `-`: one multi-document stream on stdout.")
  String out;

  @Option(
      names = "--namespace",
      paramLabel = "NS",
      defaultValue = "rollout-ledger",
      description = "Namespace of every object (default ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--replicas",
      paramLabel = "N",
      defaultValue = "2",
      description = "Instances of the server (StatefulSet replicas; default ${DEFAULT-VALUE}).")
  int replicas;

  @Option(
      names = "--kafka-cluster",
      defaultValue = "kafka",
      paramLabel = "NAME",
      description =
          "The Strimzi Kafka cluster: the topics' strimzi.io/cluster label (default"
              + " ${DEFAULT-VALUE}).")
  String kafkaCluster;

  @Option(
      names = "--topic-replicas",
      paramLabel = "N",
      defaultValue = "3",
      description = "Replicas of every topic (default ${DEFAULT-VALUE}).")
  int topicReplicas;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description =
          "The cluster's address for the server (default: Strimzi's NAME-kafka-bootstrap service"
              + " of the namespace, port 9092).")
  String bootstrapServers;

  @Option(
      names = "--image",
      paramLabel = "IMAGE",
      description =
          "The server's image: the bundle installed under /opt/rollout-ledger (default"
              + " rollout-ledger:VERSION, this CLI's version).")
  String image;

  @Option(
      names = "--storage",
      paramLabel = "SIZE",
      defaultValue = "10Gi",
      description = "Size of each instance's state volume (default ${DEFAULT-VALUE}).")
  String storage;

  @Override
  public Integer call() throws IOException {
    Manifests.Settings settings =
        new Manifests.Settings(
            namespace,
            replicas,
            kafkaCluster,
            topicReplicas,
            bootstrapServers,
            image != null ? image : "rollout-ledger:" + version(),
            storage);
    List<Map<String, Object>> objects = Manifests.all(settings);
    if (out.equals("-")) {
      spec.commandLine().getOut().print(ManifestYaml.documents(objects));
      spec.commandLine().getOut().flush();
      return 0;
    }
    Path dir = Path.of(out);
    Files.createDirectories(dir);
    for (Map<String, Object> object : objects) {
      Path file = dir.resolve(fileName(object));
      Files.writeString(file, ManifestYaml.document(object), StandardCharsets.UTF_8);
      spec.commandLine().getOut().println(file);
    }
    return 0;
  }

  static String version() {
    String v = LedgerCli.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** {@code kafkatopic-ledger.hosts.yaml}, {@code statefulset-rollout-ledger.yaml}. */
  static String fileName(Map<String, Object> object) {
    @SuppressWarnings("unchecked")
    Map<String, Object> meta = (Map<String, Object>) object.get("metadata");
    return object.get("kind").toString().toLowerCase(java.util.Locale.ROOT)
        + "-"
        + meta.get("name")
        + ".yaml";
  }
}
