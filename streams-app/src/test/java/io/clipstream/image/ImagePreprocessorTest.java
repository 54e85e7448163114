package io.clipstream.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {
    private final ImagePreprocessor clip = new ImagePreprocessor(PreprocessSpec.clip(224));

    @Test
    void parsesModesAndInterpolations() {
        assertThat(ResizeMode.parse("Shortest")).isEqualTo(ResizeMode.SHORTEST);
        assertThat(ResizeMode.parse("SQUASH")).isEqualTo(ResizeMode.SQUASH);
        assertThatThrownBy(() -> ResizeMode.parse("longest"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"longest\"");
        assertThat(Interpolation.parse("BICUBIC")).isEqualTo(Interpolation.BICUBIC);
        assertThat(Interpolation.parse("3")).isEqualTo(Interpolation.BICUBIC);
        assertThat(Interpolation.parse("bilinear")).isEqualTo(Interpolation.BILINEAR);
        assertThat(Interpolation.parse("2")).isEqualTo(Interpolation.BILINEAR);
        assertThatThrownBy(() -> Interpolation.parse("lanczos"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported interpolation \"lanczos\"; expected \"bicubic\" (3) or \"bilinear\" (2)");
        assertThatThrownBy(() -> Interpolation.parse("0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void specValidatesAndCopies() {
        PreprocessSpec spec = PreprocessSpec.clip(336);
        assertThat(spec.size()).isEqualTo(336);
        assertThat(spec.mean()).containsExactly(0.48145466f, 0.4578275f, 0.40821073f);
        assertThat(spec.std()).containsExactly(0.26862954f, 0.26130258f, 0.27577711f);
        assertThat(spec.interpolation()).isEqualTo(Interpolation.BICUBIC);
        assertThat(spec.resizeMode()).isEqualTo(ResizeMode.SHORTEST);
        assertThat(spec.maxPixels()).isEqualTo(50_000_000L);
        spec.mean()[0] = 9f;
        assertThat(spec.mean()[0]).isEqualTo(0.48145466f);
        assertThat(spec).isEqualTo(PreprocessSpec.clip(336)).hasSameHashCodeAs(PreprocessSpec.clip(336));
        float[] m = PreprocessSpec.CLIP_MEAN;
        float[] s = PreprocessSpec.CLIP_STD;
        assertThatThrownBy(() -> new PreprocessSpec(0, m, s, Interpolation.BICUBIC, ResizeMode.SHORTEST, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> new PreprocessSpec(224, new float[2], s, Interpolation.BICUBIC, ResizeMode.SHORTEST, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PreprocessSpec(
                        224, m, new float[] {1, 0, 1}, Interpolation.BICUBIC, ResizeMode.SHORTEST, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PreprocessSpec(224, m, s, null, ResizeMode.SHORTEST, 1))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new PreprocessSpec(224, m, s, Interpolation.BICUBIC, ResizeMode.SHORTEST, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writeNormalizedIsPlanarAndAdvancesTheBuffer() {
        RgbImage img = new RgbImage(2, 1, new byte[] {0, (byte) 128, (byte) 255, 10, 20, 30});
        FloatBuffer heap = FloatBuffer.allocate(1 + 6);
        heap.put(42f);
        clip.writeNormalized(img, heap);
        assertThat(heap.position()).isEqualTo(7);
        float[] mean = PreprocessSpec.CLIP_MEAN;
        float[] std = PreprocessSpec.CLIP_STD;
        assertThat(heap.get(0)).isEqualTo(42f);
        assertThat(heap.get(1)).isEqualTo((0f / 255f - mean[0]) / std[0]);
        assertThat(heap.get(2)).isEqualTo((10f / 255f - mean[0]) / std[0]);
        assertThat(heap.get(3)).isEqualTo((128f / 255f - mean[1]) / std[1]);
        assertThat(heap.get(4)).isEqualTo((20f / 255f - mean[1]) / std[1]);
        assertThat(heap.get(5)).isEqualTo((255f / 255f - mean[2]) / std[2]);
        assertThat(heap.get(6)).isEqualTo((30f / 255f - mean[2]) / std[2]);
        FloatBuffer direct = ByteBuffer.allocateDirect(4 * 6).asFloatBuffer();
        clip.writeNormalized(img, direct);
        assertThat(direct.position()).isEqualTo(6);
        for (int i = 0; i < 6; i++) {
            assertThat(direct.get(i)).isEqualTo(heap.get(i + 1));
        }
        assertThatThrownBy(() -> clip.writeNormalized(img, FloatBuffer.allocate(5)))
                .isInstanceOf(java.nio.BufferOverflowException.class);
    }

    @Test
    void manyFrameGifDecodesOnlyTheFirstFrameQuickly() throws Exception {
        byte[] gif = ImageFixtures.bytes("gif_many_frames.gif");
        byte[] expected = ImageFixtures.referenceCrop("reference/gif_many_frames__224_bicubic_shortest.png")
                .pixels();
        assertThat(clip.preprocessPixels(gif).pixels()).isEqualTo(expected); // also warms up
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            clip.preprocessPixels(gif);
            best = Math.min(best, System.nanoTime() - start);
        }
        long all = Long.MAX_VALUE;
        for (int i = 0; i < 2; i++) {
            long start = System.nanoTime();
            assertThat(decodeAllFrames(gif)).isEqualTo(300);
            all = Math.min(all, System.nanoTime() - start);
        }
        System.out.printf(
                java.util.Locale.ROOT,
                "300-frame GIF preprocessed in %.1f ms; decoding all frames takes " + "%.1f ms%n",
                best / 1e6,
                all / 1e6);
        // machine-independent: far cheaper than touching every frame
        assertThat(best * 4).isLessThan(all);
    }

    private static int decodeAllFrames(byte[] gif) throws java.io.IOException {
        javax.imageio.ImageReader reader =
                javax.imageio.ImageIO.getImageReadersByFormatName("gif").next();
        try (javax.imageio.stream.ImageInputStream in =
                javax.imageio.ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(gif))) {
            reader.setInput(in, true);
            int n = 0;
            while (true) {
                try {
                    reader.read(n);
                    n++;
                } catch (IndexOutOfBoundsException end) {
                    return n;
                }
            }
        } finally {
            reader.dispose();
        }
    }

    @Test
    void isThreadSafe() throws Exception {
        String[] files = {
            "jpeg_baseline_420.jpg",
            "png_rgba.png",
            "webp_lossy.webp",
            "gif_animated.gif",
            "jpeg_cmyk_adobe.jpg",
            "png_grey_16bit.png"
        };
        List<byte[]> expected = new ArrayList<>();
        for (String f : files) {
            expected.add(clip.preprocessPixels(ImageFixtures.bytes(f)).pixels());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int k = i % files.length;
                results.add(pool.submit(() -> java.util.Arrays.equals(
                        clip.preprocessPixels(ImageFixtures.bytes(files[k])).pixels(), expected.get(k))));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
