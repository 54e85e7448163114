package io.clipstream.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.clipstream.demo.DemoSettings;
import io.clipstream.demo.EmbeddedDemo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clipstream demo}: with no configuration at all, the whole pipeline in one process on the built-in tiny
 * model, its label set and generated images, with live progress and a summary.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run the whole pipeline in one process: embedded Kafka, registry, model, label sets, images.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", description = "Model folder (default: models/tiny-shapes).")
    Path model;

    @Option(
            names = "--labels",
            paramLabel = "FILE",
            arity = "1..*",
            description = "Label-set YAML files (default: label-sets/tiny-shapes.yaml).")
    List<Path> labels;

    @Option(
            names = "--images",
            paramLabel = "DIR",
            description = "Images to stream (default: the tiny model's generated demo images).")
    Path images;

    @Option(
            names = "--rate",
            paramLabel = "N",
            defaultValue = "25",
            description = "Events per second to produce; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--no-corrupt", description = "Do not stream the few unusable inputs that show dead letters.")
    boolean noCorrupt;

    @Option(names = "--keep-running", description = "Leave Kafka and the processor up after the summary.")
    boolean keepRunning;

    @Option(names = "--verbose", description = "Show the processor's and Kafka's logs.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (!verbose && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.ERROR);
            context.getLoggerList().stream().filter(l -> l.getLevel() != null).forEach(l -> l.setLevel(Level.ERROR));
        }
        Path home = home();
        Path modelDir = model != null ? model : home.resolve("models/tiny-shapes");
        List<Path> labelFiles = labels != null ? labels : List.of(home.resolve("label-sets/tiny-shapes.yaml"));
        Path imageDir = images != null ? images : home.resolve("models/tiny-shapes/demo-images");
        EmbeddedDemo.Summary summary = new EmbeddedDemo(
                        new DemoSettings(modelDir, labelFiles, imageDir, rate, !noCorrupt, keepRunning),
                        System.out,
                        System.err)
                .run();
        return summary.tagged() + summary.deadLetters() == summary.events() ? 0 : 1;
    }

    /** The checkout the launcher runs from ({@code CLIPSTREAM_HOME}), else the working directory. */
    static Path home() {
        String configured = System.getenv("CLIPSTREAM_HOME");
        if (configured != null && Files.isDirectory(Path.of(configured))) {
            return Path.of(configured);
        }
        return Path.of("").toAbsolutePath();
    }
}
