package io.clipstream.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clipstream.pdq.PdqHasher;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** libjpeg-turbo and ImageIO give identical pixels (or the same rejection) on every JPEG the tests have. */
class JpegDecoderPathsTest {

    static Stream<Path> jpegs() throws IOException, URISyntaxException {
        List<Path> files = new java.util.ArrayList<>();
        for (String dir : new String[] {"/images", "/images/jpeg-matrix", "/hostile"}) {
            Path root = Path.of(JpegDecoderPathsTest.class.getResource(dir).toURI());
            try (Stream<Path> s = Files.list(root)) {
                s.filter(p -> p.toString().endsWith(".jpg")).sorted().forEach(files::add);
            }
        }
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jpegs")
    void bothDecodersGiveIdenticalPixelsOrTheSameRejection(Path file) throws Exception {
        assumeTrue(TurboJpegDecoder.available(), TurboJpegDecoder::describe);
        byte[] data = Files.readAllBytes(file);
        PreprocessSpec spec = PreprocessSpec.clip(224);
        ImagePreprocessor imageIo = new ImagePreprocessor(spec, new JpegDecoding(JpegDecoding.Choice.IMAGEIO, false));
        ImagePreprocessor turbo = new ImagePreprocessor(spec, new JpegDecoding(JpegDecoding.Choice.TURBOJPEG, false));
        RgbImage expected;
        try {
            expected = imageIo.preprocessPixels(data);
        } catch (ImageRejectedException e) {
            assertThatThrownBy(() -> turbo.preprocessPixels(data))
                    .isInstanceOf(ImageRejectedException.class)
                    .hasMessage(e.getMessage());
            return;
        }
        assertThat(turbo.preprocessPixels(data).pixels()).isEqualTo(expected.pixels());
        // with PDQ, read straight from libjpeg-turbo's native output where the file allows it
        ImagePreprocessor.Preprocessed withPdq = turbo.preprocess(data, true, 0);
        assertThat(withPdq.pixels().pixels()).isEqualTo(expected.pixels());
        assertThat(withPdq.pdq()).isEqualTo(PdqHasher.dihedral(imageIo.decodeLuma(data)));
        DecodedImage nativeDecode = TurboJpegDecoder.decode(data, spec.maxPixels(), 0);
        if (nativeDecode != null) {
            DecodedImage javaDecode = ImageDecoder.decodeWithImageIo(data, ImageFormat.JPEG, spec.maxPixels());
            assertThat(nativeDecode.mode()).isEqualTo(javaDecode.mode());
            assertThat(nativeDecode.bytes()).isEqualTo(javaDecode.bytes());
        }
    }

    @Test
    void aNativeDecodeCannotBeReadOnceItsBufferIsReused() throws Exception {
        assumeTrue(TurboJpegDecoder.available(), TurboJpegDecoder::describe);
        byte[] data = ImageFixtures.bytes("jpeg_large_1920x1080.jpg");
        DecodedImage heap = TurboJpegDecoder.decode(data, PreprocessSpec.DEFAULT_MAX_PIXELS, 0);
        try (NativeDecode first = TurboJpegDecoder.decodeNative(data, PreprocessSpec.DEFAULT_MAX_PIXELS, 0)) {
            byte[] pixels = new byte[first.byteCount()];
            first.pixels().get(0, pixels);
            assertThat(pixels).isEqualTo(heap.bytes());
            try (NativeDecode second = TurboJpegDecoder.decodeNative(data, PreprocessSpec.DEFAULT_MAX_PIXELS, 0)) {
                assertThat(second.toHeap().bytes()).isEqualTo(heap.bytes());
                assertThatThrownBy(first::pixels)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("decode buffer reused by a later decode");
            }
        }
    }

    @Test
    void nativeDecoderIsUsedForPhotosWhenLoadable() throws Exception {
        assumeTrue(TurboJpegDecoder.available(), TurboJpegDecoder::describe);
        byte[] data = ImageFixtures.bytes("jpeg_large_1920x1080.jpg");
        DecodedImage d = TurboJpegDecoder.decode(data, PreprocessSpec.DEFAULT_MAX_PIXELS, 0);
        assertThat(d).isNotNull();
        assertThat(d.width()).isEqualTo(1920);
        assertThat(JpegDecoding.DEFAULT.decoderName()).isEqualTo("turbojpeg");
        assertThat(JpegDecoding.DEFAULT.describe())
                .startsWith("JPEG decoder: libjpeg-turbo TurboJPEG via JNA (")
                .endsWith(", exact");
    }

    @Test
    void tooManyPixelsIsRejectedFromTheHeaderByBothDecoders() {
        byte[] data = ImageFixtures.bytes("jpeg_large_1920x1080.jpg");
        for (JpegDecoding.Choice choice : JpegDecoding.Choice.values()) {
            if (choice == JpegDecoding.Choice.TURBOJPEG && !TurboJpegDecoder.available()) {
                continue;
            }
            ImagePreprocessor pre = new ImagePreprocessor(
                    new PreprocessSpec(
                            224,
                            PreprocessSpec.CLIP_MEAN,
                            PreprocessSpec.CLIP_STD,
                            Interpolation.BICUBIC,
                            ResizeMode.SHORTEST,
                            1920 * 1080 - 1),
                    new JpegDecoding(choice, false));
            assertThatThrownBy(() -> pre.preprocessPixels(data))
                    .as(choice.name())
                    .isInstanceOfSatisfying(ImageRejectedException.class, e -> assertThat(e.reason())
                            .isEqualTo(RejectionReason.TOO_MANY_PIXELS))
                    .hasMessageContaining("1920x1080 = 2073600 pixels, limit is 2073599");
        }
    }

    @Test
    void requiringTurboJpegFailsFastWhenItIsMissingAndImageIoNeverUsesIt() {
        JpegDecoding imageIo = new JpegDecoding(JpegDecoding.Choice.IMAGEIO, true);
        assertThat(imageIo.usesTurboJpeg()).isFalse();
        assertThat(imageIo.draftActive()).isFalse();
        assertThat(imageIo.decoderName()).isEqualTo("imageio");
        assertThat(imageIo.describe()).isEqualTo("JPEG decoder: JDK ImageIO, exact (draft needs libturbojpeg)");
        JpegDecoding required = new JpegDecoding(JpegDecoding.Choice.TURBOJPEG, false);
        if (TurboJpegDecoder.available()) {
            assertThat(required.requireAvailable("preprocess.jpeg.decoder")).isSameAs(required);
        } else {
            assertThatThrownBy(() -> required.requireAvailable("preprocess.jpeg.decoder"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("preprocess.jpeg.decoder is turbojpeg but libturbojpeg not loadable: ");
        }
        assertThat(JpegDecoding.Choice.parse(" TurboJPEG ")).isEqualTo(JpegDecoding.Choice.TURBOJPEG);
        assertThatThrownBy(() -> JpegDecoding.Choice.parse("libjpeg"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown JPEG decoder \"libjpeg\"; expected auto, turbojpeg or imageio");
    }

    @Test
    void draftScaleKeepsTheShortSideAtLeastTwiceTheInput() {
        assertThat(TurboJpegDecoder.draftDenominator(1920, 1080, 448)).isEqualTo(2);
        assertThat(TurboJpegDecoder.draftDenominator(4032, 3024, 448)).isEqualTo(4);
        assertThat(TurboJpegDecoder.draftDenominator(8000, 6000, 448)).isEqualTo(8);
        assertThat(TurboJpegDecoder.draftDenominator(800, 600, 448)).isEqualTo(1);
        assertThat(TurboJpegDecoder.draftDenominator(1920, 1080, 0)).isEqualTo(1);
        assertThat(TurboJpegDecoder.scaled(1001, 4)).isEqualTo(251);
    }
}
