package io.clipstream.pdq;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.image.PreprocessSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PDQ against the hashes Meta's reference Java implementation gives for its own test images. */
class PdqHasherTest {

    private static final ImagePreprocessor PREPROCESSOR = new ImagePreprocessor(PreprocessSpec.clip(224));

    /**
     * The images the reference tool decodes through javax.imageio's grey conversion: it reads 8-bit grey (and this
     * grey CMYK file) as linear light and returns sRGB-encoded samples from {@code getRGB}, so its luminance is
     * {@code 255 * srgb(v / 255)} where Pillow, the C++ reference and this decoder give {@code v}.
     */
    private static final java.util.Set<String> READ_AS_LINEAR_GREY_BY_THE_REFERENCE =
            java.util.Set.of("L.png", "LA.png", "CMYK.jpg");

    @Test
    void everyReferenceHashIsWithinDistance4() throws IOException, ImageRejectedException {
        Path folder = SharedPdqData.folder();
        List<String> lines = Files.readAllLines(folder.resolve("hashes.csv"));
        assertThat(lines).hasSize(20);
        java.util.Map<String, Integer> distances = new java.util.LinkedHashMap<>();
        java.util.Map<String, Integer> qualityGaps = new java.util.LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.split(",");
            PdqHash expected = PdqHash.parse(f[0]);
            int expectedQuality = Integer.parseInt(f[1]);
            LumaSource luma = PREPROCESSOR.decodeLuma(
                    Files.readAllBytes(folder.resolve("images").resolve(f[2])));
            boolean linearGrey = READ_AS_LINEAR_GREY_BY_THE_REFERENCE.contains(f[2]);
            PdqSignature actual = PdqHasher.hash(linearGrey ? new SrgbEncoded(luma) : luma);
            int distance = actual.hash().distance(expected);
            System.out.printf(
                    java.util.Locale.ROOT,
                    "%-22s distance %d, quality %d (reference %d)%s%n",
                    f[2],
                    distance,
                    actual.quality(),
                    expectedQuality,
                    linearGrey ? ", luminance sRGB-encoded as the" + " reference's decoder does" : "");
            distances.put(f[2], distance);
            qualityGaps.put(f[2], Math.abs(actual.quality() - expectedQuality));
        }
        System.out.println("PDQ vs reference: worst distance " + java.util.Collections.max(distances.values())
                + " over " + lines.size() + " images");
        assertThat(distances)
                .as("Hamming distance to the reference per image")
                .allSatisfy((file, distance) -> assertThat(distance).as(file).isLessThanOrEqualTo(4));
        assertThat(qualityGaps)
                .as("quality difference from the reference per image")
                .allSatisfy((file, gap) -> assertThat(gap).as(file).isLessThanOrEqualTo(2));
    }

    @Test
    void greyAndCmykCopiesHashLikeTheColourOriginal() throws IOException, ImageRejectedException {
        Path folder = SharedPdqData.folder();
        PdqHash colour = PdqHash.parse(Files.readAllLines(folder.resolve("hashes.csv")).stream()
                .filter(l -> l.endsWith(",RGB.jpg"))
                .findFirst()
                .orElseThrow()
                .split(",")[0]);
        for (String file : READ_AS_LINEAR_GREY_BY_THE_REFERENCE) {
            PdqSignature ours = PdqHasher.hash(PREPROCESSOR.decodeLuma(
                    Files.readAllBytes(folder.resolve("images").resolve(file))));
            int distance = ours.hash().distance(colour);
            System.out.println(file + " as decoded here: distance " + distance + " to the reference hash of RGB.jpg");
            assertThat(distance).as(file).isLessThanOrEqualTo(4);
        }
    }

    /** Luminance passed through the sRGB transfer function, as javax.imageio returns linear grey. */
    private record SrgbEncoded(LumaSource source) implements LumaSource {
        @Override
        public int width() {
            return source.width();
        }

        @Override
        public int height() {
            return source.height();
        }

        @Override
        public void row(int y, float[] dst) {
            source.row(y, dst);
            for (int x = 0; x < source.width(); x++) {
                double v = dst[x] / 255.0;
                double encoded = v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
                dst[x] = Math.round(encoded * 255);
            }
        }
    }

    @Test
    void dihedralHashesMatchTheReference() throws IOException, ImageRejectedException {
        Path folder = SharedPdqData.folder();
        String[] f = Files.readAllLines(folder.resolve("dihedral.csv")).get(0).split(",");
        byte[] bytes = Files.readAllBytes(folder.resolve("images").resolve(f[9]));
        PdqDihedral dihedral = PdqHasher.dihedral(PREPROCESSOR.decodeLuma(bytes));
        for (int v = 0; v < 8; v++) {
            int distance = dihedral.hashes().get(v).distance(PdqHash.parse(f[v]));
            System.out.println("dihedral " + PdqDihedral.VARIANTS.get(v) + ": distance " + distance);
            assertThat(distance).as(PdqDihedral.VARIANTS.get(v)).isLessThanOrEqualTo(4);
        }
        assertThat(dihedral.original()).isEqualTo(PdqHasher.hash(PREPROCESSOR.decodeLuma(bytes)));
    }

    @Test
    void transformedPixelsHashLikeTheDihedralVariant() {
        int w = 97;
        int h = 61;
        byte[] rgb = texture(w, h, new Random(3));
        PdqDihedral dihedral = PdqHasher.dihedral(LumaSource.ofRgb(w, h, rgb));
        assertThat(dihedral.quality()).isGreaterThan(50);
        // Meta's rotate90 turns the image counter-clockwise, so a clockwise turn is its rotate270
        PdqHash clockwise = PdqHasher.hash(LumaSource.ofRgb(h, w, rotateClockwise(rgb, w, h)))
                .hash();
        assertThat(clockwise.distance(dihedral.hashes().get(3))).isLessThanOrEqualTo(2);
        // and its flipY mirrors left to right
        PdqHash mirrored = PdqHasher.hash(LumaSource.ofRgb(w, h, mirrorLeftRight(rgb, w, h)))
                .hash();
        assertThat(mirrored.distance(dihedral.hashes().get(5))).isLessThanOrEqualTo(2);
        assertThat(mirrored.distance(dihedral.hashes().get(0))).isGreaterThan(40);
    }

    @Test
    void aFlatImageHasQualityZero() {
        byte[] grey = new byte[200 * 120 * 3];
        java.util.Arrays.fill(grey, (byte) 90);
        assertThat(PdqHasher.hash(LumaSource.ofRgb(200, 120, grey)).quality()).isZero();
    }

    @Test
    void tinyImagesHashToZeroWithQualityZero() {
        PdqSignature tiny = PdqHasher.hash(LumaSource.ofRgb(4, 9, new byte[4 * 9 * 3]));
        assertThat(tiny.hash().bitCount()).isZero();
        assertThat(tiny.quality()).isZero();
    }

    @Test
    void hexRoundTripsAndWordsFollowMetasNumbering() {
        PdqHash h = PdqHash.parse("8000000000000000000000000000000000000000000000000000000000000001");
        assertThat(h.bit(255)).isTrue();
        assertThat(h.bit(0)).isTrue();
        assertThat(h.bitCount()).isEqualTo(2);
        assertThat(h.word16(15)).isEqualTo(0x8000);
        assertThat(h.word16(0)).isEqualTo(1);
        assertThat(h.toHex()).isEqualTo("8000000000000000000000000000000000000000000000000000000000000001");
        assertThat(PdqHash.parse(h.toHex().toUpperCase(java.util.Locale.ROOT))).isEqualTo(h);
    }

    static byte[] texture(int w, int h, Random random) {
        byte[] rgb = new byte[w * h * 3];
        double[] fx = {random.nextDouble() * 0.3, random.nextDouble() * 0.3, random.nextDouble() * 0.3};
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    double v = 128
                            + 60 * Math.sin(fx[c] * x + 0.07 * y * (c + 1))
                            + 40 * Math.cos(0.05 * x * y / 9.0)
                            + (x < w / 3 && y < h / 2 ? 30 : 0);
                    rgb[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, (int) v));
                }
            }
        }
        return rgb;
    }

    /** Clockwise by 90°: the output is h wide and w high. */
    static byte[] rotateClockwise(byte[] rgb, int w, int h) {
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int ox = h - 1 - y;
                int oy = x;
                System.arraycopy(rgb, (y * w + x) * 3, out, (oy * h + ox) * 3, 3);
            }
        }
        return out;
    }

    static byte[] mirrorLeftRight(byte[] rgb, int w, int h) {
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(rgb, (y * w + x) * 3, out, (y * w + (w - 1 - x)) * 3, 3);
            }
        }
        return out;
    }
}
