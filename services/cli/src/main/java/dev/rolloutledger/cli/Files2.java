package dev.rolloutledger.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** File access for commands: a missing or unreadable file is a usage problem naming the file. */
final class Files2 {
  private Files2() {}

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new LedgerCli.UsageProblem(file + ": no such file");
    } catch (IOException e) {
      throw new LedgerCli.UsageProblem(file + ": cannot be read (" + e.getMessage() + ")");
    }
  }

  static java.io.InputStream open(Path file) {
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new LedgerCli.UsageProblem(file + ": no such file");
    } catch (IOException e) {
      throw new LedgerCli.UsageProblem(file + ": cannot be read (" + e.getMessage() + ")");
    }
  }

  static OutputStream create(Path file) {
    try {
      return Files.newOutputStream(file);
    } catch (IOException e) {
      throw new LedgerCli.UsageProblem(file + ": cannot be written (" + e.getMessage() + ")");
    }
  }

  static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
