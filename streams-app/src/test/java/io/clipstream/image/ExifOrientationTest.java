package io.clipstream.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExifOrientationTest {
    private final ImagePreprocessor clip = new ImagePreprocessor(PreprocessSpec.clip(224));

    /** Expected values from PIL's Image.transpose on the 3x2 image [[0,1,2],[3,4,5]]. */
    @ParameterizedTest(name = "orientation {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1|3|2|0,1,2,3,4,5",
                "2|3|2|2,1,0,5,4,3",
                "3|3|2|5,4,3,2,1,0",
                "4|3|2|3,4,5,0,1,2",
                "5|2|3|0,3,1,4,2,5",
                "6|2|3|3,0,4,1,5,2",
                "7|2|3|5,2,4,1,3,0",
                "8|2|3|2,5,1,4,0,3"
            })
    void appliesLikePilExifTranspose(int orientation, int width, int height, String expected) {
        DecodedImage img = DecodedImage.ofBytes(PilMode.L, 3, 2, new byte[] {0, 1, 2, 3, 4, 5});
        DecodedImage out = ExifOrientation.apply(img, orientation);
        assertThat(out.width()).isEqualTo(width);
        assertThat(out.height()).isEqualTo(height);
        String[] parts = expected.split(",");
        byte[] want = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            want[i] = Byte.parseByte(parts[i]);
        }
        assertThat(out.bytes()).containsExactly(want);
        DecodedImage ints = ExifOrientation.apply(DecodedImage.ofInts(3, 2, new int[] {0, 1, 2, 3, 4, 5}), orientation);
        for (int i = 0; i < want.length; i++) {
            assertThat(ints.ints()[i]).isEqualTo(want[i]);
        }
    }

    @Test
    void readsTheTagFromJpegAndPng() {
        assertThat(ExifOrientation.read(ImageFixtures.bytes("jpeg_exif_upright.jpg"), ImageFormat.JPEG))
                .isEqualTo(1);
        assertThat(ExifOrientation.read(ImageFixtures.bytes("jpeg_exif_orientation_3.jpg"), ImageFormat.JPEG))
                .isEqualTo(3);
        assertThat(ExifOrientation.read(ImageFixtures.bytes("jpeg_exif_orientation_6.jpg"), ImageFormat.JPEG))
                .isEqualTo(6);
        assertThat(ExifOrientation.read(ImageFixtures.bytes("jpeg_exif_orientation_8.jpg"), ImageFormat.JPEG))
                .isEqualTo(8);
        assertThat(ExifOrientation.read(ImageFixtures.bytes("png_exif_orientation_6.png"), ImageFormat.PNG))
                .isEqualTo(6);
        assertThat(ExifOrientation.read(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, ImageFormat.JPEG))
                .isEqualTo(1);
    }

    @Test
    void losslessRotatedPngEqualsTheUprightReferenceExactly() throws Exception {
        RgbImage rotated = clip.preprocessPixels(ImageFixtures.bytes("png_exif_orientation_6.png"));
        RgbImage upright = ImageFixtures.referenceCrop("reference/png_exif_upright__224_bicubic_shortest.png");
        assertThat(rotated.pixels()).isEqualTo(upright.pixels());
    }

    /**
     * The JPEG fixtures were rotated with jpegtran (lossless in the DCT domain), but libjpeg's IDCT is not exactly
     * rotation-symmetric, so their decoded pixels differ from the upright file's by at most a few levels. Each is
     * byte-exact against its own reference (FixtureReferenceTest); here we check they come out upright.
     */
    @ParameterizedTest
    @CsvSource({"3", "6", "8"})
    void rotatedJpegsComeOutUpright(int orientation) throws Exception {
        RgbImage rotated = clip.preprocessPixels(ImageFixtures.bytes("jpeg_exif_orientation_" + orientation + ".jpg"));
        byte[] upright = ImageFixtures.referenceCrop("reference/jpeg_exif_upright__224_bicubic_shortest.png")
                .pixels();
        double meanDiff = meanAbsDiff(rotated.pixels(), upright);
        assertThat(meanDiff).isLessThan(0.5);
        assertThat(ImageFixtures.maxAbsDiff(rotated.pixels(), upright)).isLessThanOrEqualTo(4);
        // ignoring the tag would leave the image rotated: far from upright
        DecodedImage raw = DecodedImage.ofBytes(PilMode.RGB, 224, 224, rotated.pixels());
        byte[] unrotated = ExifOrientation.apply(raw, orientation == 3 ? 3 : (orientation == 6 ? 8 : 6))
                .bytes();
        assertThat(meanAbsDiff(unrotated, upright)).isGreaterThan(20);
    }

    private static double meanAbsDiff(byte[] a, byte[] b) {
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
        }
        return (double) sum / a.length;
    }
}
