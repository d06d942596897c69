package dev.rolloutledger.domain;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The ordered waves of a rollout. Wave names are unique; the first wave starts at planning. */
public record Plan(List<WavePlan> waves) {

  public Plan {
    Checks.present("waves", waves);
    if (waves.isEmpty()) {
      throw new InvalidFieldException("waves", "must not be empty");
    }
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < waves.size(); i++) {
      WavePlan wave = Checks.present("waves[" + i + "]", waves.get(i));
      Integer earlier = firstIndex.putIfAbsent(wave.name(), i);
      if (earlier != null) {
        throw new InvalidFieldException(
            "waves[" + i + "].name",
            "must be unique ('" + wave.name() + "' is waves[" + earlier + "])");
      }
    }
    waves = List.copyOf(waves);
  }

  /**
   * dev, staging, a five-host prod canary, then the rest of prod; 20% crash cap, 1 crash min;
   * bakes of 10, 30, 30 and 60 minutes.
   */
  public static Plan defaultPlan() {
    return new Plan(
        List.of(
            new WavePlan("dev", Map.of("env", "dev"), null, null, 0.2, 1, Duration.ofMinutes(10)),
            new WavePlan("staging", Map.of("env", "staging"), null, null, 0.2, 1, Duration.ofMinutes(30)),
            new WavePlan("prod-canary", Map.of("env", "prod"), 5, null, 0.2, 1, Duration.ofMinutes(30)),
            new WavePlan("prod", Map.of("env", "prod"), null, null, 0.2, 1, Duration.ofHours(1))));
  }

  /** The index of the wave with this name, or -1. */
  public int indexOf(String wave) {
    for (int i = 0; i < waves.size(); i++) {
      if (waves.get(i).name().equals(wave)) {
        return i;
      }
    }
    return -1;
  }
}
