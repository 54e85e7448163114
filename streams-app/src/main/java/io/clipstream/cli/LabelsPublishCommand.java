package io.clipstream.cli;

import io.clipstream.clip.ExecutionDevice;
import io.clipstream.clip.InferenceOptions;
import io.clipstream.clip.ModelFolder;
import io.clipstream.labels.LabelSetFiles;
import io.clipstream.labels.LabelSetPublisher;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.LabelSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream labels publish --bootstrap-servers … --schema-registry … FILE|OUT.avro [--model DIR]}: publishes
 * a compiled label set to the compacted label-set topic, keyed by its name, compiling YAML first.
 */
@Command(
        name = "publish",
        mixinStandardHelpOptions = true,
        description = "Publish a label set to the compacted label-set topic (compiling YAML with --model first).")
final class LabelsPublishCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    KafkaOptions kafka;

    @Option(
            names = "--topic",
            defaultValue = LabelSetPublisher.DEFAULT_TOPIC,
            paramLabel = "TOPIC",
            description = "Label-set topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--model", paramLabel = "DIR", description = "Model folder to compile a YAML file for.")
    Path model;

    @Parameters(index = "0", paramLabel = "FILE", description = "Label-set YAML (with --model) or compiled .avro.")
    Path file;

    @Override
    public Integer call() throws IOException {
        LabelSet set;
        if (LabelSetFiles.isCompiled(file)) {
            set = LabelSetFiles.read(file);
        } else {
            if (model == null) {
                throw new IllegalArgumentException(file + " is YAML: give --model DIR to compile it first, or"
                        + " publish a file from clipstream labels compile");
            }
            set = LabelSetLoading.compile(
                    LabelSetLoading.parse(file),
                    ModelFolder.open(model),
                    InferenceOptions.defaults().withDevice(ExecutionDevice.CPU));
        }
        try (SchemaRegistryClient registry = kafka.registry();
                LabelSetPublisher publisher =
                        new LabelSetPublisher(kafka.bootstrapServers(), kafka.clientSettings(), registry, topic)) {
            long offset = publisher.publish(set);
            JsonLines out = new JsonLines(spec.commandLine().getOut());
            out.write(out.object()
                    .put("topic", topic)
                    .put("key", io.clipstream.labels.ActiveLabelSets.topicKey(set))
                    .put("version", set.getVersion())
                    .put("labels", set.getLabels().size())
                    .put("offset", offset)
                    .put("modelFingerprint", set.getModelFingerprint()));
        }
        return 0;
    }
}
