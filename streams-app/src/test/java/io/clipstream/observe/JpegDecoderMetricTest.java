package io.clipstream.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** The JPEG decoder in use is visible on /metrics as a tag. */
class JpegDecoderMetricTest {
    @Test
    void theDecoderAndDraftModeAreTagsOfAGaugeOfOne() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new PipelineMetrics(registry, "cpu").jpegDecoder("turbojpeg", false);
        assertThat(registry.scrape())
                .contains("clipstream_preprocess_jpeg_decoder{decoder=\"turbojpeg\",device=\"cpu\",draft=\"false\"} 1");
    }
}
