package io.clipstream.cli;

import io.clipstream.labels.LabelSetDefinition;
import io.clipstream.labels.LabelSetParser;
import io.clipstream.labels.ThresholdWriter;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.review.DecisionCalibrator;
import io.clipstream.review.DecisionReader;
import io.clipstream.schema.ReviewDecision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code labels calibrate --decisions}: the label set's standing review decisions as labelled samples (confirmed:
 * positive, overturned: negative), one threshold per label for the target precision, with the number of decisions
 * it rests on.
 */
final class DecisionCalibration {

    private final picocli.CommandLine.Model.CommandSpec spec;
    private final KafkaOptions kafka;
    private final String topic;

    DecisionCalibration(picocli.CommandLine.Model.CommandSpec spec, KafkaOptions kafka, String topic) {
        this.spec = spec;
        this.kafka = kafka;
        this.topic = topic;
    }

    int run(Path labels, double precision, boolean write) throws IOException {
        LabelSetDefinition definition = LabelSetLoading.parse(labels);
        List<ReviewDecision> all;
        try (SchemaRegistryClient registry = kafka.registry()) {
            all = DecisionReader.readAll(
                    kafka.clientConfig(),
                    topic,
                    AvroSerdes.serde(ReviewDecision.class, ReviewDecision.getClassSchema(), registry, false, false)
                            .deserializer(),
                    Duration.ofSeconds(60));
        }
        List<ReviewDecision> ofSet = DecisionReader.standing(all).stream()
                .filter(d -> d.getLabelSetName().equals(definition.name()))
                .toList();
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        Map<String, Float> chosen = new LinkedHashMap<>();
        for (DecisionCalibrator.Suggestion s : DecisionCalibrator.calibrate(ofSet, precision)) {
            var line = out.object().put("label", s.labelId()).put("decisions", s.samples());
            if (s.threshold() == null) {
                line.putNull("threshold")
                        .put("message", "precision " + precision + " is not reached by " + s.samples() + " decisions");
            } else {
                line.put("threshold", s.threshold())
                        .put("precision", s.precision())
                        .put("support", s.support())
                        .put("confirmed", s.confirmed());
                chosen.put(s.labelId(), s.threshold());
            }
            out.write(line);
        }
        spec.commandLine()
                .getErr()
                .println("clipstream: " + ofSet.size() + " standing decisions on label set "
                        + definition.name() + " (of " + all.size() + " on " + topic + "); decisions only cover flagged"
                        + " images, so they can raise a threshold but not lower it");
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
