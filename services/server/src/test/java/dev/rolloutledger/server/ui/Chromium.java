package dev.rolloutledger.server.ui;

import dev.rolloutledger.testing.DebianPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's Chromium, headless, driven by its own chromedriver (Selenium 4). On a machine without
 * them, {@link DebianPackages} installs {@code chromium} and {@code chromium-driver} first, or the
 * test fails saying how to install them: a browser test is never skipped.
 */
final class Chromium {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private Chromium() {}

  /** Chromium and chromedriver are installed, or an AssertionError says why not. */
  static void ensureInstalled() {
    DebianPackages.ensure(
        () -> Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER),
        "chromium",
        "chromium-driver");
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
