package io.clipstream.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** Draft mode: a reduced-size decode, close to exact but not equal; never used without libjpeg-turbo. */
class JpegDraftModeTest {
    private static final JpegDecoding DRAFT = new JpegDecoding(JpegDecoding.Choice.AUTO, true);

    @Test
    void aHalfSizeDecodeKeepsTheFullImagesGeometryAndStaysClose() throws Exception {
        assumeTrue(TurboJpegDecoder.available(), TurboJpegDecoder::describe);
        byte[] data = ImageFixtures.bytes("jpeg_large_1920x1080.jpg");
        assertThat(TurboJpegDecoder.decode(data, Long.MAX_VALUE, 448).width()).isEqualTo(960);
        ImagePreprocessor exact = new ImagePreprocessor(PreprocessSpec.clip(224));
        RgbImage e = exact.preprocessPixels(data);
        RgbImage d = exact.withJpegDecoding(DRAFT).preprocessPixels(data);
        assertThat(d.width()).isEqualTo(224);
        assertThat(d.pixels()).isNotEqualTo(e.pixels());
        long sum = 0;
        for (int i = 0; i < e.pixels().length; i++) {
            sum += Math.abs((e.pixels()[i] & 0xFF) - (d.pixels()[i] & 0xFF));
        }
        double mean = (double) sum / e.pixels().length;
        int max = ImageFixtures.maxAbsDiff(e.pixels(), d.pixels());
        System.out.printf(java.util.Locale.ROOT, "draft vs exact 1920x1080: mean |diff| %.4f, max %d%n", mean, max);
        assertThat(mean).isLessThan(0.5);
        assertThat(max).isLessThanOrEqualTo(10);
    }

    @Test
    void anExifRotationKeepsTheRotatedGeometry() throws Exception {
        assumeTrue(TurboJpegDecoder.available(), TurboJpegDecoder::describe);
        byte[] data = withOrientation(ImageFixtures.bytes("jpeg_large_1920x1080.jpg"), 6);
        assertThat(ExifOrientation.read(data, ImageFormat.JPEG)).isEqualTo(6);
        ImagePreprocessor exact = new ImagePreprocessor(PreprocessSpec.clip(224));
        RgbImage e = exact.preprocessPixels(data);
        RgbImage d = exact.withJpegDecoding(DRAFT).preprocessPixels(data);
        long sum = 0;
        for (int i = 0; i < e.pixels().length; i++) {
            sum += Math.abs((e.pixels()[i] & 0xFF) - (d.pixels()[i] & 0xFF));
        }
        assertThat((double) sum / e.pixels().length).isLessThan(0.5);
        assertThat(ImageFixtures.maxAbsDiff(e.pixels(), d.pixels())).isLessThanOrEqualTo(10);
    }

    /** {@code jpeg} with an APP1 EXIF segment holding only the orientation tag, right after SOI. */
    private static byte[] withOrientation(byte[] jpeg, int orientation) {
        byte[] tiff = {
            'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, 0, 0, 0, 0
        };
        byte[] payload = new byte[6 + tiff.length];
        System.arraycopy("Exif\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, payload, 0, 6);
        System.arraycopy(tiff, 0, payload, 6, tiff.length);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xFF);
        out.write(0xE1);
        out.write((payload.length + 2) >> 8);
        out.write((payload.length + 2) & 0xFF);
        out.write(payload, 0, payload.length);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    @Test
    void smallImagesAndImageIoAreNeverReduced() throws Exception {
        byte[] small = ImageFixtures.bytes("jpeg_baseline_420.jpg"); // 600x400: half would be 300 < 448
        ImagePreprocessor exact = new ImagePreprocessor(PreprocessSpec.clip(224));
        assertThat(exact.withJpegDecoding(DRAFT).preprocessPixels(small).pixels())
                .isEqualTo(exact.preprocessPixels(small).pixels());
        byte[] large = ImageFixtures.bytes("jpeg_large_1920x1080.jpg");
        ImagePreprocessor imageIo = exact.withJpegDecoding(new JpegDecoding(JpegDecoding.Choice.IMAGEIO, true));
        assertThat(imageIo.preprocessPixels(large).pixels())
                .isEqualTo(exact.preprocessPixels(large).pixels());
    }
}
