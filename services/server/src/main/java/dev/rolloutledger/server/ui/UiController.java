package dev.rolloutledger.server.ui;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.net.URI;

/**
 * {@code /ui} without its slash: redirected to {@code /ui/}, the dashboard's index (the static
 * resources under {@code /ui/**} serve it; relative asset paths need the slash).
 */
@Controller
public class UiController {

  @Get("/ui")
  public HttpResponse<Void> index() {
    return HttpResponse.seeOther(URI.create("/ui/"));
  }
}
