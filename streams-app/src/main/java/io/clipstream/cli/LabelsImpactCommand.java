package io.clipstream.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clipstream.clip.ExecutionDevice;
import io.clipstream.clip.InferenceOptions;
import io.clipstream.clip.ModelFolder;
import io.clipstream.config.ClipStreamConfig;
import io.clipstream.labels.CompiledLabelSet;
import io.clipstream.labels.LabelSetFiles;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.rescore.EmbeddingRange;
import io.clipstream.rescore.EmbeddingReader;
import io.clipstream.rescore.ImpactAnalysis;
import io.clipstream.rescore.ImpactReport;
import io.clipstream.rescore.LabelSetTopicReader;
import io.clipstream.rescore.StoredEmbedding;
import io.clipstream.schema.LabelSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream labels impact --labels NEW [--against CURRENT] --config FILE [--since 24h | --from-offsets ...]}:
 * re-scores the embeddings retained on the image-embeddings topic with the new set and the current one, without
 * the image model, and reports per policy flags before and after, newly and no longer flagged, per label tags before
 * and after, with sample event ids.
 */
@Command(
        name = "impact",
        mixinStandardHelpOptions = true,
        description = "Re-score retained embeddings (image-embeddings topic) with a new label set and the current"
                + " one: flags and tags before and after, without running the image model.")
final class LabelsImpactCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(
            names = "--labels",
            required = true,
            paramLabel = "NEW",
            description = "The new label set: compiled .avro, or YAML compiled with --model.")
    Path labels;

    @Option(
            names = "--against",
            paramLabel = "CURRENT",
            description = "The current label set (YAML or .avro); default: the live version of the same name on the"
                    + " label-set topic.")
    Path against;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "Model folder whose text tower compiles YAML sets (the image tower is not used).")
    Path model;

    @ArgGroup(exclusive = true)
    RangeOptions range = new RangeOptions();

    @Option(
            names = "--samples",
            defaultValue = "5",
            paramLabel = "N",
            description = "Event ids shown per line (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--json", description = "One JSON object instead of the table.")
    boolean json;

    /** Where to start reading: by time or by offsets. */
    static final class RangeOptions {
        @Option(
                names = "--since",
                paramLabel = "DURATION",
                description = "Embeddings written in this last period, e.g. 24h, 90m, 7d (default: 24h).")
        String since = "24h";

        @Option(
                names = "--from-offsets",
                paramLabel = "P:O[,P:O...]",
                description = "Embeddings from these offsets of the embeddings topic's partitions.")
        String fromOffsets;

        EmbeddingRange resolve(KafkaConsumer<?, ?> consumer, String topic) {
            if (fromOffsets != null) {
                return EmbeddingRange.fromOffsets(consumer, topic, EmbeddingRange.parseOffsets(fromOffsets));
            }
            return EmbeddingRange.since(consumer, topic, EmbeddingRange.parseSince(since), Instant.now());
        }
    }

    @Override
    public Integer call() throws IOException {
        ClipStreamConfig config = kafka.processorConfig();
        LabelSet after = load(labels);
        try (SchemaRegistryClient registry = kafka.registry()) {
            LabelSet before = against != null
                    ? load(against)
                    : LabelSetTopicReader.get(
                                    kafka.clientConfig(),
                                    registry,
                                    config.topic(ClipStreamConfig.TOPIC_LABEL_SETS),
                                    after.getName())
                            .orElse(null);
            ImpactAnalysis analysis = new ImpactAnalysis(
                    CompiledLabelSet.of(after), before == null ? null : CompiledLabelSet.of(before), samples);
            String topic = config.topic(ClipStreamConfig.TOPIC_IMAGE_EMBEDDINGS);
            try (KafkaConsumer<String, StoredEmbedding> consumer =
                    EmbeddingReader.consumer(EmbeddingReader.consumerConfig(kafka.clientConfig()), registry)) {
                EmbeddingRange resolved = range.resolve(consumer, topic);
                EmbeddingReader.read(consumer, resolved, analysis::add);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode root = ImpactReport.json(analysis);
                new JsonLines(out).write(root);
            } else {
                out.print(ImpactReport.table(analysis));
            }
            out.flush();
        }
        return 0;
    }

    /** A compiled file as it is; YAML compiled with the text tower of --model, or a message saying what is missing. */
    private LabelSet load(Path file) throws IOException {
        if (LabelSetFiles.isCompiled(file)) {
            return LabelSetFiles.read(file);
        }
        if (model == null) {
            throw new IllegalArgumentException(file + " is YAML and must be compiled with a text model: give --model"
                    + " DIR (a folder with the text tower), or pass a file from clipstream labels compile");
        }
        ModelFolder folder = ModelFolder.open(model);
        if (folder.textualModel().isEmpty() || folder.tokenizer().isEmpty()) {
            throw new IllegalArgumentException(file + " is YAML and must be compiled, but the model folder " + model
                    + (folder.textualModel().isEmpty()
                            ? " has no text model (only the image tower)"
                            : " has no tokenizer for its text model")
                    + ": use a folder with the text tower, or compile the set where one is (clipstream labels"
                    + " compile) and pass the .avro");
        }
        return LabelSetLoading.compile(
                LabelSetLoading.parse(file), folder, InferenceOptions.defaults().withDevice(ExecutionDevice.CPU));
    }
}
