package io.clipstream.cli;

import picocli.CommandLine;

/**
 * Entry point of the dev-kit jar that {@code ./clipstream} runs: every runtime command plus {@code demo},
 * {@code bench} and {@code labels impact-bench}, which need the in-process broker and therefore live outside the
 * runtime artifact.
 */
public final class DevKitCommand {

    private DevKitCommand() {}

    public static void main(String[] args) throws InterruptedException {
        CommandLine cli = ClipstreamCommand.commandLine(new DemoCommand(), new BenchCommand());
        cli.getSubcommands().get("labels").addSubcommand(new LabelsImpactBenchCommand());
        System.exit(ClipstreamCommand.execute(cli, args));
    }
}
