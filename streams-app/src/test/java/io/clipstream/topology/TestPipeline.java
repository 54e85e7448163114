package io.clipstream.topology;

import io.clipstream.clip.ImageEncoder;
import io.clipstream.clip.InferenceOptions;
import io.clipstream.clip.ModelFolder;
import io.clipstream.clip.TestModels;
import io.clipstream.config.ClipStreamConfig;
import io.clipstream.image.RgbImage;
import io.clipstream.labels.ActiveLabelSets;
import io.clipstream.observe.PipelineMetrics;
import io.clipstream.observe.ProgressMonitor;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The pipeline's process-wide parts for tests: the tiny random-weight ViT (image tower only), a two-thread decode
 * pool, the batcher, an in-memory registry scope and a simple meter registry. Close it after the test.
 */
final class TestPipeline implements AutoCloseable {

    static final String FINGERPRINT = "sha256:test-model";

    final ClipStreamConfig config;
    final InMemorySchemaRegistry registry;
    final Topics topics;
    final ImageEncoder encoder;
    final ExecutorService decodePool = Executors.newFixedThreadPool(2);
    final InferenceBatcher batcher;
    final ActiveLabelSets labelSets = new ActiveLabelSets(FINGERPRINT);
    final PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry(), "cpu");
    final PipelineResources resources;
    private final String scope;

    TestPipeline(Path dir, Map<String, String> overrides) {
        this(dir, overrides, model -> model, decoder -> decoder, ProgressMonitor.defaults());
    }

    /**
     * With the model and the decoder wrapped (to inject failures) and a progress monitor of the test's own.
     */
    TestPipeline(
            Path dir,
            Map<String, String> overrides,
            UnaryOperator<Function<List<RgbImage>, float[][]>> modelWrapper,
            UnaryOperator<PixelDecoder> decoderWrapper,
            ProgressMonitor progress) {
        scope = "topology-test-" + System.nanoTime();
        Map<String, String> settings = new java.util.HashMap<>(
                Map.of("schema.registry.url", "mock://" + scope, "batch.max.size", "2", "batch.max.delay.ms", "100"));
        settings.putAll(overrides);
        config = ClipStreamConfig.of(settings);
        registry = InMemorySchemaRegistry.scope(scope);
        topics = Topics.of(config, registry);
        encoder = ImageEncoder.open(
                ModelFolder.open(TestModels.copy("tiny-vit-openclip", dir)),
                InferenceOptions.defaults().withIntraOpThreads(1));
        batcher = new InferenceBatcher(
                modelWrapper.apply(encoder::embed), 8, Duration.ofMillis(1), metrics::inferenceRun);
        PipelineResources defaults = new PipelineResources(
                encoder.preprocessor(), decodePool, batcher, labelSets, config.labelSets(), "tiny-vit", metrics);
        resources = new PipelineResources(
                encoder.preprocessor(),
                decodePool,
                batcher,
                labelSets,
                config.labelSets(),
                "tiny-vit",
                metrics,
                decoderWrapper.apply(defaults.decoder()),
                progress);
    }

    org.apache.kafka.streams.Topology topology() {
        return ClipStreamTopology.buildTopology(topics, registry, resources, BatchingSettings.of(config));
    }

    @Override
    public void close() {
        batcher.close();
        decodePool.shutdownNow();
        encoder.close();
        InMemorySchemaRegistry.drop(scope);
    }

    static List<Float> constant(int dimension, float value) {
        return java.util.Collections.nCopies(dimension, value);
    }
}
