package dev.rolloutledger.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.rolloutledger.server.auth.Allowed;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;

/** The module layering (docs/architecture.md): data flows one way, nothing depends on services. */
@AnalyzeClasses(
    packages = "dev.rolloutledger",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule domain_is_pure_java =
      noClasses()
          .that()
          .resideInAPackage("dev.rolloutledger.domain..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.apache.kafka..",
              "org.apache.avro..",
              "io.micronaut..",
              "dev.rolloutledger.avro..",
              "dev.rolloutledger.schemas..",
              "dev.rolloutledger.topology..",
              "dev.rolloutledger.server..",
              "com.fasterxml..")
          .because(
              "the decision core must replay anywhere: move Kafka/Avro/Micronaut code to "
                  + "streams/topology or services and pass plain values into the domain");

  @ArchTest
  static final ArchRule topology_knows_no_micronaut =
      noClasses()
          .that()
          .resideInAPackage("dev.rolloutledger.topology..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.micronaut..", "dev.rolloutledger.server..")
          .because(
              "the server, replay and tests build the same topology: keep Micronaut in services/");

  @ArchTest
  static final ArchRule schemas_know_nothing_above_them =
      noClasses()
          .that()
          .resideInAnyPackage("dev.rolloutledger.schemas..", "dev.rolloutledger.avro..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.rolloutledger.domain..",
              "dev.rolloutledger.topology..",
              "dev.rolloutledger.server..",
              "dev.rolloutledger.infra..",
              "io.micronaut..")
          .because(
              "the contract is the bottom layer: a piece it needs from above belongs in schemas/");

  @ArchTest
  static final ArchRule nothing_depends_on_services =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.rolloutledger.server..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.rolloutledger.server..")
          .because(
              "services are the top layer: move the shared piece down into topology, domain or schemas");

  @ArchTest
  static final ArchRule every_api_route_declares_its_permission =
      methods()
          .that()
          .areAnnotatedWith(Get.class)
          .or()
          .areAnnotatedWith(Post.class)
          .or()
          .areAnnotatedWith(Put.class)
          .or()
          .areAnnotatedWith(Delete.class)
          .and()
          .areDeclaredInClassesThat()
          .resideInAPackage("dev.rolloutledger.server.api..")
          .should()
          .beAnnotatedWith(Allowed.class)
          .because(
              "the token filter refuses a route without a permission to everyone: annotate it with"
                  + " @Allowed(<the Permission its callers need>)");
}
