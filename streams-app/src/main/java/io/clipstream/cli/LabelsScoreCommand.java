package io.clipstream.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clipstream.clip.ImageEncoder;
import io.clipstream.clip.ModelFolder;
import io.clipstream.clip.ModelLoadException;
import io.clipstream.labels.ActiveLabelSets;
import io.clipstream.labels.AvroJson;
import io.clipstream.labels.CompiledLabelSet;
import io.clipstream.labels.ImageVerdict;
import io.clipstream.labels.ModelFingerprint;
import io.clipstream.labels.ResultRecords;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.Timings;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream labels score --model DIR --labels FILE [--] FILE...}: per image, the tags and policy
 * flags exactly as the streaming processor emits them (the same scoring and record-building code).
 */
@Command(
        name = "score",
        mixinStandardHelpOptions = true,
        description = "Tag images with a label set and evaluate its policies, as the processor does.")
final class LabelsScoreCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(
            names = "--labels",
            required = true,
            paramLabel = "FILE",
            description = "Label set: YAML (compiled on the fly) or a compiled .avro file.")
    Path labels;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Image files.")
    List<Path> files;

    @Override
    public Integer call() {
        ModelFolder folder = modelOptions.folder();
        ActiveLabelSets active = new ActiveLabelSets(ModelFingerprint.of(folder));
        ActiveLabelSets.Update update = active.offer(LabelSetLoading.load(labels, folder, modelOptions.inference()));
        if (update instanceof ActiveLabelSets.Refused refused) {
            throw new ModelLoadException(refused.reason());
        }
        CompiledLabelSet set = ((ActiveLabelSets.Accepted) update).set();
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        boolean failed = false;
        try (ImageEncoder encoder = ImageEncoder.open(folder, modelOptions.inference())) {
            long start = System.nanoTime();
            ImageInputs.Embedded embedded = ImageInputs.embed(files, encoder);
            long inferenceMs = (System.nanoTime() - start) / 1_000_000;
            List<float[]> usable = new ArrayList<>();
            for (float[] e : embedded.embeddings()) {
                if (e != null) {
                    usable.add(e);
                }
            }
            List<ImageVerdict> verdicts = set.score(usable.toArray(new float[0][]));
            List<ImageInputs.Outcome> outcomes = embedded.outcomes();
            int next = 0;
            for (ImageInputs.Outcome outcome : outcomes) {
                ObjectNode line = out.object().put("image", outcome.file().toString());
                if (!outcome.ok()) {
                    failed = true;
                    out.write(line.put("error", outcome.errorCode()).put("message", outcome.message()));
                    continue;
                }
                ImageVerdict verdict = verdicts.get(next++);
                String eventId = outcome.file().toString();
                Timings timings = new Timings(0L, inferenceMs, inferenceMs);
                line.set("tags", AvroJson.toJson(ResultRecords.tags(eventId, folder.modelId(), set, verdict, timings)));
                ArrayNode flags = line.putArray("flags");
                for (PolicyFlag flag : ResultRecords.flags(eventId, folder.modelId(), set, verdict, Instant.now())) {
                    flags.add(AvroJson.toJson(flag));
                }
                out.write(line);
            }
        }
        return failed ? 1 : 0;
    }
}
