package dev.rolloutledger.infra;

import dev.rolloutledger.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What a principal of the closed broker may do, as Kafka ACLs. Everything not granted here is
 * refused ({@code allow.everyone.if.no.acl.found=false}).
 *
 * <ul>
 *   <li>{@link #SERVER}: the ledger server. Every {@code ledger.*} topic (it alone writes {@code
 *       ledger.tokens}, {@code ledger.decisions}, {@code ledger.commands}, {@code ledger.schemas}),
 *       its Kafka Streams application's internal topics, groups and transactional ids (prefix: the
 *       application id), and its own transactional ids ({@code ledger-}).
 *   <li>{@link #TELEMETRY}: a producer of inputs (docs/api.md, "What every door accepts"): writes
 *       {@code ledger.telemetry}, {@code ledger.hosts}, {@code ledger.releases}, {@code
 *       ledger.rollout-control}, {@code ledger.clock}; nothing else, no reads (it reads the
 *       registry over HTTP).
 *   <li>{@link #ADMIN}: a super user (the operator's tools: kafka-acls, kafka-configs, the topic
 *       installer, {@code --add-user}).
 * </ul>
 */
public enum KafkaRole {
  SERVER,
  TELEMETRY,
  ADMIN;

  /** The topics a producer of inputs writes (docs/api.md). */
  static final List<String> INPUT_TOPICS =
      List.of(
          Topics.TELEMETRY.name(),
          Topics.HOSTS.name(),
          Topics.RELEASES.name(),
          Topics.ROLLOUT_CONTROL.name(),
          Topics.CLOCK.name());

  /** The name used on the command line and in credential files: {@code server}, ... */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static KafkaRole of(String id) {
    for (KafkaRole r : values()) {
      if (r.id().equals(id)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "unknown role '" + id + "': server, telemetry or admin expected");
  }

  /**
   * The ACLs of {@code user} in this role; {@code serverApplicationId} is the server's Kafka
   * Streams application id (its internal topics, group and transactional ids start with it).
   */
  List<AclBinding> acls(String user, String serverApplicationId) {
    String principal = "User:" + user;
    List<AclBinding> acls = new ArrayList<>();
    switch (this) {
      case SERVER:
        for (String prefix : List.of("ledger.", serverApplicationId)) {
          acls.add(allow(principal, ResourceType.TOPIC, prefix, PatternType.PREFIXED));
        }
        for (String prefix : List.of("ledger-", serverApplicationId)) {
          acls.add(allow(principal, ResourceType.GROUP, prefix, PatternType.PREFIXED));
          acls.add(allow(principal, ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED));
        }
        for (AclOperation op :
            List.of(
                AclOperation.DESCRIBE,
                AclOperation.DESCRIBE_CONFIGS,
                AclOperation.IDEMPOTENT_WRITE)) {
          acls.add(cluster(principal, op));
        }
        break;
      case TELEMETRY:
        for (String topic : INPUT_TOPICS) {
          acls.add(
              new AclBinding(
                  new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                  new AccessControlEntry(
                      principal, "*", AclOperation.WRITE, AclPermissionType.ALLOW)));
        }
        acls.add(cluster(principal, AclOperation.IDEMPOTENT_WRITE));
        break;
      case ADMIN:
        break; // a super user (super.users): no ACL needed
      default:
        throw new IllegalStateException("no ACLs for " + this);
    }
    return acls;
  }

  private static AclBinding allow(
      String principal, ResourceType type, String name, PatternType pattern) {
    return new AclBinding(
        new ResourcePattern(type, name, pattern),
        new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.ALLOW));
  }

  private static AclBinding cluster(String principal, AclOperation op) {
    return new AclBinding(
        new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
        new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
  }
}
