package io.clipstream.image;

import io.clipstream.bench.BenchImages;
import io.clipstream.pdq.PdqHasher;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * What PDQ adds to the per-image work: the hash of an already decoded 1920×1080 JPEG against the model's whole
 * preprocessing of it (decode, orient, resize, crop), and preprocessing with and without the hash. {@link #main}
 * prints the ratios measured in the same run (see docs/benchmarks.md); {@code --interleaved} alternates the two in
 * one loop instead, for shared machines.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PdqBenchmarks {

    private byte[] jpeg1080;
    private ImagePreprocessor preprocessor;
    private DecodedLuma decoded;

    @Setup
    public void setUp() throws ImageRejectedException {
        jpeg1080 = BenchImages.generate(1, 1920, 1080, "jpeg", 2).get(0);
        preprocessor = new ImagePreprocessor(PreprocessSpec.clip(224));
        decoded = new DecodedLuma(ImageDecoder.decode(jpeg1080, ImageFormat.JPEG, 50_000_000L));
    }

    @Benchmark
    public Object preprocessJpeg1920x1080() throws ImageRejectedException {
        return preprocessor.preprocessPixels(jpeg1080);
    }

    @Benchmark
    public Object preprocessJpeg1920x1080WithPdq() throws ImageRejectedException {
        return preprocessor.preprocess(jpeg1080, true, 0);
    }

    @Benchmark
    public Object pdqOfDecoded1920x1080() {
        return PdqHasher.hash(decoded);
    }

    @Benchmark
    public Object pdqDihedralOfDecoded1920x1080() {
        return PdqHasher.dihedral(decoded);
    }

    /**
     * Preprocessing alone, preprocessing with the PDQ hashes (all eight dihedral ones, as banks compute them), and
     * the hash of an already decoded image, alternated 300 times in one loop, medians of each taken (thread CPU
     * time): on shared cores, where JMH's benchmarks run minutes apart under different load, these ratios are the
     * steadier ones.
     */
    static void interleaved() throws ImageRejectedException {
        PdqBenchmarks b = new PdqBenchmarks();
        b.setUp();
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        int n = 300;
        long[] pre = new long[n];
        long[] withPdq = new long[n];
        long[] pdq = new long[n];
        for (int warm = 0; warm < 50; warm++) {
            b.preprocessJpeg1920x1080();
            b.preprocessJpeg1920x1080WithPdq();
            b.pdqOfDecoded1920x1080();
        }
        for (int i = 0; i < n; i++) {
            long t0 = cpu.getCurrentThreadCpuTime();
            b.preprocessJpeg1920x1080();
            long t1 = cpu.getCurrentThreadCpuTime();
            b.preprocessJpeg1920x1080WithPdq();
            long t2 = cpu.getCurrentThreadCpuTime();
            b.pdqOfDecoded1920x1080();
            long t3 = cpu.getCurrentThreadCpuTime();
            pre[i] = t1 - t0;
            withPdq[i] = t2 - t1;
            pdq[i] = t3 - t2;
        }
        java.util.Arrays.sort(pre);
        java.util.Arrays.sort(withPdq);
        java.util.Arrays.sort(pdq);
        double alone = pre[n / 2] / 1e6;
        double together = withPdq[n / 2] / 1e6;
        System.out.printf(
                Locale.ROOT,
                "Interleaved, %d rounds, medians of thread CPU time: preprocessing %.3f ms, with the eight PDQ hashes"
                        + " %.3f ms: PDQ adds %.3f ms = %.1f %% of preprocessing; PDQ of the decoded image alone"
                        + " %.3f ms = %.1f %%%n",
                n,
                alone,
                together,
                together - alone,
                100.0 * (together - alone) / alone,
                pdq[n / 2] / 1e6,
                100.0 * pdq[n / 2] / 1e6 / alone);
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--interleaved")) {
            interleaved();
            return;
        }
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                        .include(PdqBenchmarks.class.getName() + ".*")
                        .build())
                .run();
        Map<String, Double> ms = new TreeMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            ms.put(
                    name.substring(name.lastIndexOf('.') + 1),
                    r.getPrimaryResult().getScore());
        }
        double preprocess = ms.get("preprocessJpeg1920x1080");
        System.out.printf(
                Locale.ROOT,
                "PDQ of a decoded 1920x1080 JPEG: %.3f ms = %.1f %% of its preprocessing" + " (%.3f ms)%n",
                ms.get("pdqOfDecoded1920x1080"),
                100 * ms.get("pdqOfDecoded1920x1080") / preprocess,
                preprocess);
        System.out.printf(
                Locale.ROOT,
                "Preprocessing with PDQ: %.3f ms, +%.1f %% over preprocessing alone%n",
                ms.get("preprocessJpeg1920x1080WithPdq"),
                100 * (ms.get("preprocessJpeg1920x1080WithPdq") - preprocess) / preprocess);
        System.out.printf(
                Locale.ROOT, "PDQ with the eight dihedral hashes: %.3f ms%n", ms.get("pdqDihedralOfDecoded1920x1080"));
    }
}
