package io.clipstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clipstream.rescore.ImpactBenchmark;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream labels impact-bench [--embeddings 1000000] [--topic-embeddings 200000]}: how fast
 * {@code labels impact} re-scores, from memory and from a topic of an embedded broker (see {@link ImpactBenchmark}).
 */
@Command(
        name = "impact-bench",
        mixinStandardHelpOptions = true,
        description = "Benchmark labels impact: re-scoring engine over N embeddings in memory, Kafka read rate and"
                + " read + re-score from an embedded broker.")
final class LabelsImpactBenchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--embeddings",
            defaultValue = "1000000",
            paramLabel = "N",
            description = "Embeddings re-scored from memory (default: ${DEFAULT-VALUE}).")
    long embeddings;

    @Option(
            names = "--topic-embeddings",
            defaultValue = "200000",
            paramLabel = "N",
            description = "Embeddings written to and read from the embedded broker; 0 skips (default:"
                    + " ${DEFAULT-VALUE}).")
    int topicEmbeddings;

    @Option(
            names = "--dimension",
            defaultValue = "512",
            paramLabel = "D",
            description = "Embedding width (default: ${DEFAULT-VALUE}, ViT-B/32).")
    int dimension;

    @Option(
            names = "--labels",
            defaultValue = "47",
            paramLabel = "N",
            description = "Labels per set (default: ${DEFAULT-VALUE}; label-sets/moderation.yaml has 28).")
    int labels;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> figures = new ImpactBenchmark(embeddings, topicEmbeddings, dimension, labels)
                .run(new java.io.PrintStream(System.err, true));
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(figures));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
