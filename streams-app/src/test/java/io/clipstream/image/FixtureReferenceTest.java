package io.clipstream.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every committed fixture must reproduce its Python reference output (tools/make_image_fixtures.py) exactly. */
class FixtureReferenceTest {
    private static final ConcurrentHashMap<String, Integer> RESULTS = new ConcurrentHashMap<>();

    static Stream<ImageFixtures.Reference> references() {
        return ImageFixtures.references().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void cropMatchesReferenceByteForByte(ImageFixtures.Reference ref) throws Exception {
        ImagePreprocessor pre = new ImagePreprocessor(ref.spec());
        RgbImage actual = pre.preprocessPixels(ImageFixtures.bytes(ref.file()));
        RgbImage expected = ImageFixtures.referenceCrop(ref.crop());
        int diff = ImageFixtures.maxAbsDiff(actual.pixels(), expected.pixels());
        RESULTS.put(ref.toString(), diff);
        assertThat(actual.width()).isEqualTo(ref.size());
        assertThat(actual.height()).isEqualTo(ref.size());
        assertThat(diff).as("max abs u8 difference for %s", ref).isZero();
        assertThat(actual.pixels()).isEqualTo(expected.pixels());
    }

    @Test
    void manifestCoversEveryFormatAndMode() {
        List<ImageFixtures.Reference> refs = ImageFixtures.references();
        assertThat(refs)
                .extracting(ImageFixtures.Reference::format)
                .contains("JPEG", "PNG", "GIF", "BMP", "WEBP", "TIFF");
        assertThat(refs).extracting(ImageFixtures.Reference::mode).contains("RGB", "L", "LA", "RGBA", "P", "CMYK", "I");
        assertThat(refs).hasSize(41);
    }

    @Test
    void normalizedTensorsMatchTorchvision() throws Exception {
        int checked = 0;
        for (ImageFixtures.Reference ref : ImageFixtures.references()) {
            if (ref.tensor() == null) {
                continue;
            }
            ImagePreprocessor pre = new ImagePreprocessor(ref.spec());
            float[] actual = pre.preprocess(ImageFixtures.bytes(ref.file()));
            float[] expected = ImageFixtures.referenceTensor(ref.tensor());
            assertThat(actual).hasSameSizeAs(expected).hasSize(3 * 224 * 224);
            double max = 0;
            int unequal = 0;
            for (int i = 0; i < actual.length; i++) {
                max = Math.max(max, Math.abs(actual[i] - expected[i]));
                if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                    unequal++;
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "tensor %s: max |diff| = %.3g, %d of %d floats not bit-identical%n",
                    ref.file(),
                    max,
                    unequal,
                    actual.length);
            assertThat(max).as("max float diff for %s", ref).isLessThanOrEqualTo(1e-6);
            checked++;
        }
        assertThat(checked).isEqualTo(3);
    }

    @AfterAll
    static void summary() {
        long exact = RESULTS.values().stream().filter(d -> d == 0).count();
        System.out.printf(Locale.ROOT, "fixture references matched byte-exact: %d of %d%n", exact, RESULTS.size());
        RESULTS.entrySet().stream()
                .filter(e -> e.getValue() != 0)
                .sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e ->
                        System.out.printf(Locale.ROOT, "  MISMATCH %s: max |diff| = %d%n", e.getKey(), e.getValue()));
    }
}
