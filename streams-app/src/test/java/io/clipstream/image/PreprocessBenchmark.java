package io.clipstream.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Single-thread timing of decode + EXIF + resize + crop + normalise for the 1920×1080 JPEG fixture at 224.
 * Not a unit test. Run after {@code test-compile}:
 * <pre>
 * java -cp streams-app/target/test-classes:streams-app/target/classes:$(cat cp.txt) \
 *     io.clipstream.image.PreprocessBenchmark [image] [iterations]
 * </pre>
 * Compare with {@code /usr/bin/python3 tools/bench_preprocess_pil.py} (same pipeline in PIL + torchvision).
 */
public final class PreprocessBenchmark {
    private PreprocessBenchmark() {}

    public static void main(String[] args) throws Exception {
        byte[] data = args.length > 0
                ? Files.readAllBytes(Path.of(args[0]))
                : ImageFixtures.bytes("jpeg_large_1920x1080.jpg");
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        ImagePreprocessor pre = new ImagePreprocessor(PreprocessSpec.clip(224));
        for (int i = 0; i < 100; i++) {
            pre.preprocess(data);
        }
        long[] times = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            pre.preprocess(data);
            times[i] = System.nanoTime() - start;
        }
        Arrays.sort(times);
        System.out.printf(
                Locale.ROOT,
                "Java preprocess %d bytes -> 224: median %.2f ms, best %.2f ms, p90 %.2f ms "
                        + "(%d iterations, 1 thread)%n",
                data.length,
                times[iterations / 2] / 1e6,
                times[0] / 1e6,
                times[iterations * 9 / 10] / 1e6,
                iterations);
        // break-down: decode only
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            ImageDecoder.decode(data, ImageFormat.JPEG, PreprocessSpec.DEFAULT_MAX_PIXELS);
            times[i] = System.nanoTime() - start;
        }
        Arrays.sort(times);
        System.out.printf(Locale.ROOT, "  of which JPEG decode: median %.2f ms%n", times[iterations / 2] / 1e6);
    }
}
