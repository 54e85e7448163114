package io.clipstream.pdq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The integer column-first downsample of 8-bit pixels against the float row-first one over luminance rows. */
class InterleavedDownsampleTest {

    @ParameterizedTest(name = "{0}x{1}, {2} channels")
    @CsvSource({
        "1920, 1080, 3, false", // the common case: windows 15 and 9, every tent whole
        "2100, 2500, 3, true", // row window 20: weights add up to 400, so the 16-bit lanes spill mid-tent
        "1001, 667, 4, true", // odd sizes, row bytes not a multiple of 4, RGBA (alpha ignored)
        "333, 200, 1, true", // grey
        "130, 5, 2, false", // grey + alpha, the smallest height hashed
        "64, 64, 3, false" // window 1: the identity
    })
    void equalsTheRowFirstFloatDownsample(int width, int height, int channels, boolean partialEndTent) {
        assertThat(java.util.Arrays.asList(JaroszTent.of(height).counts()).contains(null))
                .as("the last row tent has partial boxes, summed in floats")
                .isEqualTo(partialEndTent);
        byte[] bytes = new byte[width * height * channels];
        new Random(width * 31L + height).nextBytes(bytes);
        InterleavedPixels pixels = new InterleavedPixels(
                bytes,
                width,
                height,
                channels,
                switch (channels) {
                    case 1 -> new float[] {1f};
                    case 2 -> new float[] {1f, 0f};
                    case 3 -> new float[] {0.299f, 0.587f, 0.114f};
                    default -> new float[] {0.299f, 0.587f, 0.114f, 0f};
                });
        LumaSource withPixels = LumaSource.of(pixels);
        LumaSource rowsOnly = new LumaSource() {
            @Override
            public int width() {
                return width;
            }

            @Override
            public int height() {
                return height;
            }

            @Override
            public void row(int y, float[] dst) {
                withPixels.row(y, dst);
            }
        };
        float[] columnFirst = PdqHasher.downsample(withPixels);
        float[] rowFirst = PdqHasher.downsample(rowsOnly);
        float worst = 0f;
        for (int k = 0; k < rowFirst.length; k++) {
            worst = Math.max(worst, Math.abs(columnFirst[k] - rowFirst[k]));
        }
        System.out.printf(java.util.Locale.ROOT, "%dx%dx%d: largest difference %.2e%n", width, height, channels, worst);
        assertThat(worst).isLessThan(2e-4f);
        assertThat(PdqHasher.hash(withPixels)).isEqualTo(PdqHasher.hash(rowsOnly));
    }
}
