package dev.rolloutledger.server.api;

import static dev.rolloutledger.server.auth.Permission.ADMINISTER;
import static dev.rolloutledger.server.auth.Permission.READ;

import dev.rolloutledger.avro.MaintenanceWindowSpec;
import dev.rolloutledger.avro.OwnerPolicySpec;
import dev.rolloutledger.avro.TrustedPublisherSpec;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.PolicySet;
import dev.rolloutledger.server.api.Views.Accepted;
import dev.rolloutledger.server.auth.Allowed;
import dev.rolloutledger.server.auth.Caller;
import dev.rolloutledger.server.cluster.OwnerAnswers;
import dev.rolloutledger.server.kafka.EventPublisher;
import dev.rolloutledger.topology.AvroMapper;
import dev.rolloutledger.topology.InputChecks;
import dev.rolloutledger.topology.LedgerQueries;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The owner's policy for a tenant: pin, pause, maintenance windows (in an IANA time zone, UTC by
 * default), delay after publication, allowed publishers. Stronger than any publisher's request; it
 * never holds back a HALT.
 */
@Controller("/api/v1/tenants/{tenant}/policy")
@ExecuteOn(TaskExecutors.BLOCKING)
public class PolicyController {
  private final EventPublisher publisher;
  private final LedgerQueries queries;
  private final Clock clock = Clock.systemUTC();

  public PolicyController(EventPublisher publisher, LedgerQueries queries) {
    this.publisher = publisher;
    this.queries = queries;
  }

  @Serdeable
  public record WindowBody(
      @Nullable List<String> days,
      @Nullable String start,
      @Nullable String end,
      @Nullable String zone) {}

  @Serdeable
  public record PolicyBody(
      @Nullable String pin,
      @Nullable Boolean paused,
      @Nullable List<WindowBody> windows,
      @Nullable String delay,
      @Nullable List<String> allowedPublishers,
      @Nullable String by,
      @Nullable List<TrustedBody> trustedPublishers) {}

  @Serdeable
  public record TrustedBody(@Nullable String name, @Nullable String publicKey) {}

  /** What GET answers: the body's fields, each trusted key's id, and how publishers are known. */
  @Serdeable
  public record PolicyView(
      @Nullable String pin,
      boolean paused,
      List<WindowBody> windows,
      String delay,
      List<String> allowedPublishers,
      String by,
      List<TrustedView> trustedPublishers,
      String publisherTrust,
      String publisherTrustSays) {}

  @Serdeable
  public record TrustedView(String name, String publicKey, String keyId) {}

  @Put
  @Allowed(ADMINISTER)
  public HttpResponse<Accepted> set(
      @PathVariable String tenant,
      @Body @RequestBody(content = @Content(schema = @Schema(implementation = PolicyBody.class)))
          String json,
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    Ids.require("tenant", tenant);
    PolicyBody body = StrictJson.read(json, PolicyBody.class);
    if (body.pin() != null) {
      Ids.require("pin", body.pin());
    }
    List<MaintenanceWindowSpec> windows = new ArrayList<>();
    if (body.windows() != null) {
      for (int i = 0; i < body.windows().size(); i++) {
        WindowBody w = body.windows().get(i);
        if (w == null) {
          throw ApiProblemException.badField(
              "windows[" + i + "]", "windows[" + i + "] must be an object");
        }
        List<String> days = w.days() == null ? List.of() : w.days();
        for (int d = 0; d < days.size(); d++) {
          if (days.get(d) == null) {
            String field = "windows[" + i + "].days[" + d + "]";
            throw ApiProblemException.badField(field, field + " must be MONDAY..SUNDAY, not null");
          }
        }
        windows.add(
            new MaintenanceWindowSpec(
                days, w.start(), w.end(), w.zone() == null ? "UTC" : w.zone()));
      }
    }
    OwnerPolicySpec spec =
        OwnerPolicySpec.newBuilder()
            .setPin(body.pin())
            .setPaused(Boolean.TRUE.equals(body.paused()))
            .setWindows(windows)
            .setDelay(body.delay() == null ? "PT0S" : body.delay())
            .setAllowedPublishers(
                body.allowedPublishers() == null ? List.of() : body.allowedPublishers())
            .setBy(caller.name()) // who set it: the token, never the body
            .setTrustedPublishers(trusted(body.trustedPublishers()))
            .build();
    OwnerPolicy policy = AvroMapper.policy(tenant, spec); // validates, naming the field
    publisher.publish(checked(new PolicySet(tenant, clock.instant(), policy)));
    return HttpResponse.accepted().body(new Accepted(1, List.of(tenant)));
  }

  private static List<TrustedPublisherSpec> trusted(@Nullable List<TrustedBody> bodies) {
    List<TrustedPublisherSpec> out = new ArrayList<>();
    if (bodies == null) {
      return out;
    }
    for (int i = 0; i < bodies.size(); i++) {
      TrustedBody t = bodies.get(i);
      String item = "trustedPublishers[" + i + "]";
      if (t == null) {
        throw ApiProblemException.badField(item, item + " must be an object");
      }
      if (t.name() == null) {
        throw ApiProblemException.badField(item + ".name", item + ".name is required");
      }
      if (t.publicKey() == null) {
        throw ApiProblemException.badField(item + ".publicKey", item + ".publicKey is required");
      }
      out.add(new TrustedPublisherSpec(t.name(), t.publicKey()));
    }
    return out;
  }

  /**
   * The rules of every door ({@link InputChecks}); a field is named as in this body ({@code
   * delay}), not as in the event ({@code policy.delay}).
   */
  private static PolicySet checked(PolicySet set) {
    try {
      return InputChecks.check(set);
    } catch (InvalidFieldException e) {
      String field = e.field().startsWith("policy.") ? e.field().substring(7) : e.field();
      throw new InvalidFieldException(field, e.problem());
    }
  }

  /** The policy the engine enforces; a tenant without one gets no constraint. */
  @OwnerAnswers
  @Get
  @Allowed(READ)
  public PolicyView get(@PathVariable String tenant) {
    Ids.require("tenant", tenant);
    OwnerPolicy p = queries.policy(tenant).orElseGet(() -> OwnerPolicy.none(tenant));
    List<WindowBody> windows =
        p.windows().stream()
            .map(
                w ->
                    new WindowBody(
                        w.days().stream().sorted().map(Enum::name).toList(),
                        w.start().toString(),
                        w.end().toString(),
                        w.zone().getId()))
            .toList();
    List<TrustedView> trusted =
        p.trustedPublishers().stream()
            .map(t -> new TrustedView(t.name(), t.publicKey(), t.keyId()))
            .toList();
    return new PolicyView(
        p.pin(),
        p.paused(),
        windows,
        p.delay().toString(),
        p.allowedPublishers(),
        p.by(),
        trusted,
        p.publisherTrust(),
        p.publisherTrustSays());
  }
}
