package io.clipstream.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every JPEG variant of tools/make_jpeg_matrix.py decodes to exactly Pillow 9.4's samples, and preprocesses to
 * exactly the crop and tensor of Pillow + torchvision, through the JDK ImageIO decoder and through libjpeg-turbo
 * (skipped when libturbojpeg.so.0 is not installed).
 */
class JpegMatrixTest {
    static Stream<JpegMatrix.Fixture> fixtures() {
        return JpegMatrix.fixtures().stream();
    }

    @Test
    void matrixCoversEveryVariantOfTheIssue() {
        List<JpegMatrix.Fixture> all = JpegMatrix.fixtures();
        assertThat(all).hasSize(42);
        assertThat(all).extracting(JpegMatrix.Fixture::mode).contains("RGB", "L", "CMYK");
        assertThat(all)
                .extracting(JpegMatrix.Fixture::sampling)
                .contains(
                        "1x1,1x1,1x1",
                        "2x1,1x1,1x1",
                        "2x2,1x1,1x1",
                        "1x2,1x1,1x1",
                        "4x1,1x1,1x1",
                        "1x1",
                        "1x1,1x1,1x1,1x1");
        assertThat(all).extracting(JpegMatrix.Fixture::orientation).contains(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(all).filteredOn(JpegMatrix.Fixture::progressive).hasSizeGreaterThanOrEqualTo(5);
        assertThat(all)
                .filteredOn(f -> f.iccProfileBytes() > 0)
                .extracting(JpegMatrix.Fixture::file)
                .containsExactlyInAnyOrder(
                        "jpeg_icc_adobe_rgb.jpg",
                        "jpeg_icc_display_p3.jpg",
                        "jpeg_icc_display_p3_progressive.jpg",
                        "jpeg_icc_grey.jpg");
        assertThat(all).extracting(f -> f.width() + "x" + f.height()).contains("1001x667", "1x4000");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void decodesToPillowsSamples(JpegMatrix.Fixture f) throws Exception {
        DecodedImage d = ImageDecoder.decodeWithImageIo(f.bytes(), ImageFormat.JPEG, PreprocessSpec.DEFAULT_MAX_PIXELS);
        JpegMatrixAssertions.assertDecodedLikePillow(f, d);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void cropAndTensorMatchTorchvision(JpegMatrix.Fixture f) throws Exception {
        ImagePreprocessor pre = new ImagePreprocessor(f.spec());
        DecodedImage d = ImageDecoder.decodeWithImageIo(f.bytes(), ImageFormat.JPEG, PreprocessSpec.DEFAULT_MAX_PIXELS);
        RgbImage crop = pre.resizeAndCrop(ExifOrientation.apply(d, ExifOrientation.read(f.bytes(), ImageFormat.JPEG)));
        JpegMatrixAssertions.assertPreprocessedLikeTorchvision(f, pre, crop);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void turboJpegDecodesToPillowsSamples(JpegMatrix.Fixture f) throws Exception {
        assumeTrue(TurboJpegDecoder.available(), TurboJpegDecoder::describe);
        DecodedImage d = TurboJpegDecoder.decode(f.bytes(), PreprocessSpec.DEFAULT_MAX_PIXELS, 0);
        if (f.mode().equals("CMYK")) {
            assertThat(d).as("CMYK and YCCK are left to ImageIO").isNull();
            return;
        }
        assertThat(d).isNotNull();
        JpegMatrixAssertions.assertDecodedLikePillow(f, d);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void turboJpegPreprocessingMatchesTorchvision(JpegMatrix.Fixture f) throws Exception {
        assumeTrue(TurboJpegDecoder.available(), TurboJpegDecoder::describe);
        JpegDecoding turbo = new JpegDecoding(JpegDecoding.Choice.TURBOJPEG, false);
        ImagePreprocessor pre = new ImagePreprocessor(f.spec(), turbo);
        JpegMatrixAssertions.assertPreprocessedLikeTorchvision(f, pre, pre.preprocessPixels(f.bytes()));
    }
}
