package dev.rolloutledger.server.ui;

import io.micronaut.core.io.ResourceResolver;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.server.types.files.StreamedFile;
import java.net.URL;

/**
 * The dashboard's page at {@code /ui} and {@code /ui/} (Micronaut matches both to one route, so a
 * redirect from one to the other would loop). Its assets are static resources under {@code /ui/**}
 * (application.yml), named by absolute paths in the page.
 */
@Controller
public class UiController {
  static final String INDEX = "classpath:ui/index.html";

  private final URL index;

  public UiController(ResourceResolver resources) {
    this.index =
        resources
            .getResource(INDEX)
            .orElseThrow(
                () -> new IllegalStateException("the dashboard is not built in: " + INDEX));
  }

  @Get(value = "/ui", produces = MediaType.TEXT_HTML)
  public HttpResponse<StreamedFile> index() {
    return HttpResponse.ok(new StreamedFile(index));
  }
}
