package io.clipstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A smoke run of the benchmark on the tiny model with few events, so the command cannot rot. */
class BenchmarkIT {

    @Test
    void everyFigureIsMeasuredAndTheRatiosFollowFromThem() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Map<String, Object> figures = new Benchmark(
                        new Benchmark.Settings(
                                Path.of("..", "models", "tiny-shapes"),
                                20,
                                java.util.List.of(4),
                                1,
                                null,
                                "cpu",
                                null,
                                false),
                        new PrintStream(progress, true, StandardCharsets.UTF_8))
                .run();
        System.out.println("bench smoke: " + figures);
        for (String key : new String[] {
            "bare_images_per_s",
            "e2e_events_per_s",
            "batch1_events_per_s",
            "e2e_steady_events_per_s",
            "batch1_steady_events_per_s",
            "preprocess_images_per_s_per_core",
            "preprocess_1080p_per_s",
            "preprocess_1080p_imageio_per_s",
            "half_load_events_per_s"
        }) {
            assertThat(((Number) figures.get(key)).doubleValue()).as(key).isPositive();
        }
        assertThat(figures).containsEntry("images", 20).containsEntry("batch_size", 4);
        // 20 events produced as fast as possible with batch.max.size=4: the batcher must have merged them into
        // model runs of more than one image (a broken batcher runs them one by one), and never more than 4
        assertThat(((Number) figures.get("mean_inference_batch")).doubleValue())
                .as("mean inference batch")
                .isGreaterThan(1.0)
                .isLessThanOrEqualTo(4.0);
        assertThat(((Number) figures.get("p50_ms")).longValue()).as("p50").isPositive();
        assertThat(progress.toString(StandardCharsets.UTF_8))
                .contains("bare loop:")
                .contains("end to end (b1");
        if (figures.containsKey("preprocess_over_pil")) {
            double pil = ((Number) figures.get("preprocess_1080p_per_s")).doubleValue()
                    / ((Number) figures.get("pil_preprocess_1080p_per_s")).doubleValue();
            assertThat(((Number) figures.get("preprocess_over_pil")).doubleValue())
                    .isCloseTo(pil, org.assertj.core.data.Offset.offset(0.02));
            assertThat(figures.get("crops_identical_to_pil")).isEqualTo("12/12");
        } else {
            assertThat(progress.toString(StandardCharsets.UTF_8)).contains("PIL comparison skipped: ");
        }
    }
}
