package io.clipstream.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageFormatTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "jpeg_baseline_420.jpg, JPEG",
        "jpeg_progressive.jpg, JPEG",
        "jpeg_cmyk_adobe.jpg, JPEG",
        "png_rgb.png, PNG",
        "png_grey_16bit.png, PNG",
        "gif_animated.gif, GIF",
        "bmp_rgb.bmp, BMP",
        "bmp_palette.bmp, BMP",
        "webp_lossy.webp, WEBP",
        "webp_lossless.webp, WEBP",
        "tiff_lzw.tif, TIFF",
        "tiff_uncompressed.tif, TIFF"
    })
    void sniffsEveryFixtureFromItsFirstBytes(String file, ImageFormat expected) {
        byte[] head = Arrays.copyOf(ImageFixtures.bytes(file), ImageFormat.SNIFF_LENGTH);
        assertThat(ImageFormat.sniff(head)).contains(expected);
    }

    @Test
    void magicNumbers() {
        assertThat(ImageFormat.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}))
                .contains(ImageFormat.JPEG);
        assertThat(ImageFormat.sniff(ascii("GIF87a"))).contains(ImageFormat.GIF);
        assertThat(ImageFormat.sniff(ascii("GIF89a"))).contains(ImageFormat.GIF);
        assertThat(ImageFormat.sniff(ascii("GIF90a"))).isEmpty();
        assertThat(ImageFormat.sniff(ascii("RIFF\0\0\0\0WEBPVP8 "))).contains(ImageFormat.WEBP);
        assertThat(ImageFormat.sniff(ascii("RIFF\0\0\0\0WAVEfmt "))).isEmpty();
        assertThat(ImageFormat.sniff(new byte[] {'M', 'M', 0, 42})).contains(ImageFormat.TIFF);
        assertThat(ImageFormat.sniff(new byte[] {'I', 'I', 43, 0})).contains(ImageFormat.TIFF);
        assertThat(ImageFormat.sniff(new byte[] {'I', 'I', 42, 1})).isEmpty();
    }

    @Test
    void rejectsLookalikesAndShortInput() {
        assertThat(ImageFormat.sniff(null)).isEmpty();
        assertThat(ImageFormat.sniff(new byte[0])).isEmpty();
        assertThat(ImageFormat.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8})).isEmpty();
        assertThat(ImageFormat.sniff(ascii("BM is not enough to be a bitmap"))).isEmpty();
        assertThat(ImageFormat.sniff(ascii("<html><body>image.jpg</body></html>")))
                .isEmpty();
        assertThat(ImageFormat.sniff(ascii("\u0089PNG\r\n\u001a"))).isEqualTo(Optional.empty());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
