package io.clipstream.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code clipstream} command line. Every command prints one JSON object per line on stdout; a
 * missing folder, an unknown layout or a bad option is one line on stderr and a non-zero exit, never a stack trace
 * (set {@code CLIPSTREAM_DEBUG=1} to see one).
 */
@Command(
        name = "clipstream",
        mixinStandardHelpOptions = true,
        versionProvider = ClipstreamCommand.Version.class,
        description = "Real-time CLIP image tagging and moderation on Kafka.",
        subcommands = {
            TokenizeCommand.class,
            EmbedCommand.class,
            ClassifyCommand.class,
            LabelsCommand.class,
            ConfigCommand.class,
            RunCommand.class,
            ProduceCommand.class,
            TailCommand.class,
            TopologyCommand.class,
            PreprocessCommand.class,
            PdqCommand.class,
            BanksCommand.class,
            ReviewCommand.class,
            CommandLine.HelpCommand.class
        })
public final class ClipstreamCommand implements Runnable {

    /** Exit status for usage errors and failures to start. */
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Builds the command line with the project's error handling.
     *
     * @param extraSubcommands further {@code @Command} objects (the dev kit adds {@code demo} and {@code bench})
     */
    public static CommandLine commandLine(Object... extraSubcommands) {
        CommandLine cli = new CommandLine(new ClipstreamCommand());
        for (Object subcommand : extraSubcommands) {
            cli.addSubcommand(subcommand);
        }
        cli.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("clipstream: " + ex.getMessage() + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            err.println("clipstream: " + message);
            if (System.getenv("CLIPSTREAM_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            err.flush();
            return EXIT_USAGE;
        });
        return cli;
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(execute(commandLine(), args));
    }

    /** Runs {@code cli} with {@code args} on a thread with a large stack and returns the exit status. */
    public static int execute(CommandLine cli, String[] args) throws InterruptedException {
        // ONNX Runtime recurses deeply in native code when it loads and runs graphs; the main thread's default
        // stack can overflow (SIGSEGV, no Java error), so the commands run on a thread with a large stack.
        int[] status = new int[1];
        Thread command = new Thread(null, () -> status[0] = cli.execute(args), "clipstream-main", 64L * 1024 * 1024);
        command.start();
        command.join();
        return status[0];
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ClipstreamCommand.class.getPackage().getImplementationVersion();
            return new String[] {"clipstream " + (v == null ? "dev" : v)};
        }
    }
}
