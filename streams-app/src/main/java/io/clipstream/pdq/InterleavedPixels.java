package io.clipstream.pdq;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * 8-bit interleaved pixels whose luminance is a fixed linear mix of their channels:
 * {@code luma = sum_c channelWeights[c] * sample_c} (R, G, B as 0.299, 0.587, 0.114; grey as 1; alpha as 0). Row
 * {@code y} starts at byte {@code y * width * channels} of either a heap array (which may be longer than the image) or
 * a (native) buffer.
 *
 * @param bytes the samples on the heap, or null
 * @param buffer the samples in a buffer, or null
 * @param width width in pixels
 * @param height height in pixels
 * @param channels bytes per pixel
 * @param channelWeights the luminance weight of each channel
 */
public record InterleavedPixels(
        byte[] bytes, ByteBuffer buffer, int width, int height, int channels, float[] channelWeights) {

    private static final float[] RGB = {0.299f, 0.587f, 0.114f};
    private static final float[] RGBA = {0.299f, 0.587f, 0.114f, 0f};
    private static final float[] GREY = {1f};
    private static final float[] GREY_ALPHA = {1f, 0f};

    /** Validates the sizes. */
    public InterleavedPixels {
        if ((bytes == null) == (buffer == null)) {
            throw new IllegalArgumentException("exactly one of bytes and buffer");
        }
        Objects.requireNonNull(channelWeights, "channelWeights");
        if (width <= 0 || height <= 0 || channels != channelWeights.length) {
            throw new IllegalArgumentException(
                    width + "x" + height + " with " + channels + " channels and " + channelWeights.length + " weights");
        }
        long length = bytes != null ? bytes.length : buffer.capacity();
        if ((long) width * height * channels > length) {
            throw new IllegalArgumentException("expected at least " + (long) width * height * channels + " bytes for "
                    + width + "x" + height + "x" + channels + ", got " + length);
        }
    }

    /** Heap samples. */
    public InterleavedPixels(byte[] bytes, int width, int height, int channels, float[] channelWeights) {
        this(bytes, null, width, height, channels, channelWeights);
    }

    /** RGB (3 channels) or grey (1) samples in a buffer, from its index 0. */
    public static InterleavedPixels ofBuffer(ByteBuffer buffer, int width, int height, int channels) {
        return new InterleavedPixels(
                null,
                buffer,
                width,
                height,
                channels,
                switch (channels) {
                    case 1 -> GREY;
                    case 3 -> RGB;
                    default -> throw new IllegalArgumentException("RGB or grey only, not " + channels + " channels");
                });
    }

    /** RGB, 3 bytes per pixel. */
    public static InterleavedPixels rgb(byte[] bytes, int width, int height) {
        return new InterleavedPixels(bytes, width, height, 3, RGB);
    }

    /** RGB and an ignored alpha, 4 bytes per pixel. */
    public static InterleavedPixels rgba(byte[] bytes, int width, int height) {
        return new InterleavedPixels(bytes, width, height, 4, RGBA);
    }

    /** Grey, 1 byte per pixel. */
    public static InterleavedPixels grey(byte[] bytes, int width, int height) {
        return new InterleavedPixels(bytes, width, height, 1, GREY);
    }

    /** Grey and an ignored alpha, 2 bytes per pixel. */
    public static InterleavedPixels greyAlpha(byte[] bytes, int width, int height) {
        return new InterleavedPixels(bytes, width, height, 2, GREY_ALPHA);
    }

    /** The luminance of pixel {@code x} of row {@code y}. */
    float luma(int x, int y) {
        int p = (y * width + x) * channels;
        float sum = 0f;
        for (int c = 0; c < channels; c++) {
            sum += channelWeights[c] * ((bytes != null ? bytes[p + c] : buffer.get(p + c)) & 0xFF);
        }
        return sum;
    }

    /** Row-at-a-time access: heap rows in place, buffer rows copied into one reused row array. */
    Rows rows() {
        return new Rows();
    }

    /** See {@link #rows()}. */
    final class Rows {
        private final int rowBytes = width * channels;
        private final byte[] row = bytes != null ? null : new byte[rowBytes];

        /** The array in which {@link #load} puts a row. */
        byte[] array() {
            return bytes != null ? bytes : row;
        }

        /** Makes row {@code y} available in {@link #array()}, replacing the last one, and returns its index there. */
        int load(int y) {
            if (bytes != null) {
                return y * rowBytes;
            }
            buffer.get(y * rowBytes, row, 0, rowBytes);
            return 0;
        }
    }
}
