package io.clipstream.cli;

import io.clipstream.clip.ImageEncoder;
import io.clipstream.clip.ModelFolder;
import io.clipstream.labels.LabelSetDefinition;
import io.clipstream.labels.LabelSetParser;
import io.clipstream.labels.ThresholdCalibrator;
import io.clipstream.labels.ThresholdWriter;
import io.clipstream.schema.LabelSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream labels calibrate --model DIR --labels FILE --samples DIR --precision 0.95 [--write]}: per label,
 * the threshold reaching the target precision on the samples, with its recall.
 */
@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description = "Choose per-label thresholds that reach a target precision on labelled sample images.")
final class LabelsCalibrateCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "Model (for --samples):%n")
    ModelOptions modelOptions;

    @Option(
            names = "--decisions",
            description = "Calibrate from reviewed decisions on the review-decisions topic"
                    + " (Kafka from --config / --bootstrap-servers) instead of sample images.")
    boolean decisions;

    @Option(
            names = "--decisions-topic",
            defaultValue = "review-decisions",
            paramLabel = "TOPIC",
            description = "Topic of ReviewDecision records (default: ${DEFAULT-VALUE}).")
    String decisionsTopic;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--labels", required = true, paramLabel = "FILE", description = "Label-set YAML file.")
    Path labels;

    @Option(
            names = "--samples",
            paramLabel = "DIR",
            description = "One folder of positive images per label id, and a negative/ folder.")
    Path samples;

    @Option(
            names = "--precision",
            defaultValue = "0.95",
            paramLabel = "P",
            description = "Target precision (default: ${DEFAULT-VALUE}).")
    double precision;

    @Option(names = "--write", description = "Write the thresholds back into the YAML file.")
    boolean write;

    @Override
    public Integer call() throws IOException {
        if (precision <= 0 || precision > 1) {
            throw new IllegalArgumentException("--precision must be in (0, 1], found " + precision);
        }
        if (decisions) {
            return new DecisionCalibration(spec, kafka, decisionsTopic).run(labels, precision, write);
        }
        if (samples == null || modelOptions == null) {
            throw new IllegalArgumentException("give --samples DIR and --model DIR, or --decisions");
        }
        if (!Files.isDirectory(samples)) {
            throw new IllegalArgumentException("samples folder " + samples + " does not exist");
        }
        ModelFolder folder = modelOptions.folder();
        LabelSetDefinition definition = LabelSetLoading.parse(labels);
        LabelSet set = LabelSetLoading.compile(definition, folder, modelOptions.inference());
        Map<String, float[][]> embedded = new TreeMap<>();
        int unusable = 0;
        try (ImageEncoder encoder = ImageEncoder.open(folder, modelOptions.inference());
                Stream<Path> dirs = Files.list(samples)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                List<Path> files;
                try (Stream<Path> listing = Files.list(dir)) {
                    files = listing.filter(Files::isRegularFile).sorted().toList();
                }
                List<float[]> usable = new ArrayList<>();
                for (float[] e : ImageInputs.embed(files, encoder).embeddings()) {
                    if (e == null) {
                        unusable++;
                    } else {
                        usable.add(e);
                    }
                }
                embedded.put(dir.getFileName().toString(), usable.toArray(new float[0][]));
            }
        }
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        Map<String, Float> chosen = new LinkedHashMap<>();
        for (ThresholdCalibrator.Result r : ThresholdCalibrator.calibrate(set, embedded, precision)) {
            var line = out.object()
                    .put("label", r.labelId())
                    .put("positives", r.positives())
                    .put("negatives", r.negatives());
            if (r.threshold() == null) {
                line.putNull("threshold").put("message", "precision " + precision + " is not reachable");
            } else {
                line.put("threshold", r.threshold())
                        .put("precision", r.precision())
                        .put("recall", r.recall());
                chosen.put(r.labelId(), r.threshold());
            }
            out.write(line);
        }
        if (unusable > 0) {
            spec.commandLine().getErr().println("clipstream: " + unusable + " sample files could not be used");
        }
        if (write && !chosen.isEmpty()) {
            String updated = ThresholdWriter.write(Files.readString(labels), chosen);
            try {
                LabelSetParser.parse(labels.getFileName().toString(), updated);
            } catch (io.clipstream.labels.LabelSetValidationException e) {
                throw new IllegalStateException(
                        "writing thresholds would make " + labels + " invalid:\n" + e.getMessage(), e);
            }
            Files.writeString(labels, updated);
        }
        return 0;
    }
}
