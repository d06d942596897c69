package dev.rolloutledger.server.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's Chromium, headless, driven by its own chromedriver (Selenium 4). On a machine without
 * them, and running as root (CI on a fresh Debian), {@code apt-get install -y chromium
 * chromium-driver} installs them first ({@code apt-get update} and again if that fails). If they
 * still cannot be had, the test fails and says how to install them: a browser test is never
 * skipped.
 */
final class Chromium {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private Chromium() {}

  /** Chromium and chromedriver are installed, or an AssertionError says why not. */
  static synchronized void ensureInstalled() {
    if (present()) {
      return;
    }
    StringBuilder tried = new StringBuilder();
    if (isRoot()) {
      List<String> install = List.of("apt-get", "install", "-y", "chromium", "chromium-driver");
      if (!run(install, tried)) {
        run(List.of("apt-get", "update"), tried);
        run(install, tried);
      }
    } else {
      tried.append("not root: cannot apt-get install it here\n");
    }
    if (!present()) {
      throw new AssertionError(
          "the dashboard's browser tests need Debian's Chromium and its driver at "
              + BROWSER
              + " and "
              + DRIVER
              + ": run `sudo apt-get install -y chromium chromium-driver`.\n"
              + tried);
    }
  }

  private static boolean present() {
    return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
  }

  private static boolean isRoot() {
    try {
      Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String uid = new String(id.getInputStream().readAllBytes()).trim();
      return id.waitFor() == 0 && uid.equals("0");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean run(List<String> command, StringBuilder log) {
    try {
      ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
      b.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process p = b.start();
      String out = new String(p.getInputStream().readAllBytes());
      boolean done = p.waitFor(15, TimeUnit.MINUTES);
      int code = done ? p.exitValue() : -1;
      log.append(String.join(" ", command)).append(": exit ").append(code).append('\n');
      if (code != 0) {
        // the tail says why (no network, a held lock): the rest is apt's progress
        log.append(out, Math.max(0, out.length() - 2000), out.length()).append('\n');
      }
      return code == 0;
    } catch (IOException e) {
      log.append(String.join(" ", command)).append(": ").append(e.getMessage()).append('\n');
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A new headless browser with a fresh profile, 1280 px wide, its console log kept. */
  static ChromeDriver start() throws IOException {
    ensureInstalled();
    Path profile = Files.createTempDirectory("ledger-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    return driver;
  }
}
