import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The licences of the jars a bundle ships, from its CycloneDX SBOM: one line per jar in LIB_DIR
 * and LIB_DIR/lib (group:name:version, the licences the SBOM names, the jar). A jar that the SBOM
 * does not describe is listed too, saying so. Run by infra/bundle/stage.sh with the bundle's own
 * runtime and Jackson: {@code java -cp JACKSON LicenceList.java SBOM LIB_DIR}.
 */
public class LicenceList {
  public static void main(String[] args) throws Exception {
    JsonNode bom = new ObjectMapper().readTree(new File(args[0]));
    Set<String> jars = new TreeSet<>();
    for (File dir : List.of(new File(args[1]), new File(args[1], "lib"))) {
      File[] files = dir.listFiles((d, n) -> n.endsWith(".jar"));
      if (files != null) {
        for (File f : files) {
          jars.add(f.getName());
        }
      }
    }
    TreeMap<String, String> lines = new TreeMap<>();
    for (JsonNode c : bom.path("components")) {
      // a dependency keeps its file name; our own jars are shipped as lib/NAME.jar
      String jar = c.path("name").asText() + "-" + c.path("version").asText() + ".jar";
      if (!jars.remove(jar)) {
        jar = c.path("name").asText() + ".jar";
        if (!jars.remove(jar)) {
          continue;
        }
      }
      List<String> licences = new ArrayList<>();
      for (JsonNode l : c.path("licenses")) {
        JsonNode lic = l.path("license");
        String id = lic.hasNonNull("id") ? lic.get("id").asText() : lic.path("name").asText("");
        if (!id.isEmpty()) {
          licences.add(id);
        } else if (l.hasNonNull("expression")) {
          licences.add(l.get("expression").asText());
        }
      }
      String coordinates =
          c.path("group").asText() + ":" + c.path("name").asText() + ":" + c.path("version").asText();
      lines.put(
          coordinates,
          String.format(
              "%-70s %-40s %s",
              coordinates, licences.isEmpty() ? "(none in the SBOM)" : String.join(" OR ", licences), jar));
    }
    System.out.println("# The licences of the jars in lib/ and lib/lib/, from sbom/rollout-ledger.cdx.json.");
    System.out.println("# Each jar's own licence and notice files: licenses/JAR/. The runtime's: runtime/legal/.");
    lines.values().forEach(System.out::println);
    for (String jar : jars) {
      System.out.printf("%-70s %-40s %s%n", "(not described by the SBOM)", "", jar);
    }
  }
}
