package io.clipstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clipstream.bench.Benchmark;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream bench --model DIR [--images N] [--batch-sizes 1,8,16] [--partitions P] [--peer-model DIR]
 * [--photos DIR] [--preprocess-only] [--json]}: where the time goes,
 * all figures from one run on the same events, with their ratios.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmark: bare loop vs end to end, batching, preprocessing per format, latency at half load.")
final class BenchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(
            names = "--images",
            defaultValue = "200",
            paramLabel = "N",
            description = "Events per end-to-end run (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(
            names = "--batch-sizes",
            defaultValue = "1,8,16",
            split = ",",
            paramLabel = "B,...",
            description =
                    "Batch sizes to run end to end; the largest is the batched figure (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(
            names = "--peer-model",
            paramLabel = "DIR",
            description = "Also run the Python peer (tools/peer) with this folder's visual.pt on the same events.")
    Path peerModel;

    @Option(
            names = "--photos",
            paramLabel = "DIR",
            description = "Also measure draft-mode JPEG decoding against exact mode on the photos in this folder.")
    Path photos;

    @Option(names = "--preprocess-only", description = "Measure preprocessing only (no bare loop, no end-to-end runs).")
    boolean preprocessOnly;

    @Option(
            names = "--partitions",
            defaultValue = "1",
            paramLabel = "P",
            description = "Input partitions and stream threads (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (images < 20 || partitions < 1 || batchSizes.stream().anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("--images must be >= 20, --batch-sizes and --partitions >= 1");
        }
        Map<String, Object> figures = new Benchmark(
                        new Benchmark.Settings(
                                model.model,
                                images,
                                batchSizes,
                                partitions,
                                peerModel,
                                model.device,
                                photos,
                                preprocessOnly),
                        new java.io.PrintStream(System.err, true))
                .run();
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(figures));
        } else {
            out.printf("%-34s %s%n", "figure", "value");
            figures.forEach((k, v) -> out.printf("%-34s %s%n", k, v));
        }
        out.flush();
        return 0;
    }
}
