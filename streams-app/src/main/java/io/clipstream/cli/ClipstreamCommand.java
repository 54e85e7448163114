package io.clipstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code clipstream} command line. */
@Command(name = "clipstream", mixinStandardHelpOptions = true,
        description = "Real-time CLIP image tagging and moderation on Kafka.")
public final class ClipstreamCommand implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClipstreamCommand()).execute(args));
    }
}
