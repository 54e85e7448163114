package io.clipstream.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Each {@link RejectionReason} with its exact code, and that rejections happen before pixels are decoded. */
class RejectionTest {
    private final ImagePreprocessor clip = new ImagePreprocessor(PreprocessSpec.clip(224));

    private static void assertRejected(ThrowingCallable call, RejectionReason reason, String code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ImageRejectedException.class, e -> {
            assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
            assertThat(e.reason().code()).isEqualTo(code);
            assertThat(e.getMessage()).startsWith(code + ": ");
        });
    }

    @Test
    void codesAreStable() {
        assertThat(Arrays.stream(RejectionReason.values()).map(RejectionReason::code))
                .containsExactly(
                        "EMPTY", "UNKNOWN_FORMAT", "TOO_MANY_PIXELS", "CORRUPT", "UNSUPPORTED", "OVER_MEMORY_BUDGET");
    }

    @Test
    void zeroBytesAndNullAreEmpty() {
        assertRejected(() -> clip.preprocessPixels(new byte[0]), RejectionReason.EMPTY, "EMPTY");
        assertRejected(() -> clip.preprocess(null), RejectionReason.EMPTY, "EMPTY");
    }

    @Test
    void randomBytesAreUnknownFormat() {
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        assertThat(ImageFormat.sniff(noise)).isEmpty();
        assertRejected(() -> clip.preprocessPixels(noise), RejectionReason.UNKNOWN_FORMAT, "UNKNOWN_FORMAT");
    }

    @Test
    void htmlPageIsUnknownFormat() {
        byte[] html = "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>nope</body></html>"
                .getBytes(StandardCharsets.UTF_8);
        assertRejected(() -> clip.preprocessPixels(html), RejectionReason.UNKNOWN_FORMAT, "UNKNOWN_FORMAT");
    }

    @Test
    void truncatedJpegIsCorrupt() {
        byte[] jpeg = ImageFixtures.bytes("jpeg_baseline_420.jpg");
        byte[] half = Arrays.copyOf(jpeg, jpeg.length / 2);
        assertRejected(() -> clip.preprocessPixels(half), RejectionReason.CORRUPT, "CORRUPT");
        byte[] noEoi = Arrays.copyOf(jpeg, jpeg.length - 2);
        assertRejected(() -> clip.preprocessPixels(noEoi), RejectionReason.CORRUPT, "CORRUPT");
        byte[] headerOnly = Arrays.copyOf(jpeg, 3);
        assertRejected(() -> clip.preprocessPixels(headerOnly), RejectionReason.CORRUPT, "CORRUPT");
    }

    @Test
    void truncatedPngGifWebpAndTiffAreCorrupt() {
        for (String name : new String[] {
            "png_rgb.png", "gif_animated.gif", "webp_lossy.webp", "tiff_uncompressed.tif", "bmp_rgb.bmp"
        }) {
            byte[] data = ImageFixtures.bytes(name);
            byte[] cut = Arrays.copyOf(data, data.length / 3);
            assertRejected(() -> clip.preprocessPixels(cut), RejectionReason.CORRUPT, "CORRUPT");
        }
    }

    static byte[] pngHeader(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteBuffer ihdr = ByteBuffer.allocate(13).order(ByteOrder.BIG_ENDIAN);
        ihdr.putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) 2)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[1 + 3 * 16]); // one (short) row; the rest is "missing"
        deflater.finish();
        byte[] buf = new byte[256];
        int n = deflater.deflate(buf);
        chunk(out, "IDAT", Arrays.copyOf(buf, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** Heap bytes this thread allocates while {@code action} runs (HotSpot's per-thread allocation counter). */
    private static long allocatedBytes(Runnable action) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        action.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }

    @Test
    void hugePngHeaderIsRejectedWithoutDecoding() throws Exception {
        byte[] png = pngHeader(50_000, 50_000);
        assertThat(png.length).isLessThan(200);
        // warm up class loading and the ImageIO registry outside the measured section
        assertThat(clip.preprocessPixels(ImageFixtures.bytes("png_grey.png")).width())
                .isEqualTo(224);
        long allocated = allocatedBytes(() ->
                assertRejected(() -> clip.preprocessPixels(png), RejectionReason.TOO_MANY_PIXELS, "TOO_MANY_PIXELS"));
        // a decode would need 50000 x 50000 x 3 bytes (7.5 GB); the header check allocates almost nothing
        assertThat(allocated).as("bytes allocated to reject it").isLessThan(8L << 20);
    }

    @Test
    void hugeJpegHeaderIsRejectedWithoutDecoding() throws Exception {
        // SOI, SOF0 declaring 65000x65000 with 3 components, EOI: no scan data at all
        byte[] jpeg = {
            (byte) 0xFF,
            (byte) 0xD8,
            (byte) 0xFF,
            (byte) 0xC0,
            0,
            17,
            8,
            (byte) 0xFD,
            (byte) 0xE8,
            (byte) 0xFD,
            (byte) 0xE8,
            3,
            1,
            0x22,
            0,
            2,
            0x11,
            1,
            3,
            0x11,
            1,
            (byte) 0xFF,
            (byte) 0xD9
        };
        // warm up the JPEG reader (native library loading) outside the measured section
        assertThat(clip.preprocessPixels(ImageFixtures.bytes("jpeg_small_upscale.jpg"))
                        .width())
                .isEqualTo(224);
        long allocated = allocatedBytes(() ->
                assertRejected(() -> clip.preprocessPixels(jpeg), RejectionReason.TOO_MANY_PIXELS, "TOO_MANY_PIXELS"));
        // a decode would need 65000 x 65000 x 3 bytes (12.7 GB), and the file has no scan data to decode
        assertThat(allocated).as("bytes allocated to reject it").isLessThan(8L << 20);
    }

    @Test
    void pixelLimitIsConfigurable() throws Exception {
        // jpeg_baseline_420.jpg is 600x400 = 240000 pixels
        PreprocessSpec tight = new PreprocessSpec(
                224,
                PreprocessSpec.CLIP_MEAN,
                PreprocessSpec.CLIP_STD,
                Interpolation.BICUBIC,
                ResizeMode.SHORTEST,
                239_999);
        byte[] jpeg = ImageFixtures.bytes("jpeg_baseline_420.jpg");
        assertRejected(
                () -> new ImagePreprocessor(tight).preprocessPixels(jpeg),
                RejectionReason.TOO_MANY_PIXELS,
                "TOO_MANY_PIXELS");
        PreprocessSpec exact = new PreprocessSpec(
                224,
                PreprocessSpec.CLIP_MEAN,
                PreprocessSpec.CLIP_STD,
                Interpolation.BICUBIC,
                ResizeMode.SHORTEST,
                240_000);
        assertThat(new ImagePreprocessor(exact).preprocessPixels(jpeg).width()).isEqualTo(224);
    }

    @Test
    void tiffWithUnknownCompressionIsUnsupported() {
        byte[] tiff = ImageFixtures.bytes("tiff_uncompressed.tif").clone();
        ByteBuffer b = ByteBuffer.wrap(tiff).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getShort(0)).isEqualTo((short) 0x4949);
        int ifd = b.getInt(4);
        int entries = b.getShort(ifd) & 0xFFFF;
        boolean patched = false;
        for (int i = 0; i < entries; i++) {
            int e = ifd + 2 + i * 12;
            if ((b.getShort(e) & 0xFFFF) == 259) { // Compression, SHORT
                b.putShort(e + 8, (short) 60000);
                patched = true;
            }
        }
        assertThat(patched).isTrue();
        assertRejected(() -> clip.preprocessPixels(tiff), RejectionReason.UNSUPPORTED, "UNSUPPORTED");
    }
}
