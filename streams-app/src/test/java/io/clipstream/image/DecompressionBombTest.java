package io.clipstream.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Decompression bombs cost neither time nor memory: each is rejected from its header (or, for the many-frame GIF,
 * only its first frame is decoded) in under 100 ms, allocating under 50 MB, measured per call and printed.
 * Allocation is measured exactly, as the bytes the calling thread allocated (not heap occupancy, which the
 * collector blurs).
 */
class DecompressionBombTest {

    private static final Path HOSTILE = Path.of("src", "test", "resources", "hostile");
    private static final ImagePreprocessor PREPROCESSOR = new ImagePreprocessor(PreprocessSpec.clip(224));
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private record Cost(long nanos, long bytes, Object outcome) {}

    @BeforeAll
    static void warmUp() throws Exception {
        // class loading and ImageIO plugin registration are one-off costs, not the bomb's
        for (String file : new String[] {"valid.jpg", "one-pixel.png", "gif-10000-frames.gif"}) {
            PREPROCESSOR.preprocessPixels(Files.readAllBytes(HOSTILE.resolve(file)));
        }
        try {
            PREPROCESSOR.preprocessPixels(Files.readAllBytes(HOSTILE.resolve("png-50000x50000.png")));
        } catch (ImageRejectedException expected) {
            // warmed up
        }
    }

    private static Cost measure(String file) throws Exception {
        byte[] bytes = Files.readAllBytes(HOSTILE.resolve(file));
        long thread = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        Object outcome;
        try {
            RgbImage pixels = PREPROCESSOR.preprocessPixels(bytes);
            outcome = pixels.width() + "x" + pixels.height() + " pixels";
        } catch (ImageRejectedException e) {
            outcome = e.reason();
        }
        long nanos = System.nanoTime() - start;
        long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
        System.out.printf(
                "bomb %-28s %8d bytes: %s in %.2f ms, %.1f MB allocated%n",
                file, bytes.length, outcome, nanos / 1e6, allocated / 1e6);
        return new Cost(nanos, allocated, outcome);
    }

    @Test
    void hugeDeclaredDimensionsAreRejectedFromTheHeader() throws Exception {
        Cost cost = measure("png-50000x50000.png");
        assertThat(cost.outcome()).isEqualTo(RejectionReason.TOO_MANY_PIXELS);
        assertThat(cost.nanos()).isLessThan(100_000_000L);
        assertThat(cost.bytes()).isLessThan(50_000_000L);
    }

    @Test
    void aHighlyCompressedPngIsRejectedBeforeInflating() throws Exception {
        Cost cost = measure("png-bomb-20000x20000.png");
        assertThat(cost.outcome()).isEqualTo(RejectionReason.TOO_MANY_PIXELS);
        assertThat(cost.nanos()).isLessThan(100_000_000L);
        assertThat(cost.bytes()).isLessThan(50_000_000L);
    }

    @Test
    void aGifOfTenThousandFramesCostsOneFrame() throws Exception {
        Cost cost = measure("gif-10000-frames.gif");
        assertThat(cost.outcome()).isEqualTo("224x224 pixels");
        assertThat(cost.nanos()).isLessThan(100_000_000L);
        assertThat(cost.bytes()).isLessThan(50_000_000L);
    }

    @Test
    void theLimitIsConfigurable() throws Exception {
        ImagePreprocessor strict = new ImagePreprocessor(new PreprocessSpec(
                224,
                PreprocessSpec.CLIP_MEAN,
                PreprocessSpec.CLIP_STD,
                Interpolation.BICUBIC,
                ResizeMode.SHORTEST,
                100_000));
        assertThatThrownBy(() -> strict.preprocessPixels(Files.readAllBytes(HOSTILE.resolve("strip-20000x10.png"))))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> assertThat(e.reason())
                        .isEqualTo(RejectionReason.TOO_MANY_PIXELS));
    }
}
