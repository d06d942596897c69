package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolloutledger.agent.ApiClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * The base of the operator's commands against a running server (each one a call of the HTTP API,
 * docs/api.md): the shared connection options, and for those that print what the server answered,
 * the output format ({@code -o table|wide|json}, see {@link Output}). The commands themselves live
 * by concern: {@link RolloutCommands}, {@link ReleaseCommands}, {@link InventoryCommands}, {@link
 * PolicyCommands}, {@link TailCommand}, {@link TokenCommands}, {@link KeyCommands}.
 */
final class ServerCommands {
  private ServerCommands() {}

  /** A command that talks to a server: the connection options and the output streams. */
  abstract static class Base implements Callable<Integer> {
    @Mixin Api.Options api;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    @Override
    public Integer call() throws Exception {
      run(api.client());
      return 0;
    }

    abstract void run(ApiClient client) throws Exception;
  }

  /** A command that prints what the server answered, in the format {@code -o} asks for. */
  abstract static class Printing extends Base {
    @Mixin Output.Options output;

    Output.Format format() {
      return output.format();
    }

    /** Prints an accepted change: a line saying so, or with {@code -o json} the server's JSON. */
    void accepted(JsonNode answer, String what) throws IOException {
      if (output.isJson()) {
        Output.json(out(), answer);
      } else {
        out().println(what + " (accepted; the engine decides within a second)");
      }
    }
  }
}
