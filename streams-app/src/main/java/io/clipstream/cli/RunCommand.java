package io.clipstream.cli;

import io.clipstream.app.ClipStreamApp;
import io.clipstream.app.ShutdownSignals;
import io.clipstream.config.ClipStreamConfig;
import io.clipstream.config.RunRequirements;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clipstream run [--config FILE]}: the processor against a real cluster and registry, configured by a
 * properties file and/or environment variables; SIGTERM shuts it down gracefully.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Run the processor (configuration from --config FILE and CLIPSTREAM_* variables).")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file; environment variables win.")
    Path file;

    @Override
    public Integer call() throws Exception {
        ClipStreamConfig config = ClipStreamConfig.from(ConfigCommand.load(file), System.getenv());
        RunRequirements.check(config);
        ClipStreamApp app = ClipStreamApp.start(config);
        // not a shutdown hook: ONNX Runtime's own hook would close the native environment under a model run
        ShutdownSignals.onTermOrInt("clipstream-shutdown", app::close);
        app.awaitStopped();
        app.close();
        return app.streams().state() == KafkaStreams.State.ERROR ? 1 : 0;
    }
}
