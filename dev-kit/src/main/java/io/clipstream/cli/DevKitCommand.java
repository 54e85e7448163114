package io.clipstream.cli;

/**
 * Entry point of the dev-kit jar that {@code ./clipstream} runs: every runtime command plus {@code demo} and
 * {@code bench}, which need the in-process broker and therefore live outside the runtime artifact.
 */
public final class DevKitCommand {

    private DevKitCommand() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(ClipstreamCommand.execute(ClipstreamCommand.commandLine(new DemoCommand(), new BenchCommand()),
                args));
    }
}
