package dev.rolloutledger.server.ui;

import static dev.rolloutledger.server.auth.Permission.READ;

import dev.rolloutledger.server.auth.Allowed;
import dev.rolloutledger.server.auth.Caller;
import dev.rolloutledger.server.auth.Permission;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.serde.annotation.Serdeable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /api/v1/whoami}: the tenant, name and role of the calling token and what its role
 * allows. The dashboard asks it on sign-in: it learns the tenant to show and which actions to offer
 * (the server still decides every action; an action hidden here is refused there too). Any token
 * that reads may ask; an agent token, which reads nothing, gets 403.
 */
@Controller("/api/v1/whoami")
public class WhoAmIController {

  /** The calling token; {@code permissions} in lower case ({@code read}, {@code operate}, ...). */
  @Serdeable
  public record WhoAmI(String name, String tenant, String role, List<String> permissions) {
    static WhoAmI of(Caller caller) {
      List<String> permissions =
          Arrays.stream(Permission.values())
              .filter(caller.role()::allows)
              .map(p -> p.name().toLowerCase(Locale.ROOT))
              .toList();
      return new WhoAmI(caller.name(), caller.tenant(), caller.role().id(), permissions);
    }
  }

  @Get
  @Allowed(READ)
  public WhoAmI whoami(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    return WhoAmI.of(caller);
  }
}
