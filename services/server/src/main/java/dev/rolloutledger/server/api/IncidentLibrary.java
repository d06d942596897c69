package dev.rolloutledger.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.sim.IncidentComparison;
import dev.rolloutledger.domain.sim.Scenario;
import dev.rolloutledger.replay.ScenarioJson;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The incident library (load-tests/incidents, docs/incidents.md) as the server ships it: the build
 * copies its files onto the classpath at {@value #FOLDER}/NAME.json (services/server/pom.xml), so
 * the server, the CLI and the docs read one set of files. Read once, on first use; a file that is
 * not a valid library scenario fails that use (a build that shipped it is broken).
 */
@Singleton
public class IncidentLibrary {
  static final String FOLDER = "incidents";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One incident: its name, what happened, and its scenario (without a plan). */
  public record Incident(String name, String description, Scenario scenario) {}

  private volatile List<Incident> incidents;

  /** Every incident, by file name. */
  public List<Incident> all() {
    List<Incident> all = incidents;
    if (all == null) {
      synchronized (this) {
        if (incidents == null) {
          incidents = load(IncidentLibrary.class.getClassLoader());
        }
        all = incidents;
      }
    }
    return all;
  }

  /** The incident with this name, if the library has one. */
  public Optional<Incident> named(String name) {
    return all().stream().filter(i -> i.name().equals(name)).findFirst();
  }

  /** The names, by file name: what an unknown name is told. */
  public List<String> names() {
    return all().stream().map(Incident::name).toList();
  }

  static List<Incident> load(ClassLoader loader) {
    URL folder = loader.getResource(FOLDER);
    if (folder == null) {
      throw new IllegalStateException("no " + FOLDER + "/ on the classpath: a broken build");
    }
    List<String> files = new ArrayList<>();
    try {
      if ("jar".equals(folder.getProtocol())) {
        JarURLConnection connection = (JarURLConnection) folder.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = connection.getJarFile()) {
          for (JarEntry e : Collections.list(jar.entries())) {
            String name = e.getName();
            if (name.startsWith(FOLDER + "/") && name.endsWith(".json")) {
              files.add(name);
            }
          }
        }
      } else {
        try (Stream<Path> listing = Files.list(Path.of(folder.toURI()))) {
          listing
              .map(p -> FOLDER + "/" + p.getFileName())
              .filter(n -> n.endsWith(".json"))
              .forEach(files::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Collections.sort(files);
    List<Incident> library = new ArrayList<>();
    for (String file : files) {
      library.add(incident(loader, file));
    }
    return List.copyOf(library);
  }

  private static Incident incident(ClassLoader loader, String file) {
    String text;
    try (InputStream in = loader.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException(file + ": not on the classpath");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Scenario scenario = IncidentComparison.requireNoPlan(ScenarioJson.scenario(text));
      JsonNode description = JSON.readTree(text).get("description");
      return new Incident(
          scenario.name(),
          description == null || description.isNull() ? "" : description.asText(),
          scenario);
    } catch (InvalidFieldException e) {
      throw new IllegalStateException(file + ": invalid " + e.field() + ": " + e.problem(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": not JSON", e);
    }
  }
}
