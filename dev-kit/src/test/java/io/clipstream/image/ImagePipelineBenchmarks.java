package io.clipstream.image;

import io.clipstream.bench.BenchImages;
import io.clipstream.labels.CompiledLabelSet;
import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import java.nio.FloatBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH micro-benchmarks of the per-image stages: decode per format, PIL-exact resize, normalisation, and scoring
 * N image embeddings against L labels. Run: {@code java -cp <test classpath> io.clipstream.image.ImagePipelineBenchmarks}
 * (see docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ImagePipelineBenchmarks {

    private byte[] jpeg640;
    private byte[] jpeg1080;
    private byte[] png1080;
    private byte[] rgb1080;
    private RgbImage crop;
    private FloatBuffer normalised;
    private ImagePreprocessor preprocessor;
    private CompiledLabelSet labels;
    private float[][] images;

    @Setup
    public void setUp() {
        jpeg640 = BenchImages.generate(1, 640, 480, "jpeg", 1).get(0);
        jpeg1080 = BenchImages.generate(1, 1920, 1080, "jpeg", 2).get(0);
        png1080 = BenchImages.generate(1, 1920, 1080, "png", 3).get(0);
        preprocessor = new ImagePreprocessor(PreprocessSpec.clip(224));
        try {
            rgb1080 =
                    ImageDecoder.decode(jpeg1080, ImageFormat.JPEG, 50_000_000L).bytes();
            crop = preprocessor.preprocessPixels(jpeg1080);
        } catch (ImageRejectedException e) {
            throw new IllegalStateException(e);
        }
        normalised = FloatBuffer.allocate(3 * 224 * 224);
        labels = CompiledLabelSet.of(labelSet(1000, 512));
        images = randomUnit(32, 512, new Random(5));
    }

    private static float[][] randomUnit(int n, int d, Random random) {
        float[][] out = new float[n][d];
        for (float[] v : out) {
            for (int i = 0; i < d; i++) {
                v[i] = (float) random.nextGaussian();
            }
            io.clipstream.clip.Embeddings.l2Normalize(v);
        }
        return out;
    }

    private static LabelSet labelSet(int count, int dimension) {
        float[][] vectors = randomUnit(count, dimension, new Random(4));
        List<CompiledLabel> list = new ArrayList<>();
        for (int l = 0; l < count; l++) {
            List<Float> boxed = new ArrayList<>(dimension);
            for (float x : vectors[l]) {
                boxed.add(x);
            }
            list.add(CompiledLabel.newBuilder()
                    .setId("g.l" + l)
                    .setDisplayName("l" + l)
                    .setGroup("g")
                    .setThreshold(0.3f)
                    .setEmbedding(boxed)
                    .build());
        }
        return LabelSet.newBuilder()
                .setName("jmh")
                .setVersion("1")
                .setModelId("m")
                .setModelFingerprint("f")
                .setDimension(dimension)
                .setGroups(List.of(LabelGroup.newBuilder()
                        .setName("g")
                        .setScoring(GroupScoring.THRESHOLD)
                        .build()))
                .setLabels(list)
                .setPolicies(List.of())
                .setCompiledAt(Instant.EPOCH)
                .build();
    }

    @Benchmark
    public Object decodeJpeg640x480() throws ImageRejectedException {
        return ImageDecoder.decode(jpeg640, ImageFormat.JPEG, 50_000_000L);
    }

    @Benchmark
    public Object decodeJpeg1920x1080() throws ImageRejectedException {
        return ImageDecoder.decode(jpeg1080, ImageFormat.JPEG, 50_000_000L);
    }

    @Benchmark
    public Object decodePng1920x1080() throws ImageRejectedException {
        return ImageDecoder.decode(png1080, ImageFormat.PNG, 50_000_000L);
    }

    @Benchmark
    public Object resize1920x1080To224Crop() {
        int outW = 398;
        return PilResampler.resize8(
                rgb1080,
                1920,
                1080,
                3,
                outW,
                224,
                new PilResampler.Crop((outW - 224) / 2, 0, 224, 224),
                Interpolation.BICUBIC);
    }

    @Benchmark
    public Object normalise224() {
        normalised.clear();
        preprocessor.writeNormalized(crop, normalised);
        return normalised;
    }

    @Benchmark
    public Object preprocessJpeg1920x1080() throws ImageRejectedException {
        return preprocessor.preprocessPixels(jpeg1080);
    }

    @Benchmark
    public Object score32ImagesAgainst1000Labels() {
        return labels.score(images);
    }

    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder()
                        .include(ImagePipelineBenchmarks.class.getSimpleName())
                        .build())
                .run();
    }
}
