package dev.rolloutledger.loadtests.fleet;

import dev.rolloutledger.schemas.registry.SchemaRegistry;
import java.nio.file.Path;
import org.apache.kafka.clients.admin.Admin;

/**
 * What every phase of one FleetLoad run shares.
 *
 * @param embedded whether the broker is the embedded one in this JVM
 * @param work the run's temporary directory (state directories, the embedded broker's logs)
 * @param runId the suffix of this run's tenants, topics and application id
 */
public record FleetContext(
    FleetOptions options,
    String bootstrap,
    boolean embedded,
    Path work,
    String runId,
    String appId,
    Report report,
    Progress progress,
    Admin admin,
    SchemaRegistry registry,
    Waits waits) {}
