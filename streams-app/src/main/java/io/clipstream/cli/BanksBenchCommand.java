package io.clipstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clipstream.banks.BankIndexBenchmark;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream banks bench [--sizes 10000,100000,1000000] [--clip-sizes ...]}: bank lookup speed at several
 * sizes on one thread, multi-index against linear scan and HNSW against exact, measured in one run.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmark bank lookups: PDQ multi-index vs linear scan, exact CLIP vs HNSW (recall@1).")
final class BanksBenchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--sizes",
            defaultValue = "10000,100000,1000000",
            split = ",",
            paramLabel = "N,...",
            description = "PDQ bank sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(
            names = "--clip-sizes",
            defaultValue = "10000,100000,200000",
            split = ",",
            paramLabel = "N,...",
            description = "CLIP bank sizes; above 100,000 the HNSW graph is used (default: ${DEFAULT-VALUE}).")
    List<Integer> clipSizes;

    @Option(
            names = "--queries",
            defaultValue = "2000",
            paramLabel = "N",
            description = "Lookups per size (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(
            names = "--dimension",
            defaultValue = "512",
            paramLabel = "D",
            description = "CLIP embedding width (default: ${DEFAULT-VALUE}).")
    int dimension;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> figures = new BankIndexBenchmark(sizes, queries, dimension, clipSizes)
                .run(new java.io.PrintStream(System.err, true));
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(figures));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
